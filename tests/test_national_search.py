"""Search that finds (full text on both databases), the dashboard's sort and Excel-ready exports."""

import csv
import io
from datetime import date
from urllib.parse import urlencode

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from national.search import parse
from national.views import SEARCH_EXAMPLES
from recommendations.services import add_progress_update
from tests.test_national import SEED_NAMES, publish_responses

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


@pytest.fixture
def demo(db):
    """The demo data exactly as `load_demo` loads it: 43 forces and the five published seed responses."""
    call_command("load_demo", "--no-users", verbosity=0)


def _search(client, **params):
    return client.get(reverse("national:search"), params)


@pytest.mark.parametrize("example", SEARCH_EXAMPLES)
def test_the_pages_own_examples_find_the_seed_answers_in_the_demo_data(demo, national, client_for, example):
    client = client_for(national)
    page = client.get(reverse("national:search")).content.decode()
    assert f"?q={example.replace(' ', '%20').replace(chr(34), '%22')}" in page
    results = _search(client, q=example).context["results"]
    assert results.counts["updates"] > 0, example
    assert results.counts["responses"] > 0, example
    assert "<mark>" in str(results.hits[0].headline)


def test_matches_are_highlighted_and_stemmed_and_left_out_words_are_left_out(world, national, client_for):
    client = client_for(national)
    results = _search(client, q="trained").context["results"]  # stems to "train", as "training"
    assert results.total > 0
    assert all("<mark>" in str(hit.headline) for hit in results.hits)
    with_probation = _search(client, q="training").context["results"].total
    without = _search(client, q="training -probation").context["results"]
    assert 0 < without.total <= with_probation
    assert all("probation" not in hit.obj.text.lower() for hit in without.hits)


def test_highlights_cannot_inject_markup(world, national, gwent_staff, client_for):
    record = world.record(world.gwent, 14)
    add_progress_update(record, author=gwent_staff, text="<script>alert(1)</script> zebraword here")
    html = _search(client_for(national), q="zebraword").content.decode()
    assert "<script>alert(1)</script>" not in html
    # SQLite escapes the tag; PostgreSQL's ts_headline drops tags from excerpts: neither runs it.
    assert "<mark>zebraword</mark>" in html


def test_filters_narrow_to_a_force_a_recommendation_and_dates(world, national, client_for):
    client = client_for(national)
    everyone = _search(client, q="training").context["results"]
    gwent = _search(client, q="training", force="gwent").context["results"]
    assert 0 < gwent.total < everyone.total
    assert {hit.obj.force.slug for hit in gwent.hits} == {"gwent"}
    rec = world.record(world.gwent, 18).recommendation
    only_18 = _search(client, q="training", recommendation=rec.pk).context["results"]
    assert {hit.obj.record.recommendation_id for hit in only_18.hits} <= {rec.pk}
    inspection = _search(client, q="training", inspection=world.inspection.pk).context["results"]
    assert inspection.total == everyone.total
    none = _search(client, q="training", date_to="2000-01-01").context["results"]
    assert none.total == 0


def test_pagination_pages_through_every_match(world, national, gwent_staff, client_for):
    record = world.record(world.gwent, 14)
    for n in range(45):
        add_progress_update(record, author=gwent_staff, text=f"Quokka note {n}.", dated=date(2023, 1, 1))
    client = client_for(national)
    first = _search(client, q="quokka").context["results"]
    assert (first.total, first.pages, len(first.hits)) == (45, 3, 20)
    third = _search(client, q="quokka", page=3).context["results"]
    assert len(third.hits) == 5
    seen = {h.obj.pk for p in (1, 2, 3) for h in _search(client, q="quokka", page=p).context["results"].hits}
    assert len(seen) == 45
    html = _search(client, q="quokka", page=2).content.decode()
    assert 'class="govuk-pagination"' in html and 'aria-current="page"' in html


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"q": "training " + "x" * 1000}, "first 200 characters"),
        ({"q": "&|!:* ()<>"}, "no words that can be looked for"),
        ({"q": "the and of"}, "no words that can be looked for"),
        ({"q": "-training"}, "no words that can be looked for"),
        ({"q": "train\x00ing"}, None),
        ({"q": "training", "page": "999"}, "There is no page 999"),
        ({"q": "training", "page": "abc"}, "page number makes no sense"),
        ({"q": "training", "force": "atlantis"}, "Select a valid choice"),
        ({"q": "training", "date_from": "2023-13-45"}, "Enter a valid date"),
        ({"q": "training", "date_from": "2024-01-01", "date_to": "2023-01-01"}, "on or after the start"),
        ({"q": '"unclosed phrase'}, None),
    ],
)
def test_bad_search_input_gives_a_normal_page_with_a_message(world, national, client_for, params, note):
    response = _search(client_for(national), **params)
    assert response.status_code == 200
    if note:
        assert note in response.content.decode()


