"""Rows of the force lists are drawn once and then read from the cache, and never outlive what they show.

The key of a row is everything the row could show (frontend.rowcache), so a change through any
door, a new owner, the next day or another language draws that row again, and only that row.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontend.rowcache import fingerprint, render_rows
from recommendations import services
from recommendations.models import Record
from tests.test_one_writer import DOORS

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

OVERVIEW_ROW = "recommendations/includes/overview_row.html"
RECORD_ROW = "recommendations/includes/record_row.html"
INSPECTION_ROW = "recommendations/includes/inspection_row.html"
PAGES = {
    "/forces/gwent/": OVERVIEW_ROW,
    "/forces/gwent/records/": RECORD_ROW,
    "/forces/gwent/inspections/": INSPECTION_ROW,
}


@pytest.fixture(autouse=True)
def _own_cache(own_cache):
    """Each test starts with no rows stored."""


def _main(response) -> str:
    """The page's main content (the head's nonces and the form's CSRF token differ each time)."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def _rows_drawn(response, row_template) -> int:
    return sum(1 for template in response.templates if template.name == row_template)


@pytest.mark.parametrize("url", PAGES)
def test_a_repeat_read_draws_no_row_and_shows_the_same_page(client_for, gwent_staff, url):
    client = client_for(gwent_staff)
    first = client.get(url)
    assert first.status_code == 200
    assert _rows_drawn(first, PAGES[url]) > 0
    second = client.get(url)
    assert _rows_drawn(second, PAGES[url]) == 0
    assert _main(second) == _main(first)


@pytest.mark.parametrize("door", sorted(DOORS))
def test_a_change_through_any_door_draws_that_row_again_and_only_that_row(
    client_for, gwent_staff, world, door
):
    client = client_for(gwent_staff)
    record = world.record(world.gwent, 18)
    for url in ("/forces/gwent/", "/forces/gwent/records/"):
        client.get(url)
    text = f"Training booked through the {door} for every MAPPA coordinator."
    response = DOORS[door](client, world, record, text=text)
    assert response.status_code in (200, 201, 302), response.content[:500]
    assert record.updates.filter(text=text).exists()
    for url in ("/forces/gwent/", "/forces/gwent/records/"):
        page = client.get(url)
        assert _rows_drawn(page, PAGES[url]) == 1, url
        assert "Training booked through the" in page.content.decode()


def test_a_new_owner_the_next_day_and_welsh_each_draw_the_rows_again(client_for, gwent_staff, world):
    client = client_for(gwent_staff)
    record = world.record(world.gwent)
    client.get("/forces/gwent/records/")

    owner = services.save_owner(world.gwent, acting_user=gwent_staff, name="Superintendent Ada Byron")
    services.set_record_owners(
        record, owners=[owner], acting_user=gwent_staff, expected_version=record.version
    )
    page = client.get("/forces/gwent/records/")
    assert _rows_drawn(page, RECORD_ROW) == 1
    assert "Superintendent Ada Byron" in page.content.decode()

    with time_machine.travel(timezone.now() + timedelta(days=1)):
        client.force_login(gwent_staff)  # a session ends an hour after its last use
        assert _rows_drawn(client.get("/forces/gwent/records/"), RECORD_ROW) > 1
    client.force_login(gwent_staff)

    client.get("/language/cy/?next=/forces/gwent/records/")
    welsh = client.get("/forces/gwent/records/")
    assert _rows_drawn(welsh, RECORD_ROW) > 1
    assert 'lang="cy"' in welsh.content.decode()


def test_another_force_never_gets_a_row_of_this_one(client_for, gwent_staff, dyfed_staff):
    """The page's force is part of every key: the same record numbers of two forces are two rows."""
    gwent = client_for(gwent_staff).get("/forces/gwent/records/").content.decode()
    dyfed = client_for(dyfed_staff).get("/forces/dyfed-powys/records/").content.decode()
    assert "/forces/gwent/records/" in gwent and "/forces/dyfed-powys/records/" not in gwent
    assert "/forces/dyfed-powys/records/" in dyfed and "/forces/gwent/records/" not in dyfed


def test_the_key_reads_no_deferred_field_and_runs_no_query(world):
    record = (
        Record.objects.defer("status").select_related("recommendation").get(pk=world.record(world.gwent).pk)
    )
    with CaptureQueriesContext(connection) as queries:
        print_ = fingerprint(record)
    assert len(queries) == 0
    assert "status" not in record.__dict__
    assert print_[0] == "recommendations.Record"


def test_a_dict_is_keyed_without_reading_its_values_reprs(world):
    """A dict's items are put in order by their keys: the repr of a value (a model whose __str__
    reads a related row, as a letter's does) would run a query for every row of a page."""
    record = Record.objects.get(pk=world.record(world.gwent).pk)  # __str__ reads its recommendation
    with CaptureQueriesContext(connection) as queries:
        print_ = fingerprint({"record": record, "count": 3})
    assert len(queries) == 0
    assert [key for key, _value in print_] == ["count", "record"]


def test_rows_with_the_same_content_share_a_key_and_different_content_does_not(world):
    record = Record.objects.select_related("recommendation").get(pk=world.record(world.gwent).pk)
    same = Record.objects.select_related("recommendation").get(pk=record.pk)
    assert fingerprint(record) == fingerprint(same)
    same.status = (
        Record.Status.COMPLETE if record.status != Record.Status.COMPLETE else Record.Status.IN_PROGRESS
    )
    assert fingerprint(record) != fingerprint(same)
    same.status = record.status
    same.recommendation.text += " (corrected)"
    assert fingerprint(record) != fingerprint(same)
    same.recommendation.text = record.recommendation.text
    same.days_left = 3  # a value the view sets for the template is part of the key too
    assert fingerprint(record) != fingerprint(same)


def test_no_items_render_nothing():
    assert render_rows(RECORD_ROW, []) == ""


def test_dataclass_rows_are_keyed_on_every_field_and_anything_else_is_refused():
    from dataclasses import dataclass

    @dataclass
    class Row:
        label: str
        cells: list

    assert fingerprint(Row("a", [1, None])) == fingerprint(Row("a", [1, None]))
    assert fingerprint(Row("a", [1, None])) != fingerprint(Row("a", [2, None]))
    with pytest.raises(TypeError):
        fingerprint(object())


def test_the_dashboard_draws_only_the_row_of_the_force_that_changed(client_for, national, gwent_staff, world):
    client = client_for(national)
    url = f"/national/?inspection={world.inspection.pk}"
    first = client.get(url)
    assert _rows_drawn(first, "national/_dashboard_row.html") > 1
    assert _rows_drawn(client.get(url), "national/_dashboard_row.html") == 0
    record = world.record(world.gwent, 18)
    status = sorted(services.allowed_statuses(record, gwent_staff) - {record.status})[0]
    response = DOORS["page"](
        client_for(gwent_staff), world, record, text="Refresher training.", status=status
    )
    assert response.status_code == 302
    again = client.get(url)
    assert _rows_drawn(again, "national/_dashboard_row.html") == 1
    assert _main(again) != _main(first)
