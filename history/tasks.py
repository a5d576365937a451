"""Celery tasks for imported history: they take ids; a letter's reading runs inside its force's scope.

Each run is bounded like the spreadsheet imports: Celery stops it after its soft time limit (and
kills the child at the hard one), and its memory is capped (spreadsheets.limits); a run stopped by
a limit is recorded as failed with a plain reason, never left "being read".
"""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils.translation import gettext as _

from forces.tasks import ForceTask
from spreadsheets.limits import memory_cap

from . import services


@shared_task(
    name="history.read_document",
    base=ForceTask,
    bind=True,
    soft_time_limit=settings.IMPORT_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.IMPORT_TASK_TIME_LIMIT,
)
def read_document(self, *, force_id: int, import_id: int) -> str:
    """Read an uploaded response and store its preview; the outcome is recorded on the import."""
    try:
        with memory_cap(enabled=not self.request.is_eager):
            return services.run_reading(import_id).status
    except (SoftTimeLimitExceeded, MemoryError):
        return services.fail_reading(
            import_id, _("The document took too long or too much memory to read.")
        ).status


@shared_task(
    name="history.read_batch",
    bind=True,
    soft_time_limit=settings.HISTORY_BATCH_SOFT_TIME_LIMIT,
    time_limit=settings.HISTORY_BATCH_SOFT_TIME_LIMIT + 60,
)
def read_batch(self, *, batch_id: int) -> str:
    """Read an administrator's zip of letters: each becomes its force's import, read at once.

    Not a ForceTask: a batch spans forces, and each letter is kept and read inside its own force's
    scope by the service."""
    try:
        with memory_cap(enabled=not self.request.is_eager):
            return services.run_batch(batch_id).status
    except (SoftTimeLimitExceeded, MemoryError):
        return services.fail_batch(
            batch_id,
            _("The zip took too long or too much memory to read. The letters read so far are listed."),
        ).status
