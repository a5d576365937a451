from celery import shared_task

from .services import flush_pending


@shared_task(name="outbox.flush")
def flush() -> int:
    # Only tasks older than a minute: newer ones are still being sent by their own on_commit hook.
    return flush_pending(older_than_seconds=60)
