"""Writes of the national module: the access log."""

from django.db import connection, transaction

from .models import AccessLog


def log_access(user, action: str, *, path: str = "", parameters: dict | None = None) -> AccessLog:
    """Write down that `user` (a user, or a user's id) looked across forces (dashboard, compare,
    search or an export)."""
    params = {}
    for key, value in (parameters or {}).items():
        # QueryDict values come as lists; keep single values plain so the log reads easily.
        if isinstance(value, list | tuple):
            value = value[0] if len(value) == 1 else list(value)
        if isinstance(value, list):
            value = [_printable(v) for v in value]
        params[_printable(key)[:100]] = value if isinstance(value, int | list) else _printable(value)[:500]
    if isinstance(user, int | str):
        who = {"user_id": int(user)}
    else:
        who = {"user": user if getattr(user, "is_authenticated", False) else None}
    inside_a_larger_transaction = connection.in_atomic_block  # whose commit must not change
    with transaction.atomic():
        if connection.vendor == "postgresql" and not inside_a_larger_transaction:
            # The entry is written with every national page, from the page cache too, and waiting
            # for the disk on each made the commit most of a cached page's time. Not waiting can
            # lose the last fraction of a second of entries if the database server itself crashes
            # (never a partial row); only this entry's own transaction is affected.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        return AccessLog.objects.create(**who, action=action, path=path[:500], parameters=params)


def _printable(value) -> str:
    """PostgreSQL's JSON refuses NUL characters; a request may carry them."""
    return str(value).replace("\x00", "")


def request_pack_render(*, quarter, force=None, user=None, language: str = "en"):
    """Queue the PDF of a quarterly pack for the Celery worker (by task name, through the outbox)."""
    from django.db import transaction

    from outbox.services import enqueue

    from .models import PackRender

    with transaction.atomic():
        render = PackRender.objects.create(
            force=force, quarter=quarter.param, requested_by=user, language=language[:10]
        )
        enqueue("national.render_pack", render_id=render.pk)
    return render


def run_pack_render(render_id: int):
    """Render one PackRender (in the worker). A failure is recorded on the row, not raised."""
    from django.db import transaction
    from django.utils import timezone, translation
    from django_scopes import scopes_disabled

    from .models import PackRender
    from .pack import Quarter, build_pack
    from .pack_documents import pack_pdf

    with transaction.atomic():
        render = PackRender.objects.select_for_update().get(pk=render_id)
        if render.status != PackRender.Status.QUEUED:
            # Done already (a redelivered message), being made by another worker, or marked failed
            # by the stuck-work sweep (asking again makes a new render).
            return render
        render.status = PackRender.Status.RENDERING
        render.save(update_fields=["status"])
    try:
        # The national pack looks across forces; a force's pack reads only its force's rows.
        with scopes_disabled(), translation.override(render.language):
            pdf = pack_pdf(build_pack(Quarter.parse(render.quarter), render.force))
    except Exception as exc:  # recorded for the page; the worker stays up
        render.status = PackRender.Status.FAILED
        render.error = f"{type(exc).__name__}: {exc}"[:2000]
    else:
        render.status = PackRender.Status.DONE
        render.pdf = pdf
    render.finished_at = timezone.now()
    # Only a render still "rendering" is finished here: one the sweep marked failed stays failed.
    PackRender.objects.filter(pk=render.pk, status=PackRender.Status.RENDERING).update(
        status=render.status, error=render.error, pdf=render.pdf, finished_at=render.finished_at
    )
    render.refresh_from_db()
    return render


def fail_stopped_pack_renders(now=None) -> int:
    """Pack renders a dead worker left pending, older than the task's hard time limit (which would
    have stopped a live one) and the sweep's slack: marked failed, so the page offers "Try again"."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from .models import PackRender

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.NATIONAL_PACK_TIME_LIMIT + settings.STUCK_WORK_AFTER_SECONDS)
    return PackRender.objects.filter(
        status__in=[PackRender.Status.QUEUED, PackRender.Status.RENDERING], created_at__lt=cutoff
    ).update(
        status=PackRender.Status.FAILED,
        error="[stopped] The worker stopped before the PDF was made.",
        finished_at=now,
    )
