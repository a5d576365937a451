"""Imports: check every row, then apply all rows or none. This module owns the ImportJob.

A preview and a confirmed import run the same code: the preview applies the rows inside a
transaction and rolls it back, so what the preview promises is exactly what confirming does.
Confirming reads the kept file again and re-checks every row (the data may have moved on).
The rows themselves are read by spreadsheets.progress and spreadsheets.inspection, whose every
change goes through recommendations.services.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outbox.services import enqueue
from recommendations.models import Inspection

from .inspection import InspectionImport
from .models import ImportJob
from .progress import ProgressImport
from .reading import FileRefused, Table, read_table, short_name


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


def start(job: ImportJob, *, commit: bool, table: Table | None = None) -> ImportJob:
    """Check (commit=False) or apply (commit=True) now, or in a Celery task when the file is large."""
    job.status = ImportJob.Status.APPLYING if commit else ImportJob.Status.PREVIEWING
    job.processed = 0
    if is_large(job):
        job.status = ImportJob.Status.QUEUED if not commit else ImportJob.Status.APPLYING
        job.save(update_fields=["status", "processed", "updated_at"])
        # By name (spreadsheets.tasks runs this module's `run`): the outbox stores the name anyway.
        with transaction.atomic():
            if job.force_id:
                enqueue(
                    "spreadsheets.run_progress_import", job_id=job.pk, commit=commit, force_id=job.force_id
                )
            else:
                enqueue("spreadsheets.run_inspection_import", job_id=job.pk, commit=commit)
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
