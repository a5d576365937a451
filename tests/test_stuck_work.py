"""The stuck-work sweep: a job or render no live worker holds is queued again once, then failed
with a retry button; the job page says what happened."""

from datetime import timedelta

import pytest
from django.utils import timezone

from outbox.models import OutboxTask
from spreadsheets import services
from spreadsheets.models import ImportJob
from spreadsheets.recovery import sweep, sweep_imports, sweep_renders

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
