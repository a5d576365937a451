"""Imports: check every row, then apply all rows or none. This module owns the ImportJob.

A preview and a confirmed import run the same code: the preview applies the rows inside a
transaction and rolls it back, so what the preview promises is exactly what confirming does.
Confirming reads the kept file again and re-checks every row (the data may have moved on).
The rows themselves are read by spreadsheets.progress and spreadsheets.inspection, whose every
change goes through recommendations.services.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from outbox.services import enqueue
from recommendations.models import Inspection

from .inspection import InspectionImport
from .models import ImportJob
from .progress import ProgressImport
from .reading import FileRefused, Table, read_table, short_name

log = logging.getLogger(__name__)


def store_upload(*, kind, user, upload, force=None, inspection=None, options=None) -> tuple[ImportJob, Table]:
    """Read the upload (refusing bad files) and keep it privately for the confirmation."""
    data = upload.read(settings.SPREADSHEET_MAX_BYTES + 1)
    table = read_table(data, upload.name)
    digest = hashlib.sha256(data).hexdigest()
    job = ImportJob(
        force=force,
        kind=kind,
        user=user,
        inspection=inspection,
        options=options or {},
        original_name=short_name(upload.name),
        sha256=digest,
        row_count=len(table.rows),
    )
    job.file.save(digest, ContentFile(data), save=False)
    job.save()
    return job, table


def load_table(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != job.sha256:
        raise ValidationError(_("The kept file has changed since it was uploaded. Upload it again."))
    return read_table(data, job.original_name)


def is_large(job: ImportJob) -> bool:
    return job.row_count > settings.SPREADSHEET_ASYNC_ROWS


def _queue(job: ImportJob, *, commit: bool) -> None:
    """Queue the job's run by the task's name (spreadsheets.tasks runs this module's `run`): the
    outbox stores the name anyway, and naming it keeps this module free of the tasks module."""
    if job.force_id:
        enqueue("spreadsheets.run_progress_import", job_id=job.pk, commit=commit, force_id=job.force_id)
    else:
        enqueue("spreadsheets.run_inspection_import", job_id=job.pk, commit=commit)


def start(job: ImportJob, *, commit: bool, table: Table | None = None) -> ImportJob:
    """Check (commit=False) or apply (commit=True) now, or in a Celery task when the file is large."""
    job.status = ImportJob.Status.APPLYING if commit else ImportJob.Status.PREVIEWING
    job.processed = 0
    if is_large(job):
        job.status = ImportJob.Status.QUEUED if not commit else ImportJob.Status.APPLYING
        job.save(update_fields=["status", "processed", "updated_at"])
        with transaction.atomic():
            _queue(job, commit=commit)
        return job
    job.save(update_fields=["status", "processed", "updated_at"])
    return run(job, commit=commit, table=table)


def run(job: ImportJob, *, commit: bool, table: Table | None = None) -> ImportJob:
    """Check or apply a job here and now, and record the outcome on it. Never raises for bad data."""
    try:
        table = table or load_table(job)
        if job.kind == ImportJob.Kind.PROGRESS:
            outcome = ProgressImport(job, table).run(commit=commit)
        else:
            outcome = InspectionImport(job, table).run(commit=commit)
    except (ValidationError, OSError, FileRefused) as exc:  # the kept file is gone or changed
        job.status = ImportJob.Status.FAILED
        job.error = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        job.save(update_fields=["status", "error", "updated_at"])
        return job
    outcome["warnings"] = table.warnings
    job.result = outcome
    job.processed = len(outcome["rows"])
    job.error = ""
    if outcome["errors"] or any(r["errors"] for r in outcome["rows"]):
        job.status = ImportJob.Status.INVALID if not commit else ImportJob.Status.FAILED
    else:
        job.status = ImportJob.Status.APPLIED if commit else ImportJob.Status.PREVIEWED
    fields = ["result", "processed", "error", "status", "updated_at"]
    if outcome.get("inspection_slug") and job.kind != ImportJob.Kind.PROGRESS:
        job.inspection = Inspection.objects.get(slug=outcome["inspection_slug"])
        fields.append("inspection")
    job.save(update_fields=fields)
    return job


RUNNING_STATUSES = (ImportJob.Status.QUEUED, ImportJob.Status.PREVIEWING, ImportJob.Status.APPLYING)


def run_once(job: ImportJob, *, commit: bool) -> ImportJob:
    """A worker's run of a queued job: skipped if it has finished or another worker holds it now.

    The job's row stays locked for the whole run, so a message delivered twice (a redelivery
    after a dead worker, or the stuck-work sweep's re-queue) never applies the rows twice.
    """
    with transaction.atomic():
        held = (
            ImportJob._base_manager.select_for_update(skip_locked=True)
            .filter(pk=job.pk, status__in=RUNNING_STATUSES)
            .first()
        )
        if held is None:
            return job
        return run(held, commit=commit)


def mark_failed(job: ImportJob, message: str) -> None:
    """Record that a job stopped without an outcome; the job page offers to try again."""
    with transaction.atomic():
        ImportJob._base_manager.filter(pk=job.pk, status__in=RUNNING_STATUSES).update(
            status=ImportJob.Status.FAILED, error=message, updated_at=timezone.now()
        )


def retry(job: ImportJob) -> ImportJob:
    """Try again a job whose worker stopped: the same step, from the start, with a fresh count."""
    if not job.can_retry:
        return job
    commit = job.stuck_step == "apply"
    job.requeues = 0
    job.error = ""
    job.recovery_note = ""
    job.stuck_step = ""
    job.save(update_fields=["requeues", "error", "recovery_note", "stuck_step", "updated_at"])
    return start(job, commit=commit)


def _now_text() -> str:
    return formats.date_format(timezone.localtime(), "j F Y H:i")


def recover_stopped_jobs(now=None) -> dict:
    """Jobs running on paper that no worker holds: queued again once, then marked failed.

    A job's worker holds a lock on its row for the whole run (run_once), so on PostgreSQL a job row
    that can be locked (SKIP LOCKED) and has not changed for STUCK_WORK_AFTER_SECONDS has no live
    worker; elsewhere the age alone decides. Running a job twice is harmless: a run skips a job
    that has finished or that another worker holds, so its rows are applied exactly once.
    """
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.STUCK_WORK_AFTER_SECONDS)
    outcome = {"requeued": 0, "failed": 0}
    with transaction.atomic(), scopes_disabled():
        stuck = ImportJob._base_manager.select_for_update(skip_locked=True).filter(
            status__in=RUNNING_STATUSES, updated_at__lt=cutoff
        )
        for job in stuck:
            step = "apply" if job.status == ImportJob.Status.APPLYING else "check"
            job.stuck_step = step
            if job.requeues < 1:
                job.requeues += 1
                job.recovery_note = _(
                    "The worker handling this file stopped before it finished, so the file was "
                    "started again at %(when)s. Nothing was imported twice."
                ) % {"when": _now_text()}
                job.save(update_fields=["requeues", "stuck_step", "recovery_note", "updated_at"])
                _queue(job, commit=job.status == ImportJob.Status.APPLYING)
                outcome["requeued"] += 1
                log.warning("Import job %s had no live worker: queued again", job.pk)
            else:
                job.status = ImportJob.Status.FAILED
                job.error = _(
                    "The worker handling this file stopped twice before it finished, so it was not "
                    "imported. Nothing was changed. Try again, or split the file into smaller ones."
                )
                job.save(update_fields=["status", "stuck_step", "error", "updated_at"])
                outcome["failed"] += 1
                log.warning("Import job %s had no live worker again: marked failed", job.pk)
    return outcome
