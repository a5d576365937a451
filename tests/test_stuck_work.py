"""The stuck-work sweep: a job or render no live worker holds is queued again once, then failed
with a retry button; the job page says what happened."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outbox.models import OutboxTask
from responses.services import recover_stopped_renders as sweep_renders
from spreadsheets import services
from spreadsheets.models import ImportJob
from spreadsheets.recovery import sweep
from spreadsheets.services import recover_stopped_jobs as sweep_imports

from .test_spreadsheets import csv_bytes, last_job, post_progress

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


@pytest.fixture
def previewed_job(world, gwent_staff, client_for):
    data = csv_bytes(["Recommendation", "Progress"], [["14", "Step one."], ["15", "Step two."]])
    post_progress(client_for(gwent_staff), world, world.gwent, "small.csv", data)
    job = last_job()
    assert job.status == ImportJob.Status.PREVIEWED
    return job


def _strand(job, status, minutes=10):
    """What a worker killed mid-task leaves: the job running on paper, unchanged for a while."""
    ImportJob._base_manager.filter(pk=job.pk).update(
        status=status, updated_at=timezone.now() - timedelta(minutes=minutes)
    )
    job.refresh_from_db()


def test_a_stranded_job_is_queued_again_once_then_failed_with_a_retry(
    previewed_job, gwent_staff, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    job = previewed_job
    _strand(job, ImportJob.Status.APPLYING)
    sent = []
    monkeypatch.setattr("outbox.services.send", lambda pk: sent.append(pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_imports() == {"requeued": 1, "failed": 0}
        assert sweep_imports() == {"requeued": 0, "failed": 0}  # just re-queued: not stale yet
    job.refresh_from_db()
    assert job.requeues == 1 and job.status == ImportJob.Status.APPLYING
    task = OutboxTask.objects.filter(task_name="spreadsheets.run_progress_import").latest("pk")
    assert task.kwargs == {"job_id": job.pk, "commit": True, "force_id": job.force_id}
    page = client_for(gwent_staff).get(job.get_absolute_url()).content.decode()
    assert "stopped before it finished, so the file was started again" in page

    _strand(job, ImportJob.Status.APPLYING)
    assert sweep_imports() == {"requeued": 0, "failed": 1}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.can_retry
    page = client_for(gwent_staff).get(job.get_absolute_url()).content.decode()
    assert "stopped twice" in page and "Try again" in page

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(gwent_staff).post(job.get_absolute_url(), {"action": "retry"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED and job.requeues == 0


def test_a_job_run_twice_applies_its_rows_once(previewed_job):
    from recommendations.models import ProgressUpdate

    job = previewed_job
    ImportJob._base_manager.filter(pk=job.pk).update(status=ImportJob.Status.APPLYING)
    before = ProgressUpdate.objects.count()
    services.run_once(job, commit=True)
    services.run_once(job, commit=True)  # the redelivered message, or the sweep's re-queue
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert ProgressUpdate.objects.count() == before + 2


def test_a_fresh_running_job_is_left_alone(previewed_job):
    _strand(previewed_job, ImportJob.Status.APPLYING, minutes=0)
    assert sweep()["imports"] == {"requeued": 0, "failed": 0}


def test_a_stranded_render_is_rendered_again_once(world, gwent_staff, monkeypatch):
    from responses import services as responses
    from responses.models import LetterRender

    response = responses.start_response(world.gwent, world.inspection, user=gwent_staff)
    render = LetterRender.objects.create(force=world.gwent, version=response.current_version)
    old = timezone.now() - timedelta(minutes=10)
    LetterRender.objects.filter(pk=render.pk).update(status="rendering", started_at=old, created_at=old)
    queued = []
    monkeypatch.setattr("outbox.services.send", lambda pk: queued.append(pk))
    assert sweep_renders() == {"requeued": 1, "failed": 0}
    render.refresh_from_db()
    assert render.status == LetterRender.Status.FAILED
    again = LetterRender.objects.exclude(pk=render.pk).get(version=response.current_version)
    LetterRender.objects.filter(pk=again.pk).update(status="rendering", started_at=old, created_at=old)
    assert sweep_renders() == {"requeued": 0, "failed": 1}
    assert not LetterRender.objects.filter(status__in=["queued", "rendering"]).exists()


def test_the_sweep_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["stuck-work-sweep"]
    assert entry["task"] == "spreadsheets.requeue_stuck_work" and entry["schedule"] <= 120
    assert settings.STUCK_WORK_AFTER_SECONDS <= 300


# Nothing is handed to a second worker while the first may still be running it. ----------------


def _registered_tasks():
    from mappa_tracker.celery import app

    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith(("celery.", "tests."))}


def test_visibility_timeout_exceeds_every_registered_tasks_hard_time_limit(settings):
    from mappa_tracker.celery import app

    tasks = _registered_tasks()
    assert {"history.read_batch", "responses.render_letter", "national.render_pack"} <= set(tasks)
    for name, task in tasks.items():
        limit = task.time_limit or app.conf.task_time_limit
        assert limit, f"{name} has no hard time limit"
        assert limit < settings.CELERY_VISIBILITY_TIMEOUT, f"{name} may run {limit} s"
    # The renders have their own limits, below the default.
    for name, soft, hard in (
        (
            "responses.render_letter",
            settings.LETTER_RENDER_SOFT_TIME_LIMIT,
            settings.LETTER_RENDER_TIME_LIMIT,
        ),
        ("national.render_pack", settings.NATIONAL_PACK_SOFT_TIME_LIMIT, settings.NATIONAL_PACK_TIME_LIMIT),
    ):
        assert (tasks[name].soft_time_limit, tasks[name].time_limit) == (soft, hard)
        assert soft < hard


def _settings_with(env: dict) -> tuple[int, str]:
    import os
    import subprocess
    import sys

    from django.conf import settings

    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'mappa_tracker.settings'\n"
        "from django.conf import settings\n"
        "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS.get('visibility_timeout'))\n"
    )
    result = subprocess.run(  # noqa: S603 - this interpreter on a fixed snippet
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SECRET_KEY": "x" * 50, **env},
    )
    return result.returncode, result.stdout.strip() + result.stderr[-500:]


def test_redis_visibility_timeout_is_derived_from_the_longest_task_and_refused_if_shorter():
    code, out = _settings_with(
        {"REDIS_URL": "redis://127.0.0.1:6379/9", "HISTORY_BATCH_SOFT_TIME_LIMIT": "1200"}
    )
    assert code == 0, out
    assert int(out.split()[0]) > 1260  # the history batch's hard limit
    code, out = _settings_with({"REDIS_URL": "redis://127.0.0.1:6379/9", "CELERY_VISIBILITY_TIMEOUT": "900"})
    assert code != 0 and "must be longer than the longest task time limit (1260 s)" in out


def test_a_batch_being_read_by_another_worker_is_not_read_again(world, admin_user, monkeypatch):
    """Two workers given the same message: the one that did not claim the batch reads nothing."""
    from history import batch as batch_reading
    from history import services as history
    from history.models import DocumentBatch

    batch = DocumentBatch.objects.create(
        inspection=world.inspection,
        uploaded_by=admin_user,
        file="batches/x.zip",
        size=10,
        status=DocumentBatch.Status.READING,
    )
    monkeypatch.setattr(batch_reading, "letters_in_zip", lambda data: pytest.fail("read twice"))
    monkeypatch.setattr(history.evidence, "evidence_storage", lambda: pytest.fail("opened twice"))
    assert history.run_batch(batch.pk).status == DocumentBatch.Status.READING


def test_a_render_the_sweep_failed_meanwhile_is_not_overwritten(world, gwent_staff, monkeypatch, settings):
    from responses import letters
    from responses import services as responses
    from responses.models import LetterRender

    response = responses.start_response(world.gwent, world.inspection, user=gwent_staff)
    render = LetterRender.objects.create(force=world.gwent, version=response.current_version)

    def slow_render(version):
        # While WeasyPrint ran, the sweep judged the worker dead, failed this render and queued another.
        LetterRender.objects.filter(pk=render.pk).update(status="failed", error="[stopped] swept")
        return b"%PDF-1.7 late"

    monkeypatch.setattr(letters, "render_pdf_for_version", slow_render)
    finished = responses.run_render(render.pk)
    assert (finished.status, finished.error, finished.file, finished.is_current) == (
        "failed",
        "[stopped] swept",
        "",
        False,
    )
    assert not list((settings.MEDIA_ROOT / "letters").rglob(f"*-{render.pk}.pdf"))


def test_a_stranded_pack_render_is_marked_failed_and_never_finished_later(world, monkeypatch):
    from national import pack_documents
    from national.models import PackRender
    from national.services import run_pack_render

    old = timezone.now() - timedelta(minutes=30)
    stranded = PackRender.objects.create(quarter="2024-Q1", status=PackRender.Status.RENDERING)
    queued = PackRender.objects.create(quarter="2024-Q1")
    fresh = PackRender.objects.create(quarter="2024-Q1", status=PackRender.Status.RENDERING)
    PackRender.objects.filter(pk__in=[stranded.pk, queued.pk]).update(created_at=old)
    assert sweep()["packs"] == 2
    statuses = dict(PackRender.objects.values_list("pk", "status"))
    assert (statuses[stranded.pk], statuses[queued.pk], statuses[fresh.pk]) == (
        "failed",
        "failed",
        "rendering",
    )
    # The swept render's message, delivered late, makes nothing: asking again is a new render.
    monkeypatch.setattr(pack_documents, "pack_pdf", lambda pack: pytest.fail("rendered a failed pack"))
    assert run_pack_render(queued.pk).status == PackRender.Status.FAILED
