"""Exactly once under pressure: two sweeps at once, a worker dying mid-sweep, a real Celery worker."""

import os
import threading
import time
from datetime import date
from unittest import mock

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import OperationalError, connection

import reminders.tasks  # noqa: F401  (registers reminders.sweep on every Celery app)
from recommendations.models import Owner
from reminders import services
from reminders.models import ReminderSent

DUE = date(2023, 7, 14)


@pytest.fixture
def due_world(world, settings, gwent_staff, gwent_chief, dyfed_staff, dyfed_chief):
    settings.REMINDER_STALE_AFTER_DAYS = 0
    for force in (world.gwent, world.dyfed):
        owner = Owner.objects.create(force=force, name="Owner", email=f"owner@{force.slug}.example")
        world.record(force, 14).owners.add(owner)
    return world


def _assert_each_reminder_sent_once():
    # A bilingual digest lists each item in Welsh and again in English: count the first language.
    bodies = [(m.to[0], m.body.split("\n---\n")[0]) for m in mail.outbox]
    seen = [(to, line) for to, body in bodies for line in body.splitlines() if line.startswith("* ")]
    assert len(seen) == len(set(seen)), "a recipient got the same item twice"
    assert len(seen) == ReminderSent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_nothing_twice(due_world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL's row locks")
    barrier = threading.Barrier(2, timeout=20)
    real_plan = services.plan_sweep

    def plan_then_wait(today):
        plan = real_plan(today)
        barrier.wait()  # both sweeps have decided before either claims anything
        return plan

    results, errors = [], []

    def run():
        try:
            results.append(services.sweep(DUE))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    with mock.patch.object(services, "plan_sweep", plan_then_wait):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors
    assert [r.planned for r in results] == [results[0].planned] * 2
    assert sum(r.sent for r in results) == results[0].planned
    assert len(mail.outbox) == len(set(m.to[0] for m in mail.outbox))
    _assert_each_reminder_sent_once()


@pytest.mark.django_db
def test_a_worker_dying_mid_sweep_then_retrying_sends_the_rest_once(due_world):
    from reminders import emails

    real = emails.send_reminder_digest
    calls = []

    def die_on_second(digest, lines, today):
        calls.append(digest.email)
        if len(calls) == 2:
            raise SystemExit("worker killed")  # not an Exception: the sweep does not catch it
        return real(digest, lines, today)

    with mock.patch.object(emails, "send_reminder_digest", die_on_second), pytest.raises(SystemExit):
        services.sweep(DUE)
    assert len(mail.outbox) == 1
    first = mail.outbox[0].to[0]
    assert set(ReminderSent.objects.values_list("recipient", flat=True)) == {first}
    result = services.sweep(DUE)  # the task is redelivered (acks late) and runs again
    assert first not in [m.to[0] for m in mail.outbox[1:]]
    assert result.emails == len(mail.outbox) - 1
    _assert_each_reminder_sent_once()


def _worker_app(broker_url: str, **transport) -> Celery:
    app = Celery("reminders-test", set_as_current=False)
    app.conf.update(
        broker_url=broker_url,
        broker_transport_options=transport,
        task_always_eager=False,
        task_acks_late=True,
        task_ignore_result=True,
        result_backend=None,
        worker_hijack_root_logger=False,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=settings.CELERY_TASK_DEFAULT_QUEUE,  # one queue per xdist worker
    )
    return app


def _wait_for(predicate, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OperationalError:
            # The embedded default's in-memory test database locks a table while the worker's
            # thread writes to it ("database table is locked"): look again a moment later.
            pass
        time.sleep(0.2)
    return False


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_beat_entry_runs_on_a_worker_with_the_file_system_broker_and_mail_goes_to_files(
    due_world, settings, tmp_path
):
    """The embedded default: no Redis, a broker on disk, e-mails written as files."""
    for sub in ("queue", "processed", "control"):
        (tmp_path / sub).mkdir()
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    app = _worker_app(
        "filesystem://",
        data_folder_in=str(tmp_path / "queue"),
        data_folder_out=str(tmp_path / "queue"),
        processed_folder=str(tmp_path / "processed"),
        control_folder=str(tmp_path / "control"),
    )
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-sweep"]
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        app.send_task(entry["task"], kwargs=entry.get("kwargs", {}))  # what beat does
        assert _wait_for(lambda: ReminderSent.objects.exists()), "the worker never ran the sweep"
        assert _wait_for(lambda: (tmp_path / "mail").exists() and any((tmp_path / "mail").iterdir()))
    mails = "".join(p.read_text() for p in (tmp_path / "mail").iterdir())
    assert "Gwent Police: Recommendation 14" in mails


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_sweep_from_the_redis_broker_once(due_world):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL")
        pytest.skip("needs REDIS_URL")
    app = _worker_app(redis_url, visibility_timeout=3600)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20):
        app.send_task("reminders.sweep", kwargs={"date": DUE.isoformat()})
        app.send_task("reminders.sweep", kwargs={"date": DUE.isoformat()})  # beat firing twice
        assert _wait_for(lambda: ReminderSent.objects.exists())
        time.sleep(2)
    assert ReminderSent.objects.filter(milestone="due").count() == ReminderSent.objects.count() > 0
    _assert_each_reminder_sent_once()
