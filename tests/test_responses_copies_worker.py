"""Copies of a published response, sent by a real Celery worker, when the task is delivered twice.

The second delivery arrives while the first is still sending (as a broker redelivers after a
visibility timeout, or a publisher retries). Each recipient's copy is claimed under a unique
constraint in the transaction that sends it, so each recipient gets exactly one e-mail.

Needs PostgreSQL (the worker's threads use their own connections to the test database) and Redis;
skipped otherwise, and failing in CI (env CI set) so a broken set-up cannot pass unnoticed.
"""

import os
import threading
import time

import pytest
from django.conf import settings
from django.core import mail

from mappa_tracker.celery import app
from responses import services
from responses.demo import load_seed_responses
from responses.models import LetterRender, Response, ResponseCopy

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECIPIENTS = ["hmicfrs@example.org", "home.secretary@example.org"]


@pytest.fixture
def threaded_worker():
    if not (settings.IS_POSTGRES and os.environ.get("REDIS_URL")):
        reason = "needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) for a real worker."
        if os.environ.get("CI"):
            pytest.fail(f"{reason} CI must provide them.")
        pytest.skip(reason)
    from celery.contrib.testing.worker import start_worker

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    try:
        app.control.purge()
        # Two threads, so the second delivery runs while the first is still sending.
        with start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        app.conf.task_always_eager = previous


def _wait(predicate, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_copy_task_delivered_twice_at_once_sends_one_email_per_recipient(
    world, monkeypatch, threaded_worker
):
    load_seed_responses(world.inspection, render=False)
    response = Response.objects.get(force=world.gwent, inspection=world.inspection)
    version = response.published_version
    services.run_render(LetterRender.objects.create(force=world.gwent, version=version).pk)
    copy = ResponseCopy.objects.create(
        force=world.gwent, response=response, version=version, recipients=RECIPIENTS
    )

    real_send = services.send_response_copy
    started, running = threading.Event(), []

    def slow_send(copy, letter, recipient):
        running.append(recipient)
        started.set()
        time.sleep(1.5)  # long enough for the second delivery to reach the same copy
        real_send(copy, letter, recipient)

    real_send_copy, finished = services.send_copy, []

    def counted_send_copy(copy_id):
        try:
            return real_send_copy(copy_id)
        finally:
            finished.append(copy_id)

    monkeypatch.setattr(services, "send_response_copy", slow_send)
    monkeypatch.setattr(services, "send_copy", counted_send_copy)
    kwargs = {"force_id": world.gwent.pk, "copy_id": copy.pk}
    app.send_task("responses.send_copies", kwargs=kwargs)
    assert started.wait(30), "the worker did not start the first delivery"
    app.send_task("responses.send_copies", kwargs=kwargs)  # the redelivery, while the first sends
    assert _wait(lambda: len(finished) == 2), f"both deliveries should have run ({len(finished)} did)"

    assert _wait(lambda: ResponseCopy.objects.get(pk=copy.pk).sent_at is not None)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(RECIPIENTS)
    assert sorted(copy.deliveries.values_list("recipient", flat=True)) == sorted(RECIPIENTS)
    assert sorted(running) == sorted(RECIPIENTS)  # nobody got as far as sending a second time
