from celery import shared_task
from django.conf import settings

from . import services


@shared_task(
    name="national.render_pack",
    soft_time_limit=settings.NATIONAL_PACK_SOFT_TIME_LIMIT,
    time_limit=settings.NATIONAL_PACK_TIME_LIMIT,
)
def render_pack(*, render_id: int) -> str:
    """Render a quarterly pack's PDF with WeasyPrint; the outcome is recorded on the PackRender.

    Past the soft time limit the render is recorded as failed; a child killed at the hard limit
    (or a dead worker) leaves it pending, and the stuck-work sweep marks it failed.
    """
    return services.run_pack_render(render_id).status
