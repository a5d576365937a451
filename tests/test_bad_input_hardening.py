"""Inputs that used to answer 500 now answer a clear 400 or form error, and nothing is saved."""

import json

import pytest
from django.urls import reverse

from recommendations.models import Owner
from spreadsheets.formulas import escape_formula as escape
from spreadsheets.formulas import unescape_formula as unescape
from spreadsheets.reading import short_name

from .test_api import api, updates_url
from .test_spreadsheets import csv_bytes, last_job, post_progress

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


@pytest.mark.parametrize("value", ["²", "9²", "٣", "１"])
def test_reminder_days_with_unicode_digits_is_a_form_error(value, world, gwent_staff, client_for):
    url = reverse("reminders:force-settings", kwargs={"force_slug": "gwent"})
    response = client_for(gwent_staff).post(url, {"days_before_due": value})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize("since", ["2023-02-30", "2023-13-01", "yesterday"])
def test_audit_export_with_an_impossible_date_is_a_400_with_the_error(since, national, client_for):
    response = client_for(national).get("/audit/export/", {"download": "1", "since": since})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page and "Enter a real date" in page


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [40, 1000, 100_000])
def test_deeply_nested_json_is_a_400(depth, world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    record = world.record(world.gwent)
    before = Owner.objects.count()
    for url in ("/api/forces/gwent/owners/", updates_url(world.gwent, record)):
        response = api(client, "post", url, '{"name": ' + _deep(depth) + "}")
        assert response.status_code == 400, (url, response.status_code)
        assert "nested too deeply" in response.json()["detail"]
    assert Owner.objects.count() == before


def test_ordinary_nesting_still_parses(world, gwent_staff, client_for):
    response = api(
        client_for(gwent_staff),
        "post",
        "/api/forces/gwent/owners/",
        {"name": "A. Person", "role_title": "Head"},
    )
    assert response.status_code == 201


def test_role_title_must_be_text(world, gwent_staff, client_for):
    before = Owner.objects.count()
    response = api(
        client_for(gwent_staff), "post", "/api/forces/gwent/owners/", {"name": "A. Person", "role_title": 0}
    )
    assert response.status_code == 400 and "role_title" in response.json()
    assert Owner.objects.count() == before


def test_schema_allows_blank_status_after():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    update = schema["components"]["schemas"]["ProgressUpdate"]["properties"]["status_after"]
    text = json.dumps(update)
    assert "BlankEnum" in text or '""' in text, update


def test_search_with_a_nul_character_answers(world, national, client_for):
    response = client_for(national).get("/national/search/", {"q": "\x00"})
    assert response.status_code == 200
    response = client_for(national).get("/national/search/", {"q": "MAPPA\x00panel"})
    assert response.status_code == 200


def test_long_import_file_name_keeps_its_extension(world, gwent_staff, client_for, settings):
    settings.SPREADSHEET_ASYNC_ROWS = 1000
    name = "x" * 240 + ".csv"
    assert short_name(name).endswith(".csv") and len(short_name(name)) == 200
    data = csv_bytes(["Recommendation", "Progress"], [["14", "Step one."]])
    client = client_for(gwent_staff)
    post_progress(client, world, world.gwent, name, data)
    job = last_job()
    assert job.original_name.endswith(".csv") and job.status == "previewed"
    client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == "applied", job.error


@pytest.mark.parametrize("text", ["＝SUM(A1)", "＋1", "－1", "＠cmd", "=1", "+1"])
def test_full_width_formula_starts_are_escaped(text):
    assert escape(text) == "'" + text
    assert unescape(escape(text)) == text
    assert escape("Plain text") == "Plain text"


@pytest.mark.parametrize("owner_id", ["99999999999999999999", "-1", "１", "1e3"])
def test_owner_choice_with_an_impossible_id_is_a_form_error(owner_id, world, gwent_staff, client_for):
    """Found by the form fuzz: a posted id too large for the database column was a 500."""
    record = world.record(world.gwent)
    url = reverse("recommendations:record-owners", kwargs={"force_slug": "gwent", "pk": record.pk})
    response = client_for(gwent_staff).post(url, {"owners": [owner_id], "version": record.version})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_a_form_posted_without_its_version_is_refused(world, gwent_staff, client_for):
    """The stale-form check cannot be skipped by leaving the hidden version out."""
    from recommendations.models import ProgressUpdate

    record = world.record(world.gwent)
    before = ProgressUpdate.objects.count()
    url = reverse("recommendations:update-create", kwargs={"force_slug": "gwent", "pk": record.pk})
    response = client_for(gwent_staff).post(url, {"text": "No version."})
    assert response.status_code == 200
    assert "This form is out of date or incomplete" in response.content.decode()
    assert ProgressUpdate.objects.count() == before
