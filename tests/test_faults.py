"""Faults: the broker down, a worker lost mid-task, and tasks sent only after the commit."""

import contextlib

import pytest
from django.db import transaction
from kombu.utils import functional as kombu_functional

from mappa_tracker.celery import app as current_app
from outbox.models import OutboxTask
from outbox.services import enqueue, flush_pending
from recommendations.models import ProgressUpdate

from . import fault_tasks
from .brokers import reset_pools

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def broker(url: str):
    """Point Celery at `url` for real sending (not eager), then restore it."""
    conf = current_app.conf
    saved = (conf.broker_url, conf.task_always_eager, conf.broker_transport_options, conf.task_publish_retry)

    conf.broker_url, conf.task_always_eager = url, False
    conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 1}
    conf.task_publish_retry = False
    reset_pools(current_app)
    try:
        yield
    finally:
        conf.broker_url, conf.task_always_eager, conf.broker_transport_options, conf.task_publish_retry = (
            saved
        )
        reset_pools(current_app)


CLOSED_PORT = "redis://127.0.0.1:1/0"


def test_with_the_broker_down_a_page_that_queues_work_answers_and_the_job_waits(
    world, gwent_staff, client, django_capture_on_commit_callbacks, monkeypatch
):
    waits = []
    # kombu sleeps between its attempts to connect (2 s, then 4 s, up to its connect timeout); the
    # outbox tries once and leaves the retry to its flush, so the page never waits on those sleeps.
    monkeypatch.setattr(kombu_functional, "sleep", waits.append)
    with broker(CLOSED_PORT), django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password-reset/", {"email": "gwent.staff@example.org"})
    assert waits == []
    assert response.status_code == 302
    job = OutboxTask.objects.get(task_name="accounts.send_password_reset")
    assert job.sent_at is None and job.attempts == 1 and job.last_error

    # Other pages answer too while the broker is down.
    for url in ("/accounts/login/", "/accounts/password-reset/sent/"):
        with broker(CLOSED_PORT):
            assert client.get(url).status_code == 200

    with broker("memory://"):
        assert flush_pending() == 1
        with current_app.connection_for_read() as conn:
            message = conn.SimpleQueue(current_app.conf.task_default_queue).get(timeout=2)
            assert message.headers["task"] == "accounts.send_password_reset"
            message.ack()
    job.refresh_from_db()
    assert job.sent_at is not None and job.attempts == 2


def test_every_force_page_answers_with_the_broker_down(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    record = world.record(world.gwent)
    with broker(CLOSED_PORT):
        for url in (
            "/",
            "/forces/gwent/home/",
            "/forces/gwent/",
            "/forces/gwent/records/",
            f"/forces/gwent/records/{record.pk}/",
            f"/forces/gwent/records/{record.pk}/history/",
            "/api/forces/gwent/records/",
        ):
            response = client.get(url)
            if url == "/":  # the start page sends a member to their force's home, never back to sign in
                assert response.status_code == 302 and response["Location"] == "/forces/gwent/home/", url
            else:
                assert response.status_code == 200, url


def test_tasks_are_sent_after_the_commit_never_before(world, django_capture_on_commit_callbacks):
    record = world.record(world.gwent)
    kwargs = {"force_id": world.gwent.pk, "record_id": record.pk, "external_ref": "x-1", "text": "Imported."}
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        job = enqueue(fault_tasks.import_update, **kwargs)
        assert OutboxTask.objects.get(pk=job.pk).sent_at is None
    assert len(callbacks) == 1
    assert not ProgressUpdate.objects.filter(external_ref="x-1").exists()  # nothing ran before commit
    callbacks[0]()
    assert ProgressUpdate.objects.filter(external_ref="x-1").count() == 1
    assert OutboxTask.objects.get(pk=job.pk).sent_at is not None


def test_a_rolled_back_change_sends_nothing(world, django_capture_on_commit_callbacks):
    record = world.record(world.gwent)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(
            fault_tasks.import_update,
            force_id=world.gwent.pk,
            record_id=record.pk,
            external_ref="x-2",
            text="t",
        )
        raise RuntimeError("the view failed")
    assert not callbacks and not OutboxTask.objects.exists()


def test_a_task_delivered_again_after_its_worker_died_does_its_effect_once(world):
    """Late acknowledgement: the broker hands the message out again; the task's key makes it a no-op."""
    assert current_app.conf.task_acks_late and current_app.conf.task_reject_on_worker_lost
    assert fault_tasks.import_update.acks_late
    record = world.record(world.gwent)
    kwargs = {
        "force_id": world.gwent.pk,
        "record_id": record.pk,
        "external_ref": "sheet-row-7",
        "text": "From the sheet.",
    }
    fault_tasks.RUNS.clear()
    first = fault_tasks.import_update.apply(kwargs=kwargs, task_id="same-message")
    again = fault_tasks.import_update.apply(kwargs=kwargs, task_id="same-message")  # the redelivery
    assert (first.result, again.result) == ("done", "already done")
    assert fault_tasks.RUNS == ["sheet-row-7", "sheet-row-7"]
    assert ProgressUpdate.objects.filter(record=record, external_ref="sheet-row-7").count() == 1


def test_work_queued_after_an_embedded_worker_made_its_own_app_current_still_runs(
    world, django_capture_on_commit_callbacks
):
    """celery.contrib.testing's worker makes its app current and default and leaves it so; the
    outbox goes on using the project's app (eager here), not that app's broker."""
    from celery import Celery

    from mappa_tracker.celery import app as project_app
    from outbox.services import enqueue

    stray = Celery("stray-test-worker", set_as_current=False)
    stray.conf.update(broker_url=CLOSED_PORT, task_always_eager=False)
    stray.set_current()
    stray.set_default()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            row = enqueue("outbox.flush")
        row.refresh_from_db()
        assert row.sent_at is not None and not row.last_error
    finally:
        project_app.set_current()
        project_app.set_default()
