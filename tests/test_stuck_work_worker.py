"""A real worker killed with SIGKILL (worker and pool together, as when a container dies) while
applying a 500-row import: nothing is half-written, the stuck-work sweep hands the job to a
second worker, and the rows are applied exactly once within minutes, not after the broker's
visibility timeout.

Needs PostgreSQL (the workers must see the test database) and Redis; skipped otherwise.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from kombu import Connection

from recommendations.models import ProgressUpdate
from spreadsheets.models import ImportJob

from .brokers import reset_pools
from .test_spreadsheets import csv_bytes, last_job, post_progress

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _wait(predicate, seconds: float, every: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


def _held_by_a_worker(job) -> bool:
    try:
        with transaction.atomic():
            list(ImportJob._base_manager.select_for_update(nowait=True).filter(pk=job.pk))
        return False
    except DatabaseError:
        return True


def _listening(queue: str) -> bool:
    """A Celery worker consuming `queue` from Redis has declared its binding there."""
    with Connection(os.environ["REDIS_URL"]) as broker:
        return bool(broker.default_channel.client.exists(f"_kombu.binding.{queue}"))


def _queued(queue: str) -> int:
    with Connection(os.environ["REDIS_URL"]) as broker:
        return broker.default_channel.client.llen(queue)


def _worker(env, queue, log):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mappa_tracker", "worker", "-Q", queue, "-c", "1",
         "--pool", "prefork", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so the whole worker can be killed at once
    )  # fmt: skip


class _RealBroker:
    """Send tasks to Redis from this (eager) test process for the duration of the block."""

    def __enter__(self):
        from mappa_tracker.celery import app as current_app

        self.conf = current_app.conf
        self.saved = self.conf.task_always_eager, self.conf.broker_url
        self.conf.task_always_eager, self.conf.broker_url = False, os.environ["REDIS_URL"]
        reset_pools(current_app)
        return current_app

    def __exit__(self, *exc):
        from mappa_tracker.celery import app as current_app

        self.conf.task_always_eager, self.conf.broker_url = self.saved
        reset_pools(current_app)


@pytest.mark.skipif(
    not (settings.IS_POSTGRES and os.environ.get("REDIS_URL")), reason="needs PostgreSQL and Redis"
)
def test_killed_worker_import_finishes_exactly_once_within_minutes(world, gwent_staff, client_for):
    from spreadsheets.recovery import sweep

    rows = [[str(n), f"Worker step {i} on {n}.", "", ""] for i in range(125) for n in (14, 15, 18, 19)]
    post_progress(
        client_for(gwent_staff), world, world.gwent, "big.csv",
        csv_bytes(["Recommendation", "Progress", "Owner", "Timescale"], rows),
    )  # fmt: skip
    job = last_job()
    assert job.status == ImportJob.Status.PREVIEWED and job.row_count == 500
    before = ProgressUpdate.objects.count()

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "mappa_tracker.settings",
        "DATABASE_URL": f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{connection.settings_dict['NAME']}",
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    # The second worker takes what the sweep re-queues: this test process's default queue (one per
    # xdist worker, so parallel runs never take each other's tasks).
    first_queue, default_queue = f"stuck-{os.getpid()}", settings.CELERY_TASK_DEFAULT_QUEUE
    logs = settings.BASE_DIR / "var" / "test-workers"
    logs.mkdir(parents=True, exist_ok=True)
    first = _worker(env, first_queue, open(logs / "first.log", "w"))  # noqa: SIM115 - the worker's
    second = _worker(env, default_queue, open(logs / "second.log", "w"))  # noqa: SIM115  # ready before the sweep needs it
    try:
        ImportJob._base_manager.filter(pk=job.pk).update(status=ImportJob.Status.APPLYING)
        # Send only once the first worker is listening, on a connection of the test's own: a
        # message published through a pooled connection before the worker was up was once lost.
        assert _wait(lambda: _listening(first_queue), 120), "the first worker never started listening"
        with _RealBroker() as app, Connection(os.environ["REDIS_URL"]) as broker:
            app.send_task(
                "spreadsheets.run_progress_import",
                kwargs={"job_id": job.pk, "commit": True, "force_id": world.gwent.pk},
                queue=first_queue,
                connection=broker,
            )
        assert _wait(lambda: _held_by_a_worker(job), 120), (
            f"the first worker never started the import ({_queued(first_queue)} message(s) still queued)"
        )
        time.sleep(1.0)  # well into applying the rows
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=20)
        assert _wait(lambda: not _held_by_a_worker(job), 30), "the dead worker's lock was not released"
        job.refresh_from_db()
        assert job.status == ImportJob.Status.APPLYING
        assert ProgressUpdate.objects.count() == before, "a dead worker left rows half-written"

        started = time.monotonic()

        def beat_until_done():
            with _RealBroker():
                sweep()  # what beat runs every minute (here every two seconds)
            job.refresh_from_db()
            return job.status == ImportJob.Status.APPLIED

        # Beat's default is 180 s; 6 s keeps the test short while leaving the second worker, which
        # is already listening, time to take the re-queued job (and lock its row, which the sweep
        # then skips) before the next sweep would count it as lost again.
        with override_settings(STUCK_WORK_AFTER_SECONDS=6):
            assert _wait(beat_until_done, 600, every=2), f"not finished: {job.status} {job.error}"
        took = time.monotonic() - started
        assert ProgressUpdate.objects.count() == before + 500, "rows were applied more or less than once"
        assert job.requeues == 1 and "started again" in job.recovery_note
        print(f"\nkilled worker's import finished by another worker {took:.1f} s after the kill")
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
