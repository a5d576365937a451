"""Large imports run here, sent through the outbox so that none is lost to a broker outage.

Each run is bounded: Celery stops it after IMPORT_TASK_SOFT_TIME_LIMIT seconds (and kills the
child at IMPORT_TASK_TIME_LIMIT), and its memory is capped (spreadsheets.limits). A run that hits
a limit marks its job failed with a plain reason instead of leaving it "being checked".
"""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _

from forces.tasks import ForceTask

from . import services
from .limits import memory_cap
from .models import ImportJob
from .recovery import sweep

LIMITS = {
    "soft_time_limit": settings.IMPORT_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.IMPORT_TASK_TIME_LIMIT,
}


def _run_bounded(task, job, commit):
    try:
        with memory_cap(enabled=not task.request.is_eager):
            services.run_once(job, commit=commit)
    except SoftTimeLimitExceeded:
        services.mark_failed(
            job, _("Checking the file took too long, so it was stopped. Split it into smaller files.")
        )
    except MemoryError:
        services.mark_failed(
            job,
            _("Checking the file needed too much memory, so it was stopped. Split it into smaller files."),
        )


@shared_task(base=ForceTask, bind=True, name="spreadsheets.run_progress_import", **LIMITS)
def run_progress_import(self, *, job_id: int, commit: bool, force_id: int):
    """Check or apply a force's progress import; runs inside the force's scope (ForceTask)."""
    job = ImportJob.objects.filter(pk=job_id, force_id=force_id).first()
    if job is not None:
        _run_bounded(self, job, commit)


@shared_task(bind=True, name="spreadsheets.run_inspection_import", **LIMITS)
def run_inspection_import(self, *, job_id: int, commit: bool):
    """Check or apply an administrator's inspection import (no force: it creates every force's records)."""
    job = ImportJob.inspection_jobs.filter(pk=job_id).first()
    if job is not None:
        # Inspections are shared tables; create_force_records lifts the force scope itself.
        _run_bounded(self, job, commit)


@shared_task(name="spreadsheets.requeue_stuck_work")
def requeue_stuck_work():
    """Beat: imports and letter renders a dead worker left behind are started again once, then failed."""
    sweep()