def test_search_query_parser_keeps_phrases_negation_and_or():
    parsed = parse('Training "domestic abuse" -probation or ViSOR the')
    assert parsed.websearch() == 'training "domestic abuse" -probation or visor'
    assert parsed.fts5() == '("training" AND "domestic abuse" OR "visor") NOT "probation"'
    assert not parse("the of and").searchable
    assert not parse("-only").searchable


def test_search_export_has_the_matches_with_dates_as_dates(world, national, client_for):
    client = client_for(national)
    response = client.get(reverse("national:search-export", kwargs={"fmt": "xlsx"}), {"q": "training"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book["Search results"]
    rows = list(sheet.values)
    assert rows[0][:4] == ("Force", "Inspection", "Recommendation", "Dated")
    assert len(rows) - 1 == _search(client, q="training").context["results"].total
    assert rows[0][4] == "Date not known"
    # Every cell with a date holds a real date; an undated answer ("date not known") has an empty
    # cell, never a made-up date, and its row says the date is not known.
    assert any(r[3] is not None for r in rows[1:])
    assert any(r[3] is None for r in rows[1:])  # Staffordshire's undated answers
    for r in rows[1:]:
        if r[3] is None:
            assert r[4] == "Yes", r
        else:
            assert isinstance(r[3], date) and r[4] == "No", r


def _dashboard(client, world, **params):
    return client.get(
        reverse("national:dashboard") + "?" + urlencode({"inspection": world.inspection.pk, **params})
    )


def test_dashboard_sorts_by_any_column_and_keeps_the_sort_in_links_and_exports(world, national, client_for):
    publish_responses(world)
    client = client_for(national)
    names = lambda r: [row.force.name for row in r.context["dashboard"].rows]  # noqa: E731
    assert names(_dashboard(client, world)) == list(SEED_NAMES)
    assert names(_dashboard(client, world, sort="-force")) == list(reversed(SEED_NAMES))
    late = names(_dashboard(client, world, sort="-timeliness"))
    assert late[0] == "Staffordshire Police"  # not yet published: the worst
    assert late[1] == "Gloucestershire Constabulary"  # 13 days late
    rec18 = world.record(world.gwent, 18).recommendation_id
    by_18 = _dashboard(client, world, sort=f"-rec-{rec18}").context["dashboard"].rows
    assert by_18[0].cells[2].status in ("complete", "no_further_action")
    response = _dashboard(client, world, sort="complete")
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    assert "sort=-complete" in html  # the heading now reverses the order
    assert "sort=complete" in html.split("export.csv")[1][:200]
    export = client.get(
        reverse("national:dashboard-export", kwargs={"fmt": "csv"}),
        {"inspection": world.inspection.pk, "sort": "-force"},
    )
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert [r["Force"] for r in rows] == list(reversed(SEED_NAMES))


@pytest.mark.parametrize("sort", ["nonsense", "rec-999999", "-", "rec-abc", "x" * 1000])
def test_unknown_sort_is_said_and_the_table_sorted_by_force(world, national, client_for, sort):
    response = _dashboard(client_for(national), world, sort=sort)
    assert response.status_code == 200
    assert "cannot be sorted that way" in response.content.decode()


def test_dashboard_xlsx_opens_in_excel_with_dates_numbers_filter_and_frozen_header(
    world, national, client_for
):
    publish_responses(world)
    response = client_for(national).get(
        reverse("national:dashboard-export", kwargs={"fmt": "xlsx"}), {"inspection": world.inspection.pk}
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Dashboard"]
    sheet = book["Dashboard"]
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == sheet.dimensions
    header = [c.value for c in sheet[1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    glos, gwent = rows["Gloucestershire Constabulary"], rows["Gwent Police"]
    assert glos["Response published on"] == date(2022, 9, 20) or glos["Response published on"].date() == date(
        2022, 9, 20
    )
    # Published 20 September 2022; the Act's last day is 7 September (14 July is day 1 of 56).
    assert glos["Days late"] == 13
    assert gwent["Days late"] is None  # early: no negative "days late"
    assert gwent["Response timeliness"].startswith("On time")
    assert isinstance(gwent["Complete"], int)
    assert sheet.column_dimensions["A"].width >= len("Avon and Somerset Constabulary")


def test_force_answers_view_and_export(world, national, client_for):
    publish_responses(world)
    client = client_for(national)
    url = reverse("national:force-answers", kwargs={"inspection_pk": world.inspection.pk, "slug": "gwent"})
    response = client.get(url)
    assert response.status_code == 200
    assert [a.recommendation.number for a in response.context["answers"]] == [14, 15, 18, 19]
    html = client.get(url, {"view": "response"}).content.decode()
    assert "Gwent Police answers recommendation 14 in its letter." in html
    export = client.get(
        reverse(
            "national:force-answers-export",
            kwargs={"inspection_pk": world.inspection.pk, "slug": "gwent", "fmt": "xlsx"},
        )
    )
    sheet = openpyxl.load_workbook(io.BytesIO(export.content))["Force records"]
    rows = list(sheet.values)
    assert len(rows) == 5
    data = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {row["Force"] for row in data} == {"Gwent Police"}
    assert [row["Recommendation"] for row in data] == [
        "Recommendation 14",
        "Recommendation 15",
        "Recommendation 18",
        "Recommendation 19",
    ]
    assert data[0]["Published response"] == "Gwent Police answers recommendation 14 in its letter."
    assert data[0]["Response published on"].date() == date(2022, 9, 5)
    unknown = reverse("national:force-answers", kwargs={"inspection_pk": world.inspection.pk, "slug": "nope"})
    assert client.get(unknown).status_code == 404
    no_inspection = reverse("national:force-answers", kwargs={"inspection_pk": 999999, "slug": "gwent"})
    assert client.get(no_inspection).status_code == 404


def test_the_recommendation_filter_offers_the_chosen_inspections_recommendations_only(
    world, national, client_for
):
    """Every police recommendation of every inspection was thousands of options at national scale."""
    client = client_for(national)
    url = reverse("national:search")
    rec = world.inspection.recommendations.get(number=14)

    def offered(params):
        field = client.get(url, params).context["form"]["recommendation"]
        return [value for value, _label in field.field.widget.choices if value != ""], field.help_text

    assert offered({"q": "training"}) == ([], "Choose an inspection first, then one of its recommendations.")
    choices, hint = offered({"q": "training", "inspection": world.inspection.pk})
    assert rec.pk in choices and not hint
    assert set(choices) <= set(world.inspection.recommendations.values_list("pk", flat=True))
    # A recommendation named without its inspection (a link) is accepted, and its inspection's offered.
    response = client.get(url, {"q": "training", "recommendation": rec.pk})
    assert response.context["form"].cleaned_data["recommendation"] == rec
    assert rec.pk in offered({"q": "training", "recommendation": rec.pk})[0]


def test_a_match_without_a_date_says_so_in_its_heading(demo, national, client_for):
    """Staffordshire's answers have no date: the card's heading says "date not known" rather than
    ending on a separator."""
    html = " ".join(_search(client_for(national), q="training").content.decode().split())
    assert "Staffordshire Police: Recommendation 18 · date not known</h3>" in html
    assert "· </h3>" not in html
