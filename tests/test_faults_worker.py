"""A real Celery worker whose pool process is killed mid-task: the task runs again, its effect once.

Needs PostgreSQL (the worker process must see the test database) and Redis; skipped otherwise.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from recommendations.models import ProgressUpdate

from .brokers import reset_pools

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _wait(predicate, seconds: float):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.skipif(
    not (settings.IS_POSTGRES and os.environ.get("REDIS_URL")), reason="needs PostgreSQL and Redis"
)
def test_killed_worker_reruns_the_task_without_doing_it_twice(world, tmp_path):
    from mappa_tracker.celery import app as current_app

    record = world.record(world.gwent)
    db = settings.DATABASES["default"]
    database_url = f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    queue = f"faults-{os.getpid()}"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "mappa_tracker.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": os.environ["REDIS_URL"],
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "mappa_tracker", "worker", "-I", "tests.fault_tasks",
         "-Q", queue, "-c", "1", "--pool", "prefork", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-l", "WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    runs = tmp_path / "runs"
    try:
        conf = current_app.conf
        saved = conf.task_always_eager, conf.broker_url
        conf.task_always_eager, conf.broker_url = False, os.environ["REDIS_URL"]
        reset_pools(current_app)
        try:
            current_app.send_task(
                "tests.import_update",
                kwargs={"force_id": world.gwent.pk, "record_id": record.pk, "external_ref": "w-1",
                        "text": "Imported by a worker.", "runs_file": str(runs)},
                queue=queue,
            )  # fmt: skip
        finally:
            conf.task_always_eager, conf.broker_url = saved
            reset_pools(current_app)
        assert _wait(lambda: (tmp_path / "runs.effect").exists(), 60), "the task never ran"
        first_pid = int(runs.read_text().split()[0])
        os.kill(first_pid, signal.SIGKILL)  # the pool process dies after the effect, before the ack
        assert _wait(lambda: len(runs.read_text().split()) >= 2, 60), "the task was not run again"
        assert int(runs.read_text().split()[1]) != first_pid
        assert ProgressUpdate.objects.filter(record=record, external_ref="w-1").count() == 1
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
