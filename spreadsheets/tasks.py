"""Large imports run here, sent through the outbox so that none is lost to a broker outage."""

from celery import shared_task

from forces.tasks import ForceTask

from . import services
from .models import ImportJob


@shared_task(base=ForceTask, name="spreadsheets.run_progress_import")
def run_progress_import(*, job_id: int, commit: bool, force_id: int):
    """Check or apply a force's progress import; runs inside the force's scope (ForceTask)."""
    job = ImportJob.objects.filter(pk=job_id, force_id=force_id).first()
    if job is not None:
        services.run(job, commit=commit)


@shared_task(name="spreadsheets.run_inspection_import")
def run_inspection_import(*, job_id: int, commit: bool):
    """Check or apply an administrator's inspection import (no force: it creates every force's records)."""
    job = ImportJob.inspection_jobs.filter(pk=job_id).first()
    if job is not None:
        # Inspections are shared tables; create_force_records lifts the force scope itself.
        services.run(job, commit=commit)
