"""The national team's dashboard, compare view, search and exports (issue 6)."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.urls import reverse

from forces.models import Force
from national.models import AccessLog
from national.services import log_access
from recommendations.models import Inspection, Recommendation, Record
from recommendations.services import add_progress_update, create_force_records, system_access
from responses.models import Response, ResponseSection, ResponseVersion
from tests.conftest import SEED_SLUGS

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

SEED_NAMES = (
    "Avon and Somerset Constabulary",
    "Dyfed-Powys Police",
    "Gloucestershire Constabulary",
    "Gwent Police",
    "Staffordshire Police",
)
PUBLISHED = {  # the seed letters' publication dates (Staffordshire's letter is undated)
    "dyfed-powys": date(2022, 9, 8),
    "gwent": date(2022, 9, 5),
    "avon-and-somerset": date(2022, 9, 8),
    "gloucestershire": date(2022, 9, 20),
}


def publish_responses(world, sections=None):
    """Published responses made through the ORM: the responses workflow is built elsewhere."""
    sections = sections or {}
    for slug, on in PUBLISHED.items():
        force = Force.objects.get(slug=slug)
        response = Response.objects.create(force=force, inspection=world.inspection, status="published")
        version = ResponseVersion.objects.create(force=force, response=response, number=1)
        rec = world.record(force, 14).recommendation
        ResponseSection.objects.create(
            force=force,
            version=version,
            recommendation=rec,
            text=sections.get(slug, f"{force.name} answers recommendation 14 in its letter."),
        )
        response.published_on = on
        response.published_version = version
        response.current_version = version
        response.save()


@pytest.fixture
def published(world):
    publish_responses(world)
    return world


def dashboard_url(world, **params):
    from urllib.parse import urlencode

    return reverse("national:dashboard") + "?" + urlencode({"inspection": world.inspection.pk, **params})


def test_national_dashboard_shows_seed_forces_with_statuses_and_gloucestershire_late(
    published, national, client_for
):
    response = client_for(national).get(reverse("national:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in SEED_NAMES:
        assert name in html
    dashboard = response.context["dashboard"]
    assert dashboard.inspection == published.inspection  # the default: latest with police recommendations
    assert [c.recommendation.number for c in dashboard.columns] == [14, 15, 18, 19]
    rows = {row.force.slug: row for row in dashboard.rows}
    assert set(rows) == set(SEED_SLUGS)
    assert [c.status for c in rows["avon-and-somerset"].cells] == [
        "in_progress",
        "in_progress",
        "no_further_action",
        "no_further_action",
    ]
    # The force said it was done; no sign-off is recorded, so it is not "complete".
    assert rows["dyfed-powys"].cells[2].status == "awaiting_sign_off"
    assert rows["gloucestershire"].timeliness.state == "late"
    assert rows["gloucestershire"].timeliness.days_late == 13  # the last day is 7 September 2022
    assert "Late by 13 days" in html
    assert rows["dyfed-powys"].timeliness.days_late == 1
    assert rows["gwent"].timeliness.state == "on_time"
    assert rows["staffordshire"].timeliness.state == "not_published"
    assert "Not yet published" in html
    # Status is text as well as colour, and overdue is said in words (the 12 months ran out in 2023).
    assert '<span aria-hidden="true">IP</span><span class="govuk-visually-hidden">In progress</span>' in html
    assert '<span class="govuk-visually-hidden">, Overdue</span>' in html


def test_dashboard_totals_are_counted_per_recommendation_and_per_force(published, national, client_for):
    dashboard = client_for(national).get(dashboard_url(published)).context["dashboard"]
    by_number = {c.recommendation.number: c.totals for c in dashboard.columns}
    assert by_number[18]["complete"] == 0  # Dyfed-Powys and Staffordshire await sign-off
    assert by_number[18]["no_further_action"] == 1  # Avon and Somerset
    assert by_number[18]["in_progress"] == 4
    assert by_number[14]["in_progress"] == 5
    assert by_number[14]["overdue"] == 5
    rows = {row.force.slug: row.totals for row in dashboard.rows}
    assert rows["gwent"] == {
        "complete": 0,
        "in_progress": 4,
        "not_started": 0,
        "no_further_action": 0,
        "overdue": 4,
        "total": 4,
    }
    assert dashboard.totals["total"] == 20
    assert dashboard.totals["complete"] == 0


def test_dashboard_cells_link_to_the_force_record_read_only(published, national, client_for):
    client = client_for(national)
    html = client.get(dashboard_url(published)).content.decode()
    record = published.record(published.gwent, 18)
    url = reverse("recommendations:record-detail", kwargs={"force_slug": "gwent", "pk": record.pk})
    assert f'href="{url}"' in html
    detail = client.get(url)
    assert detail.status_code == 200
    assert detail.context["force_access"].read_only


def test_dashboard_chart_has_the_same_figures_as_a_table_and_no_inline_script_or_style(
    published, national, client_for
):
    html = client_for(national).get(dashboard_url(published)).content.decode()
    assert '<svg class="app-chart"' in html
    assert "In progress: 4</title>" in html  # recommendation 18's bar
    assert "Status per recommendation (the chart's figures)" in html
    assert "style=" not in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "wales"}, {"gwent", "dyfed-powys"}),
        ({"country": "england"}, {"avon-and-somerset", "staffordshire", "gloucestershire"}),
        ({"status": "awaiting_sign_off"}, {"dyfed-powys", "staffordshire"}),
        ({"status": "no_further_action"}, {"avon-and-somerset"}),
        ({"overdue": "yes"}, set(SEED_SLUGS)),
        # Implemented but not signed off is still open, so overdue: only closed records are not.
        ({"overdue": "no"}, {"avon-and-somerset"}),
    ],
)
def test_dashboard_filters_pick_forces(published, national, client_for, params, expected):
    response = client_for(national).get(dashboard_url(published, **params))
    assert {row.force.slug for row in response.context["dashboard"].rows} == expected


def test_commissioner_type_filter(published, national, client_for):
    response = client_for(national).get(dashboard_url(published, commissioner_type="pfcc"))
    assert [row.force.slug for row in response.context["dashboard"].rows] == ["staffordshire"]
    response = client_for(national).get(dashboard_url(published, commissioner_type="pcc"))
    assert len(response.context["dashboard"].rows) == 4


def test_nonsense_filter_values_are_ignored_with_a_message(published, national, client_for):
    response = client_for(national).get(
        dashboard_url(
            published, country="mars", status="'; drop table", overdue="maybe", commissioner_type="x"
        )
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "ignored" in html
    assert "Country" in html and "Status" in html
    assert len(response.context["dashboard"].rows) == 5


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "x" * 1000, "1.5", "\u00b2", "rec-\u00b2"])
def test_unknown_inspection_gives_the_latest_with_a_message(published, national, client_for, value):
    client = client_for(national)
    response = client.get(reverse("national:dashboard"), {"inspection": value})
    assert response.status_code == 200
    assert response.context["inspection"] == published.inspection  # the latest with police recommendations
    assert len(response.context["dashboard"].rows) == 5
    html = response.content.decode()
    assert "There is no inspection" in html and "this is the latest" in html
    assert "\u201c" + "x" * 21 not in html  # what was asked for is cut short in the message
    export = client.get(reverse("national:dashboard-export", kwargs={"fmt": "csv"}), {"inspection": value})
    assert export.status_code == 200 and len(_csv_rows(export)) == 5


def test_dashboard_filters_on_each_closure_event(published, national, client_for, gwent_staff, gwent_chief):
    from recommendations.services import record_hmicfrs_closure, request_closure, sign_off

    client = client_for(national)

    def shown(stage):
        page = client.get(
            reverse("national:dashboard"), {"inspection": published.inspection.pk, "closure": stage}
        )
        dashboard = page.context["dashboard"]
        return {row.force.slug for row in dashboard.rows}, dashboard.totals["total"]

    before = {stage: shown(stage)[0] for stage in ("implemented", "signed_off", "hmicfrs_authorised")}
    assert "gwent" not in before["signed_off"] and "gwent" not in before["hmicfrs_authorised"]
    record = published.record(published.gwent, 15)
    request_closure(record, acting_user=gwent_staff, text="Implemented.")
    record.refresh_from_db()
    assert "gwent" in shown("implemented")[0] and "gwent" not in shown("signed_off")[0]
    sign_off(record, acting_user=gwent_chief)
    record.refresh_from_db()
    assert shown("signed_off")[0] == before["signed_off"] | {"gwent"}
    assert shown("hmicfrs_authorised")[0] == before["hmicfrs_authorised"]
    record_hmicfrs_closure(record, user=gwent_staff, closed_on=date(2024, 3, 1), reference="", basis="Seen.")
    assert shown("hmicfrs_authorised")[0] == before["hmicfrs_authorised"] | {"gwent"}
    # A closure value that is not a stage is ignored, with a message, and filters nothing.
    page = client.get(
        reverse("national:dashboard"), {"inspection": published.inspection.pk, "closure": "nope"}
    )
    assert len(page.context["dashboard"].rows) == 5 and "ignored" in page.content.decode()


def test_unknown_recommendation_is_not_found(published, national, client_for):
    client = client_for(national)
    assert client.get(reverse("national:compare", kwargs={"pk": 999999})).status_code == 404
    assert (
        client.get(reverse("national:compare-export", kwargs={"pk": 999999, "fmt": "csv"})).status_code == 404
    )
    assert client.get("/national/export.pdf").status_code == 404


def test_compare_view_shows_the_five_answers_to_recommendation_14(published, national, client_for):
    rec = published.record(published.gwent, 14).recommendation
    response = client_for(national).get(reverse("national:compare", kwargs={"pk": rec.pk}))
    assert response.status_code == 200
    answers = response.context["answers"]
    assert [a.force.name for a in answers] == list(SEED_NAMES)
    html = response.content.decode()
    for force in Force.objects.filter(slug__in=SEED_SLUGS):
        update = published.update(force, 14)
        assert update.text.splitlines()[0][:60] in html.replace("&#x27;", "'").replace("&quot;", '"')
    by_slug = {a.force.slug: a for a in answers}
    assert by_slug["gloucestershire"].response_published_on == date(2022, 9, 20)
    assert by_slug["staffordshire"].response_published_on is None
    # The published response is the other view of the same forces, not a second column.
    assert "Gloucestershire Constabulary answers recommendation 14 in its letter." not in html
    response = client_for(national).get(
        reverse("national:compare", kwargs={"pk": rec.pk}), {"view": "response"}
    )
    html = response.content.decode()
    assert "Gloucestershire Constabulary answers recommendation 14 in its letter." in html
    assert [a.force.slug for a in response.context["unanswered"]] == ["staffordshire"]
    assert "1 force has no published response" in html


def test_search_finds_updates_and_published_responses_across_forces(published, national, client_for):
    response = client_for(national).get(reverse("national:search"), {"q": "training"})
    assert response.status_code == 200
    forces = {hit.obj.force.slug for hit in response.context["results"].hits}
    assert len(forces) >= 3
    response = client_for(national).get(reverse("national:search"), {"q": "letter", "in": "responses"})
    assert {hit.obj.force.slug for hit in response.context["results"].hits} == set(PUBLISHED)


def test_empty_or_odd_search_never_fails(published, national, client_for):
    client = client_for(national)
    for q in ["", "   ", "&|!:*", "'", '"unclosed', "x" * 1000, "-"]:
        assert client.get(reverse("national:search"), {"q": q}).status_code == 200


def _csv_rows(response):
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_dashboard_exports_open_with_the_same_figures(published, national, client_for):
    client = client_for(national)
    page = client.get(dashboard_url(published)).context["dashboard"]
    response = client.get(
        reverse("national:dashboard-export", kwargs={"fmt": "csv"}), {"inspection": published.inspection.pk}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = {row["Force"]: row for row in _csv_rows(response)}
    assert set(rows) == set(SEED_NAMES)
    assert rows["Gloucestershire Constabulary"]["Response timeliness"] == "Late by 13 days"
    assert rows["Gloucestershire Constabulary"]["Days late"] == "13"
    assert rows["Staffordshire Police"]["Response timeliness"] == "Not yet published"
    assert rows["Dyfed-Powys Police"]["Recommendation 18"] == "Implemented, awaiting sign-off (overdue)"
    assert rows["Gwent Police"]["Recommendation 14"] == "In progress (overdue)"
    for row in page.rows:
        assert int(rows[row.force.name]["Complete"]) == row.totals["complete"]
        assert int(rows[row.force.name]["Overdue"]) == row.totals["overdue"]

    response = client.get(
        reverse("national:dashboard-export", kwargs={"fmt": "xlsx"}), {"inspection": published.inspection.pk}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    header, body = values[0], values[1:]
    assert header[0] == "Force"
    xlsx_rows = {r[0]: dict(zip(header, r, strict=True)) for r in body}
    assert set(xlsx_rows) == set(SEED_NAMES)
    assert xlsx_rows["Gloucestershire Constabulary"]["Days late"] == 13
    assert xlsx_rows["Gwent Police"]["In progress"] == 4


def test_compare_exports_open_with_the_five_answers(published, national, client_for):
    rec = published.record(published.gwent, 14).recommendation
    client = client_for(national)
    rows = _csv_rows(client.get(reverse("national:compare-export", kwargs={"pk": rec.pk, "fmt": "csv"})))
    assert [r["Force"] for r in rows] == list(SEED_NAMES)
    assert rows[2]["Response published on"] == "2022-09-20"
    response = client.get(reverse("national:compare-export", kwargs={"pk": rec.pk, "fmt": "xlsx"}))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [r[0] for r in list(sheet.values)[1:]] == list(SEED_NAMES)


@pytest.mark.parametrize("payload", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)"])
def test_exports_escape_formula_injection(world, national, gwent_staff, client_for, payload):
    record = world.record(world.gwent, 14)
    add_progress_update(record, author=gwent_staff, text=payload, dated=date(2023, 1, 1))
    client = client_for(national)
    url = reverse("national:compare-export", kwargs={"pk": record.recommendation_id, "fmt": "csv"})
    gwent = next(r for r in _csv_rows(client.get(url)) if r["Force"] == "Gwent Police")
    assert gwent["Latest update"] == "'" + payload
    url = reverse("national:compare-export", kwargs={"pk": record.recommendation_id, "fmt": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(url).content)).active
    rows = list(sheet.values)
    cell = next(r for r in rows if r[0] == "Gwent Police")[rows[0].index("Latest update")]
    assert cell == "'" + payload


@pytest.mark.parametrize(
    "text", ["=1+1", "\uff1d1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "\uff0b1", "\uff0d1", "\uff20A1"]
)
def test_the_one_formula_escape_quotes_every_formula_start(text):
    from audit.views import _safe
    from national import exports
    from spreadsheets import resources
    from spreadsheets.formulas import escape_formula, unescape_formula

    assert escape_formula(text) == "'" + text
    assert unescape_formula(escape_formula(text)) == text
    # Every export reaches the same function.
    assert exports.escape_formula is escape_formula and resources.escape is escape_formula
    assert _safe(text) == "'" + text
    sheet = exports.Sheet("T", [exports.Column("a", "A")], [{"a": text}])
    assert exports.to_csv(sheet).decode("utf-8-sig").splitlines()[1].strip('"').startswith("'")


def test_escape_formula_leaves_numbers_and_plain_text_alone():
    from spreadsheets.formulas import escape_formula

    assert escape_formula(-3) == -3
    assert escape_formula("In progress") == "In progress"
    assert escape_formula("") == ""
    assert escape_formula(None) is None
    assert escape_formula("1-2") == "1-2"


@pytest.mark.parametrize("persona", ["gwent_staff", "gwent_chief", "dyfed_staff", "dyfed_chief"])
def test_force_people_get_404_for_every_national_url(published, personas, client_for, persona):
    rec = published.record(published.gwent, 14).recommendation
    client = client_for(personas[persona])
    urls = [
        reverse("national:dashboard"),
        dashboard_url(published),
        reverse("national:dashboard-export", kwargs={"fmt": "csv"}),
        reverse("national:dashboard-export", kwargs={"fmt": "xlsx"}),
        reverse("national:compare", kwargs={"pk": rec.pk}),
        reverse("national:compare-export", kwargs={"pk": rec.pk, "fmt": "csv"}),
        reverse("national:compare-export", kwargs={"pk": rec.pk, "fmt": "xlsx"}),
        reverse("national:search") + "?q=training",
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert not AccessLog.objects.exists()


def test_each_national_access_is_logged(published, national, client_for):
    rec = published.record(published.gwent, 14).recommendation
    client = client_for(national)
    client.get(dashboard_url(published, country="wales"))
    client.get(reverse("national:compare", kwargs={"pk": rec.pk}))
    client.get(reverse("national:search"), {"q": "training"})
    client.get(reverse("national:dashboard-export", kwargs={"fmt": "csv"}))
    client.get(reverse("national:compare-export", kwargs={"pk": rec.pk, "fmt": "xlsx"}))
    logs = list(AccessLog.objects.order_by("pk"))
    assert [log.action for log in logs] == [
        "dashboard",
        "compare",
        "search",
        "export_dashboard",
        "export_compare",
    ]
    assert all(log.user == national for log in logs)
    assert logs[0].parameters == {"inspection": str(published.inspection.pk), "country": "wales"}
    assert logs[0].path == "/national/"
    assert logs[2].parameters == {"q": "training"}
    assert logs[4].parameters == {"pk": rec.pk, "fmt": "xlsx"}


def test_log_access_service_records_who_what_and_parameters(national):
    entry = log_access(
        national, AccessLog.Action.DASHBOARD, path="/national/", parameters={"a": ["1", "2"], "b": ["x"]}
    )
    assert entry.user == national
    assert entry.parameters == {"a": ["1", "2"], "b": "x"}
    assert entry.at is not None


def test_national_users_land_on_the_dashboard(world, national, admin_user, gwent_staff, client_for):
    assert client_for(national).get("/")["Location"] == reverse("national:dashboard")
    assert client_for(admin_user).get("/")["Location"] == reverse("national:dashboard")
    assert client_for(gwent_staff).get("/")["Location"] != reverse("national:dashboard")


def test_national_pages_change_nothing(published, national, client_for):
    before = list(Record.objects.values_list("pk", "status", "version"))
    client = client_for(national)
    client.get(dashboard_url(published))
    assert client.post(reverse("national:dashboard")).status_code == 405
    assert list(Record.objects.values_list("pk", "status", "version")) == before


def _grow(world, n_forces, n_inspections, author):
    """More forces and inspections, each with police recommendations, records and updates."""
    from forces.demo import load_forces

    load_forces()  # all 43 forces
    forces = list(Force.objects.all()[:n_forces])
    police = world.record(world.gwent, 14).recommendation.addressees.filter(is_police=True)
    for n in range(n_inspections):
        extra = Inspection.objects.create(
            title=f"Grown inspection {n}", slug=f"grown-{n}", published_on=date(2021, 1, 1 + n)
        )
        for number in (1, 2, 3):
            Recommendation.objects.create(inspection=extra, number=number, text="Do better.").addressees.add(
                *police
            )
        create_force_records(extra, forces=forces)
    create_force_records(world.inspection, forces=forces)
    for record in Record.objects.filter(recommendation__inspection=world.inspection)[:60]:
        add_progress_update(
            record, author=None, text="More work.", status="in_progress", access=system_access(record.force)
        )


def test_dashboard_and_compare_run_a_constant_number_of_queries(
    published, national, client_for, django_assert_max_num_queries
):
    client = client_for(national)
    rec = published.record(published.gwent, 14).recommendation
    urls = [
        dashboard_url(published),
        dashboard_url(published, status="in_progress", overdue="yes"),
        reverse("national:compare", kwargs={"pk": rec.pk}),
        reverse("national:search") + "?q=training",
        reverse("national:dashboard-export", kwargs={"fmt": "csv"}),
        reverse("national:compare-export", kwargs={"pk": rec.pk, "fmt": "xlsx"}),
        reverse("national:compare", kwargs={"pk": rec.pk}) + "?view=response",
        dashboard_url(published, sort=f"rec-{rec.pk}"),
        reverse("national:search") + "?q=training&in=responses&force=gwent",
        reverse("national:search-export", kwargs={"fmt": "xlsx"}) + "?q=work",
        reverse("national:force-answers", kwargs={"inspection_pk": published.inspection.pk, "slug": "gwent"}),
        reverse("national:pack") + "?quarter=2023-Q1",
        reverse("national:force-pack", kwargs={"force_slug": "gwent"}) + "?quarter=2023-Q1",
    ]
    small = {}
    for url in urls:
        client.get(url)  # warm the session
        with django_assert_max_num_queries(20) as captured:
            assert client.get(url).status_code == 200
        small[url] = len(captured.captured_queries)
    _grow(published, n_forces=20, n_inspections=6, author=national)
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            response = client.get(url)
        assert response.status_code == 200
    assert len(client.get(dashboard_url(published)).context["dashboard"].rows) >= 20


def test_full_text_search_is_served_by_gin_indexes_on_stored_vectors_on_postgresql(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('national_progressupdate_fts', 'national_responsesection_fts')"
        )
        rows = dict(cursor.fetchall())
    assert set(rows) == {"national_progressupdate_fts", "national_responsesection_fts"}
    assert all("gin (search_vector)" in definition for definition in rows.values())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, is_generated, generation_expression FROM information_schema.columns "
            "WHERE column_name = 'search_vector' ORDER BY table_name"
        )
        columns = cursor.fetchall()
    assert [(table, generated) for table, generated, _ in columns] == [
        ("recommendations_progressupdate", "ALWAYS"),
        ("responses_responsesection", "ALWAYS"),
    ]
    assert all("to_tsvector('english'" in expression for _, _, expression in columns)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "training"},
        {"q": "training", "force": "gwent"},
        {"q": "letter", "in": "responses", "force": "gwent"},
    ],
)
def test_search_ranks_a_list_of_candidates_never_a_nested_search_on_postgresql(
    published, national, client_for, params
):
    """The candidates (the most recent matches, through the GIN index) are read first and ranked by
    their ids. Nested as a subquery, the planner misjudged the published-version join as one row
    and ran the candidate search once per row of the force: 26 s at ten times the national data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL full-text search only")
    client = client_for(national)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("national:search"), params)
    assert response.status_code == 200 and response.context["results"].total > 0
    searches = [query["sql"] for query in captured.captured_queries if "@@" in query["sql"]]
    ranking = [query["sql"] for query in captured.captured_queries if "ts_rank(" in query["sql"]]
    assert len(searches) == 2  # updates and response sections
    assert 1 <= len(ranking) <= 2  # a kind with no candidates is not ranked at all
    assert not any("@@" in sql or "SELECT U0" in sql for sql in ranking)


