"""Send Celery tasks after commit, without ever losing one to a broker outage."""

import logging
from datetime import timedelta

from celery.exceptions import NotRegistered
from django.db import transaction
from django.utils import timezone

from mappa_tracker.celery import app as celery_app

from .models import OutboxTask

log = logging.getLogger(__name__)


def enqueue(task, **kwargs) -> OutboxTask:
    """Record `task(**kwargs)` now and send it once the surrounding transaction commits.

    `task` is a Celery task (or its name); kwargs must be JSON (ids, not objects). A failure to
    reach the broker never fails the request: the row stays pending for `flush_pending`.
    """
    name = task if isinstance(task, str) else task.name
    row = OutboxTask.objects.create(task_name=name, kwargs=kwargs)
    transaction.on_commit(lambda: send(row.pk))
    return row


def _task(name: str):
    """The registered task called `name`. Services queue tasks by name and never import them, so
    in-process runs load every app's tasks module first, as a worker does when it starts.

    The project's own Celery app is used, never `celery.current_app`: an embedded worker started
    for another app makes that one current, and the outbox must not follow it to its broker."""
    try:
        return celery_app.tasks[name]
    except NotRegistered:
        celery_app.loader.import_default_modules()
        return celery_app.tasks[name]


def send(pk: int) -> bool:
    """Publish one pending task; True if it went to the broker (or had gone already)."""
    with transaction.atomic():
        row = OutboxTask.objects.select_for_update().filter(pk=pk, sent_at__isnull=True).first()
        if row is None:
            return True
        row.attempts += 1
        if celery_app.conf.task_always_eager:
            # Tests and one-off scripts: run in-process, as Celery's eager mode does for .delay().
            row.sent_at = timezone.now()
            row.save(update_fields=["attempts", "sent_at"])
            _task(row.task_name).apply(kwargs=row.kwargs, throw=True)
            return True
        try:
            with celery_app.producer_or_acquire() as producer:
                # One attempt to reach the broker, without kombu's waits between retries (2 s, then
                # 4 s, up to its connect timeout): the pending row is the retry, sent again by the
                # flush a minute later, so a page that queued work never stalls on a broker outage.
                producer.connection.ensure_connection(max_retries=0)
                celery_app.send_task(row.task_name, kwargs=row.kwargs, producer=producer)
        except Exception as exc:  # broker down or unreachable: keep it for the next flush
            row.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            row.save(update_fields=["attempts", "last_error"])
            log.warning("Could not send %s (%s); it stays in the outbox.", row.task_name, exc)
            return False
        row.sent_at = timezone.now()
        row.last_error = ""
        row.save(update_fields=["attempts", "sent_at", "last_error"])
        return True


def flush_pending(older_than_seconds: int = 0, limit: int = 500) -> int:
    """Send tasks still pending (after an outage); returns how many were sent."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = OutboxTask.objects.filter(sent_at__isnull=True, created_at__lte=cutoff).order_by("pk")
    sent = 0
    for pk in pending.values_list("pk", flat=True)[:limit]:
        sent += send(pk)
    return sent
