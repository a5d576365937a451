"""The Gwent letter rendered by a real Celery worker over the Redis broker, read back with pypdf.

Needs REDIS_URL (CI sets it, with PostgreSQL). Without it the test is skipped locally and fails in
CI (env CI set), so a broken broker set-up cannot pass unnoticed.
"""

import io
import os
import time
from datetime import date

import pytest
from django.urls import reverse
from pypdf import PdfReader

from mappa_tracker.celery import app
from recommendations.models import Recommendation
from responses.demo import load_seed_responses
from responses.models import LetterRender, Response

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _squash(text: str) -> str:
    """Text without any whitespace: PDF extraction breaks lines wherever the layout did."""
    return "".join(text.split())


@pytest.fixture
def real_worker(settings):
    if not os.environ.get("REDIS_URL"):
        reason = "REDIS_URL is not set: this test needs a Redis broker and a real Celery worker."
        if os.environ.get("CI"):
            pytest.fail(f"{reason} CI must provide one.")
        pytest.skip(reason)
    from celery.contrib.testing.worker import start_worker

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    try:
        app.control.purge()  # leftovers of an interrupted run would name rows that do not exist
        with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        app.conf.task_always_eager = previous


def _wait_for(render_pk, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        render = LetterRender.objects.get(pk=render_pk)
        if render.status in ("done", "failed"):
            return render
        time.sleep(0.25)
    raise AssertionError(
        f"The worker did not finish render {render_pk} in {timeout}s (status {render.status})."
    )


def test_gwent_letter_is_rendered_by_a_real_worker_and_reads_back(
    world, gwent_staff, client_for, real_worker
):
    load_seed_responses(world.inspection, render=False)
    response = Response.objects.get(force=world.gwent, inspection=world.inspection)
    version = response.published_version
    assert version.letter_date == date(2022, 9, 5)
    client = client_for(gwent_staff)
    kwargs = {"force_slug": "gwent", "pk": response.pk}

    started = client.post(reverse("responses:letter-render", kwargs=kwargs))
    assert started.status_code == 303  # the request only queued the job
    render = LetterRender.objects.get(version=version)
    assert render.status in ("queued", "rendering", "done")

    render = _wait_for(render.pk)
    assert render.status == "done", render.error
    assert render.is_current and len(render.sha256) == 64

    status = client.get(reverse("responses:letter-status", kwargs=kwargs)).json()
    assert status["status"] == "done" and status["sha256"] == render.sha256
    download = client.get(status["download_url"])
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)

    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = _squash(text)
    assert _squash("5 September 2022") in flat
    for line in ("The Rt Hon Priti Patel MP", "Home Secretary", "2 Marsham Street", "SW1P 4DF"):
        assert _squash(line) in flat, line
    assert _squash(world.inspection.title) in flat
    for number in (14, 15, 18, 19):
        rec = Recommendation.objects.get(inspection=world.inspection, number=number)
        assert _squash(f"Recommendation {number}: {rec.text}") in flat, number
        answer = version.sections.get(recommendation=rec).text
        assert _squash(answer[:120]) in flat, number
    assert _squash("Jeff Cuthbert") in flat
    assert _squash("Police and Crime Commissioner for Gwent") in flat
    assert "Page 1 of" in text
