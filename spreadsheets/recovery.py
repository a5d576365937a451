"""Work that survives a dead worker: the stuck-work sweep (a beat task, every minute).

An import job whose worker died (killed, out of memory, machine restarted) would otherwise stay
"being checked" until the broker's visibility timeout hands its message to another worker. The
sweep finds jobs that are running on paper but that no worker holds:

- a job's worker holds a lock on its row for the whole run (services.run_once), so on PostgreSQL
  a job row that can be locked (SKIP LOCKED) and has not changed for STUCK_WORK_AFTER_SECONDS has
  no live worker; elsewhere the age alone decides;
- the first time, the job is queued again (through the outbox) and the job page says so;
- the second time, it is marked failed with the reason, and the job page offers "Try again".

Running the job twice is harmless: a run skips a job that has finished or that another worker
holds, so the rows are applied exactly once. Letter renders left "rendering" by a dead worker are
handled the same way (one new render, then failed with the page's retry button). A published
response's reading (history) left "being read", or a quarterly pack's PDF left pending, past its
task's hard time limit is marked failed.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from history import services as history_services
from national import services as national_services
from outbox.services import enqueue
from responses import services as responses_services
from responses.models import LetterRender

from .models import ImportJob
from .services import RUNNING_STATUSES

log = logging.getLogger(__name__)


def _now_text() -> str:
    return formats.date_format(timezone.localtime(), "j F Y H:i")


def requeue_job(job: ImportJob) -> None:
    commit = job.status == ImportJob.Status.APPLYING
    if job.force_id:
        enqueue("spreadsheets.run_progress_import", job_id=job.pk, commit=commit, force_id=job.force_id)
    else:
        enqueue("spreadsheets.run_inspection_import", job_id=job.pk, commit=commit)


def sweep_imports(now=None) -> dict:
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.STUCK_WORK_AFTER_SECONDS)
    outcome = {"requeued": 0, "failed": 0}
    with transaction.atomic(), scopes_disabled():
        stuck = ImportJob._base_manager.select_for_update(skip_locked=True).filter(
            status__in=RUNNING_STATUSES, updated_at__lt=cutoff
        )
        for job in stuck:
            step = "apply" if job.status == ImportJob.Status.APPLYING else "check"
            if job.requeues < 1:
                job.requeues += 1
                job.stuck_step = step
                job.recovery_note = _(
                    "The worker handling this file stopped before it finished, so the file was "
                    "started again at %(when)s. Nothing was imported twice."
                ) % {"when": _now_text()}
                job.save(update_fields=["requeues", "stuck_step", "recovery_note", "updated_at"])
                requeue_job(job)
                outcome["requeued"] += 1
                log.warning("Import job %s had no live worker: queued again", job.pk)
            else:
                job.status = ImportJob.Status.FAILED
                job.stuck_step = step
                job.error = _(
                    "The worker handling this file stopped twice before it finished, so it was not "
                    "imported. Nothing was changed. Try again, or split the file into smaller ones."
                )
                job.save(update_fields=["status", "stuck_step", "error", "updated_at"])
                outcome["failed"] += 1
                log.warning("Import job %s had no live worker again: marked failed", job.pk)
    return outcome


def sweep_renders(now=None) -> dict:
    outcome = {"requeued": 0, "failed": 0}
    with scopes_disabled():
        pending = list(
            LetterRender.objects.filter(status__in=["queued", "rendering"]).select_related("version")
        )
        for render in pending:
            if not render.is_stale(now):
                continue
            lost_before = LetterRender.objects.filter(
                version_id=render.version_id, status=LetterRender.Status.FAILED, error__startswith="[stopped]"
            ).exists()
            with transaction.atomic():
                LetterRender.objects.filter(pk=render.pk, status__in=["queued", "rendering"]).update(
                    status=LetterRender.Status.FAILED,
                    error="[stopped] " + _("The render did not finish (the worker may have stopped)."),
                    finished_at=timezone.now(),
                )
            if lost_before:
                outcome["failed"] += 1
                continue
            try:
                responses_services.request_render(render.version)
                outcome["requeued"] += 1
            except Exception:  # a published letter is never rendered again: failed is the outcome
                log.exception("Could not queue letter render again for version %s", render.version_id)
                outcome["failed"] += 1
    return outcome


def sweep(now=None) -> dict:
    return {
        "imports": sweep_imports(now),
        "renders": sweep_renders(now),
        "history": history_services.fail_stopped_readings(now),
        "packs": national_services.fail_stopped_pack_renders(now),
    }
