"""Dates that make sense: publication and progress dates inside their window, everywhere.

Publication: on or after the report's publication and the chief officer's sign-off, not in the
future. Progress updates: between the report's publication and today. Pages, the API and the
import all answer with a clear error and save nothing.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from recommendations.models import ProgressUpdate
from recommendations.services import add_progress_update
from responses import services
from responses.models import Response

from .test_api import api, updates_url
from .test_responses import _to_signed
from .test_spreadsheets import csv_bytes, last_job, post_progress


@pytest.fixture
def gwent_response(world, gwent_staff):
    return services.start_response(world.gwent, world.inspection, user=gwent_staff)


@pytest.mark.parametrize(
    "published_on, message",
    [
        (date(2001, 1, 1), "when the report was published"),
        (date(9999, 12, 31), "today or in the past"),
        (date(2022, 9, 5), "when the chief officer signed off"),  # after the report, before sign-off
    ],
)
def test_publication_outside_its_window_is_refused(
    published_on, message, gwent_staff, gwent_chief, gwent_response
):
    response = _to_signed(gwent_response, gwent_staff, gwent_chief)
    with pytest.raises(ValidationError, match=message):
        services.publish(response, user=gwent_staff, published_on=published_on)
    response.refresh_from_db()
    assert response.status == Response.Status.SIGNED_OFF and response.published_on is None


def test_publication_today_is_accepted(gwent_staff, gwent_chief, gwent_response):
    response = _to_signed(gwent_response, gwent_staff, gwent_chief)
    services.publish(response, user=gwent_staff, published_on=timezone.localdate())
    response.refresh_from_db()
    assert response.status == Response.Status.PUBLISHED


def test_publish_page_shows_the_date_error(gwent_staff, gwent_chief, gwent_response, client_for):
    response = _to_signed(gwent_response, gwent_staff, gwent_chief)
    page = client_for(gwent_staff).post(
        reverse("responses:publish", kwargs={"force_slug": "gwent", "pk": response.pk}),
        {"published_on": "2001-01-01"},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "There is a problem" in text and "when the report was published" in text
    response.refresh_from_db()
    assert not response.is_published


@pytest.mark.parametrize("dated", [date(9999, 12, 31), date(1, 1, 1), date(2022, 7, 13)])
def test_progress_update_outside_its_window_is_refused_by_the_service(world, gwent_staff, dated):
    record = world.record(world.gwent)
    before = ProgressUpdate.objects.count()
    with pytest.raises(ValidationError) as error:
        add_progress_update(record, author=gwent_staff, text="Step.", dated=dated)
    assert "dated" in error.value.message_dict
    assert ProgressUpdate.objects.count() == before


def test_progress_update_on_the_report_day_and_today_are_accepted(world, gwent_staff):
    record = world.record(world.gwent)
    add_progress_update(record, author=gwent_staff, text="Report day.", dated=date(2022, 7, 14))
    add_progress_update(record, author=gwent_staff, text="Today.", dated=timezone.localdate())


@pytest.mark.parametrize(
    "dated", ["9999-12-31", "0001-01-01", (timezone.localdate() + timedelta(days=1)).isoformat()]
)
def test_api_refuses_an_update_outside_its_window(world, gwent_staff, client_for, dated):
    record = world.record(world.gwent)
    before = ProgressUpdate.objects.count()
    response = api(
        client_for(gwent_staff),
        "post",
        updates_url(world.gwent, record),
        {"text": "x", "expected_version": record.version, "dated": dated},
    )
    assert response.status_code == 400, response.content
    assert "dated" in response.json()
    assert ProgressUpdate.objects.count() == before


def test_import_refuses_a_row_dated_outside_its_window(world, gwent_staff, client_for):
    data = csv_bytes(
        ["Recommendation", "Progress", "Date"],
        [["14", "Far future.", "31/12/9999"], ["15", "Long ago.", "01/01/2001"]],
    )
    before = ProgressUpdate.objects.count()
    post_progress(client_for(gwent_staff), world, world.gwent, "dates.csv", data)
    job = last_job()
    errors = " ".join(e for row in job.result["rows"] for e in row["errors"])
    assert "today or in the past" in errors and "when the report was published" in errors
    assert ProgressUpdate.objects.count() == before