def _publish_staffordshire_undated(world):
    """Staffordshire's 2022 letter: published, but no document gives the date."""
    force = Force.objects.get(slug="staffordshire")
    response = Response.objects.create(force=force, inspection=world.inspection, status="published")
    version = ResponseVersion.objects.create(force=force, response=response, number=1)
    ResponseSection.objects.create(
        force=force,
        version=version,
        recommendation=world.record(force, 14).recommendation,
        text="Undated answer.",
    )
    response.published_version = version
    response.current_version = version
    response.save()


def test_staffordshire_undated_answers_read_date_not_known_on_every_national_page_and_export(
    world, national, client_for
):
    publish_responses(world)
    _publish_staffordshire_undated(world)
    client = client_for(national)
    kwargs = {"inspection_pk": world.inspection.pk, "slug": "staffordshire"}
    updates = client.get(reverse("national:force-answers", kwargs=kwargs))
    undated = [a for a in updates.context["answers"] if a.update and a.update.dated is None]
    assert undated, "the seed gives Staffordshire's updates no date"
    html = updates.content.decode()
    assert "date not known" in html
    assert undated[0].update.voice_line and undated[0].update.voice_line in html  # whose words they are
    html = client.get(reverse("national:force-answers", kwargs=kwargs), {"view": "response"}).content.decode()
    assert "Published date not known" in html

    export = client.get(reverse("national:force-answers-export", kwargs={**kwargs, "fmt": "csv"}))
    rows = _csv_rows(export)
    rec14 = next(r for r in rows if r["Recommendation"] == "Recommendation 14")
    assert rec14["Response published on"] == "" and rec14["Response: date"] == "date not known"
    assert any(r["Latest update dated"] == "" and r["Latest update: date"] == "date not known" for r in rows)
    assert all(r["Whose words they are"] for r in rows if r["Latest update"])
    compare = client.get(
        reverse(
            "national:compare-export",
            kwargs={"pk": world.record(world.gwent, 14).recommendation_id, "fmt": "csv"},
        )
    )
    staffs = next(r for r in _csv_rows(compare) if r["Force"] == "Staffordshire Police")
    assert staffs["Response: date"] == "date not known"
    gwent = next(r for r in _csv_rows(compare) if r["Force"] == "Gwent Police")
    assert gwent["Response: date"] == "" and gwent["Response published on"] == "2022-09-05"

    dashboard = _csv_rows(client.get(reverse("national:dashboard-export", kwargs={"fmt": "csv"})))
    staffs = next(r for r in dashboard if r["Force"] == "Staffordshire Police")
    assert staffs["Response timeliness"] == "Published, date not known"
    dyfed = next(r for r in dashboard if r["Force"] == "Dyfed-Powys Police")
    assert dyfed["Response timeliness"] == "Late by 1 day"  # not "1 days"

    open_data = client.get(reverse("responses:public-data", kwargs={"fmt": "csv"}))
    rows = {r["force"]: r for r in csv.DictReader(io.StringIO(open_data.content.decode("utf-8")))}
    assert rows["staffordshire"]["timeliness"] == "date_not_known"
    assert rows["staffordshire"]["on_time"] == ""
    assert rows["gloucestershire"]["timeliness"] == "late"
    assert rows["gwent"]["timeliness"] == "on_time"


