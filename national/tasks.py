from celery import shared_task

from . import services


@shared_task(name="national.render_pack")
def render_pack(*, render_id: int) -> str:
    """Render a quarterly pack's PDF with WeasyPrint; the outcome is recorded on the PackRender."""
    return services.run_pack_render(render_id).status
