"""Celery tasks for responses: they take ids and run inside the force's scope (ForceTask)."""

from celery import shared_task
from django.conf import settings

from forces.tasks import ForceTask

from . import services


@shared_task(
    name="responses.render_letter",
    base=ForceTask,
    soft_time_limit=settings.LETTER_RENDER_SOFT_TIME_LIMIT,
    time_limit=settings.LETTER_RENDER_TIME_LIMIT,
)
def render_letter(*, force_id: int, render_id: int) -> str:
    """Render a version's PDF letter with WeasyPrint; the outcome is recorded on the LetterRender.

    A render past its soft time limit is recorded as failed (run_render catches the exception);
    the hard limit kills a child that ignores it, and the stuck-work sweep then marks it failed.
    """
    return services.run_render(render_id).status


@shared_task(
    name="responses.send_copies",
    base=ForceTask,
    autoretry_for=(Exception,),
    retry_backoff=60,
    max_retries=5,
)
def send_copies(*, force_id: int, copy_id: int) -> None:
    """Send the published letter to HMICFRS and the Home Secretary and record that it went."""
    services.send_copy(copy_id)