def test_exports_and_filters_use_the_office_holders_of_the_responses_date(world, national, client_for):
    publish_responses(world)
    # Today Gwent's commissioner is someone else, under another arrangement than in 2022.
    Force.objects.filter(slug="gwent").update(commissioner_type="pfcc", commissioner_name="Someone Today")
    client = client_for(national)
    rows = _csv_rows(client.get(reverse("national:dashboard-export", kwargs={"fmt": "csv"})))
    gwent = next(r for r in rows if r["Force"] == "Gwent Police")
    assert "Jeff Cuthbert" in gwent["Commissioner on the response's date"]  # he signed the 2022 letter
    assert gwent["Commissioner type on the response's date"] == "Police and Crime Commissioner"

    def shown(ctype):
        page = client.get(
            reverse("national:dashboard"), {"inspection": world.inspection.pk, "commissioner_type": ctype}
        )
        return {row.force.slug for row in page.context["dashboard"].rows}

    assert "gwent" in shown("pcc") and "gwent" not in shown("pfcc")
    rec = world.record(world.gwent, 14).recommendation_id
    compare = client.get(reverse("national:compare", kwargs={"pk": rec}), {"commissioner_type": "pcc"})
    assert "gwent" in {a.force.slug for a in compare.context["answers"]}


def test_after_sign_off_national_lists_show_the_forces_answer_with_the_step_beside(
    published, national, gwent_staff, gwent_chief, client_for
):
    """A sign-off is a workflow step, not an answer: compare, one force's answers and their exports
    keep showing the force's own words, with "Signed off as complete" as the latest step."""
    from recommendations.services import request_closure, sign_off

    record = published.record(published.gwent, 14)
    request_closure(record, acting_user=gwent_staff, text="Training delivered to every MAPPA officer.")
    record.refresh_from_db()
    sign_off(record, acting_user=gwent_chief)
    client = client_for(national)
    rec = record.recommendation
    compare = client.get(reverse("national:compare", kwargs={"pk": rec.pk}))
    gwent = next(a for a in compare.context["answers"] if a.force.slug == "gwent")
    assert gwent.update.text == "Training delivered to every MAPPA officer."
    assert gwent.step.kind == "signed_off"
    kwargs = {"inspection_pk": published.inspection.pk, "slug": "gwent"}
    html = client.get(reverse("national:force-answers", kwargs=kwargs)).content.decode()
    assert "Training delivered to every MAPPA officer." in html
    assert "Latest step: Signed off as complete" in html
    export = client.get(reverse("national:compare-export", kwargs={"pk": rec.pk, "fmt": "csv"}))
    rows = {row["Force"]: row for row in _csv_rows(export)}
    assert rows["Gwent Police"]["Latest update"] == "Training delivered to every MAPPA officer."
    assert rows["Gwent Police"]["Latest step"] == "Signed off as complete"
    assert rows["Dyfed-Powys Police"]["Latest step"] == ""


@pytest.mark.parametrize("sort", ["rec-\u00b2", "rec-", "rec-999999", "-status", "nonsense", "x" * 500])
def test_an_unknown_sort_gives_the_dashboard_in_force_order(published, national, client_for, sort):
    response = client_for(national).get(dashboard_url(published, sort=sort))
    assert response.status_code == 200
    names = [row.force.name for row in response.context["dashboard"].rows]
    assert names == sorted(names)
