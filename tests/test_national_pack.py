"""The quarterly pack: figures for a quarter, as a page, a DOCX and a PDF made by the worker."""

import io
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from national.models import PackRender
from national.pack import Quarter, build_pack
from outbox.models import OutboxTask
from recommendations.services import request_closure, sign_off
from tests.test_national import publish_responses

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


def test_quarter_parses_and_knows_its_dates():
    q = Quarter.parse("2022-q3")
    assert (q.start, q.end) == (date(2022, 7, 1), date(2022, 9, 30))
    assert q.next() == Quarter(2022, 4) and q.previous() == Quarter(2022, 2)
    assert Quarter(2022, 4).next() == Quarter(2023, 1)
    for bad in ("", "2022", "2022-Q5", "Q1-2022", "x" * 1000, "2022-Q1\x00"):
        assert Quarter.parse(bad) is None


def test_pack_counts_status_at_the_quarter_end_and_lists_what_closed(world, gwent_staff, gwent_chief):
    publish_responses(world)
    q3 = build_pack(Quarter(2022, 3))
    assert q3.total == 20  # five forces x four recommendations, all published 14 July 2022
    q3_counts = {value: n for value, _label, n in q3.status_counts}
    assert sum(q3_counts.values()) == 20
    # Three responses were published by 30 September 2022 and one (Gloucestershire) late.
    assert {r["force"] for r in q3.responses} == {
        "Dyfed-Powys Police",
        "Gwent Police",
        "Avon and Somerset Constabulary",
        "Gloucestershire Constabulary",
    }
    glos = next(r for r in q3.responses if r["force"].startswith("Gloucestershire"))
    assert glos["days"] > 0
    assert q3.history[0][0] == Quarter(2022, 3)

    record = world.record(world.gwent, 18)
    before = {v: n for v, _l, n in build_pack(Quarter.of(timezone.localdate()), world.gwent).status_counts}
    request_closure(record, acting_user=gwent_staff, text="Implemented.")
    record.refresh_from_db()
    sign_off(record, acting_user=gwent_chief)
    now = build_pack(Quarter.of(timezone.localdate()), world.gwent)
    assert now.total == 4
    counts = {value: n for value, _l, n in now.status_counts}
    assert counts["complete"] == before["complete"] + 1
    assert [(i.label, str(i.kind)) for i in now.closed] == [("Recommendation 18", "Signed off as complete")]
    assert now.overdue_total == sum(n for _label, n in now.ageing)
    assert all(item.force_name == "Gwent Police" for item in now.overdue)
    # The quarter before still shows the record open: status is read from the dated history.
    earlier = build_pack(Quarter.of(timezone.localdate()).previous(), world.gwent)
    assert {v: n for v, _l, n in earlier.status_counts}["complete"] == before["complete"]


def test_pack_page_docx_and_pdf_for_the_national_team(
    world, national, client_for, django_capture_on_commit_callbacks
):
    publish_responses(world)
    client = client_for(national)
    response = client.get(reverse("national:pack"), {"quarter": "2022-Q3"})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Status at the end of each quarter (the chart\u2019s figures)" in html
        or "the chart's figures" in html
    )
    assert "Gloucestershire Constabulary" in html

    from docx import Document

    docx = client.get(reverse("national:pack-docx"), {"quarter": "2022-Q3"})
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "2022 Q3" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("national:pack-pdf"), {"quarter": "2022-Q3"})
    assert response.status_code == 302
    assert OutboxTask.objects.filter(task_name="national.render_pack").exists()
    render = PackRender.objects.get()
    assert render.force is None
    assert render.status == "done", render.error
    assert bytes(render.pdf).startswith(b"%PDF")
    pdf = client.get(reverse("national:pack-pdf-download", kwargs={"pk": render.pk}))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize("quarter", ["2099-Q1", "1999-Q4", "nonsense", "2022-Q9", "x" * 1000])
def test_bad_quarters_give_the_page_with_a_message(world, national, client_for, quarter):
    response = client_for(national).get(reverse("national:pack"), {"quarter": quarter})
    assert response.status_code == 200
    assert response.context["notes"]
    assert response.context["pack"] is not None


def test_force_pack_is_for_its_own_people_and_the_national_team(world, personas, client_for):
    url = reverse("national:force-pack", kwargs={"force_slug": "gwent"})
    assert client_for(personas["gwent_staff"]).get(url).status_code == 200
    assert client_for(personas["national"]).get(url).status_code == 200
    assert client_for(personas["dyfed_staff"]).get(url).status_code == 404
    assert client_for(personas["gwent_staff"]).get(reverse("national:pack")).status_code == 404
    html = client_for(personas["gwent_staff"]).get(url, {"quarter": "2023-Q3"}).content.decode()
    assert "Dyfed-Powys" not in html


def test_a_force_cannot_download_another_forces_pack_pdf(world, personas, client_for):
    render = PackRender.objects.create(force=world.dyfed, quarter="2022-Q3", status="done", pdf=b"%PDF-1.7")
    national_render = PackRender.objects.create(quarter="2022-Q3", status="done", pdf=b"%PDF-1.7")
    client = client_for(personas["gwent_staff"])
    for pk in (render.pk, national_render.pk):
        url = reverse("national:force-pack-pdf-download", kwargs={"force_slug": "gwent", "pk": pk})
        assert client.get(url).status_code == 404
    own = reverse("national:force-pack-pdf-download", kwargs={"force_slug": "dyfed-powys", "pk": render.pk})
    assert client_for(personas["dyfed_staff"]).get(own).status_code == 200


def _docx_tables(content) -> list[list[list[str]]]:
    from docx import Document

    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(io.BytesIO(content)).tables]


def _table_with(tables, heading) -> list[list[str]]:
    return next(t for t in tables if t[0][0] == heading)


def test_national_pack_docx_carries_the_figures_of_the_page(world, national, client_for):
    publish_responses(world)
    client = client_for(national)
    pack = build_pack(Quarter(2022, 3))
    tables = _docx_tables(client.get(reverse("national:pack-docx"), {"quarter": "2022-Q3"}).content)
    statuses = _table_with(tables, "Status")
    assert {row[0]: int(row[1]) for row in statuses[1:]} == {str(lbl): n for _v, lbl, n in pack.status_counts}
    assert sum(int(row[1]) for row in statuses[1:]) == 20
    responses = {row[0]: row for row in _table_with(tables, "Force")[1:] if len(row) == 5}
    # Published 20 September 2022, the last day 7 September: 13 days late, in words.
    assert responses["Gloucestershire Constabulary"][2:] == ["20 Sep 2022", "7 Sep 2022", "Late by 13 days"]
    assert responses["Gwent Police"][4].startswith("On time")
    assert responses["Dyfed-Powys Police"][4] == "Late by 1 day"
    stages = _table_with(tables, "Closure event")
    assert [row[0] for row in stages[1:]] == [
        "Force reports implemented",
        "Signed off by the chief officer",
        "Closure authorised by HMICFRS",
    ]


def test_force_pack_docx_and_pdf_are_the_forces_own_and_404_to_another_force(
    world, gwent_staff, dyfed_staff, client_for, django_capture_on_commit_callbacks
):
    publish_responses(world)
    gwent = client_for(gwent_staff)
    docx = gwent.get(
        reverse("national:force-pack-docx", kwargs={"force_slug": "gwent"}), {"quarter": "2022-Q3"}
    )
    assert docx.status_code == 200
    tables = _docx_tables(docx.content)
    assert sum(int(row[1]) for row in _table_with(tables, "Status")[1:]) == 4  # Gwent's four records
    forces = {row[0] for t in tables if t[0][0] == "Force" for row in t[1:]}
    assert forces == {"Gwent Police"}

    with django_capture_on_commit_callbacks(execute=True):
        answer = gwent.post(
            reverse("national:force-pack-pdf", kwargs={"force_slug": "gwent"}), {"quarter": "2022-Q3"}
        )
    assert answer.status_code == 302
    render = PackRender.objects.get()
    assert render.force == world.gwent and render.status == "done", render.error
    pdf = gwent.get(
        reverse("national:force-pack-pdf-download", kwargs={"force_slug": "gwent", "pk": render.pk})
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    dyfed = client_for(dyfed_staff)
    assert dyfed.get(reverse("national:force-pack-docx", kwargs={"force_slug": "gwent"})).status_code == 404
    assert (
        dyfed.post(reverse("national:force-pack-pdf", kwargs={"force_slug": "gwent"}), {"quarter": "2022-Q3"})
    ).status_code == 404
    assert PackRender.objects.count() == 1


def test_hmicfrs_closure_counts_as_closed_in_the_quarter_and_as_a_closure_stage(world, gwent_staff):
    from recommendations.services import record_hmicfrs_closure

    today = timezone.localdate()
    record = world.record(world.gwent, 18)
    before = build_pack(Quarter.of(today), world.gwent)
    record_hmicfrs_closure(
        record, user=gwent_staff, closed_on=today, reference="HMICFRS/1", basis="Audit seen."
    )
    after = build_pack(Quarter.of(today), world.gwent)
    stages = {key: (by_end, in_q) for key, _l, by_end, in_q in after.closure_stages}
    old = {key: (by_end, in_q) for key, _l, by_end, in_q in before.closure_stages}
    assert stages["hmicfrs_authorised"] == (old["hmicfrs_authorised"][0] + 1, 1)
    assert stages["signed_off"] == old["signed_off"]  # HMICFRS's decision is not the chief officer's
    assert [(i.label, str(i.kind)) for i in after.closed if i.record_id == record.pk] == [
        ("Recommendation 18", "Closure authorised by HMICFRS")
    ]
    assert after.closed_count == before.closed_count + 1
    # The quarter before knows nothing of it.
    earlier = build_pack(Quarter.of(today).previous(), world.gwent)
    assert {k: b for k, _l, b, _q in earlier.closure_stages}["hmicfrs_authorised"] == old[
        "hmicfrs_authorised"
    ][0]


def test_overdue_at_a_quarter_end_uses_the_due_date_in_force_then(world, gwent_staff, gwent_chief):
    from recommendations.models import Record
    from recommendations.services import decide_extension, request_extension

    today = timezone.localdate()
    last = Quarter.of(today).previous()
    record = (
        Record.objects.filter(force=world.gwent, current_due_on__lt=last.end)
        .exclude(status__in=("complete", "no_further_action"))
        .order_by("pk")
        .first()
    )
    assert record is not None
    due_then = record.current_due_on
    overdue = {i.record_id: i for i in build_pack(last, world.gwent).overdue}
    assert overdue[record.pk].dated == due_then
    extension = request_extension(
        record, requested_by=gwent_staff, new_due_on=date(2030, 12, 31), reason="More time."
    )
    decide_extension(extension, decided_by=gwent_chief, approve=True)
    record.refresh_from_db()
    assert record.current_due_on == date(2030, 12, 31)
    # Extended after the quarter ended: at that quarter's end the item was overdue, and stays so.
    overdue = {i.record_id: i for i in build_pack(last, world.gwent).overdue}
    assert overdue[record.pk].dated == due_then
    assert overdue[record.pk].age == (last.end - due_then).days
    # At the end of this quarter the new date is in force: not overdue.
    assert record.pk not in {i.record_id for i in build_pack(Quarter.of(today), world.gwent).overdue}


def _status_on(changes: list, day, current: str) -> str:
    """The rule, record by record: the status after the last change dated on or before `day`;
    before the first change, the status it moved from (not started if none is given); with no
    change, the current status."""
    from bisect import bisect_right

    if not changes:
        return current
    i = bisect_right([c[0] for c in changes], day)
    return changes[i - 1][2] if i else (changes[0][1] or "not_started")


def test_the_status_history_in_one_pass_matches_each_record_looked_up_at_each_quarter():
    """The difference-array history, and the statuses at the last quarter's end that come out of
    the same pass, give exactly what the rule gives record by record."""
    import random
    from collections import Counter
    from datetime import date, timedelta

    from national.pack import Quarter, _status_history, quarters_between

    statuses = ["not_started", "in_progress", "awaiting_sign_off", "complete", "no_further_action"]
    chance = random.Random(20221)
    quarters = quarters_between(Quarter(2019, 3), Quarter(2022, 4))
    rows, changes = [], {}
    for pk in range(400):
        published = date(2019, 7, 1) + timedelta(days=chance.randrange(0, 1400))
        rows.append((pk, chance.choice(statuses), None, "", "", "", 0, "", published))
        dates = sorted(
            published + timedelta(days=chance.randrange(-60, 900)) for _ in range(chance.randrange(0, 6))
        )
        changes[pk] = [(d, chance.choice(["", *statuses]), chance.choice(statuses)) for d in dates]
    expected = [
        Counter(_status_on(changes[r[0]], q.end, r[1]) for r in rows if r[8] <= q.end) for q in quarters
    ]
    history, at_last_end = _status_history(quarters, rows, changes)
    assert [counts for _q, counts in history] == expected
    last_end = quarters[-1].end
    published_by_then = [r for r in rows if r[8] <= last_end]
    assert len(published_by_then) > 300  # the check covers most records, changed and unchanged
    assert {r[0]: at_last_end[r[0]] for r in published_by_then} == {
        r[0]: _status_on(changes[r[0]], last_end, r[1]) for r in published_by_then
    }


def test_the_pack_page_lists_the_first_items_and_the_word_document_lists_them_all(
    world, gwent_staff, client_for, monkeypatch
):
    """A force with years of inspections has thousands of overdue items: its pack page lists the
    oldest few and says how many there are; the Word document, the board's paper, lists them all."""
    from docx import Document

    quarter = Quarter.of(timezone.localdate()).previous()
    whole = build_pack(quarter, world.gwent)
    assert whole.overdue_total >= 2, "the seed world should have overdue records"
    monkeypatch.setattr("national.pack.PAGE_LISTED", 1)
    monkeypatch.setattr("national.views_pack.PAGE_LISTED", 1)
    client = client_for(gwent_staff)
    url = reverse("national:force-pack", kwargs={"force_slug": "gwent"})
    html = client.get(url, {"quarter": quarter.param}).content.decode()
    assert f"The 1 oldest of {whole.overdue_total} overdue items" in html
    assert "This page lists at most 1 items in each list" in html
    assert html.count('<td class="govuk-table__cell govuk-table__cell--numeric">') >= 1
    assert (
        whole.overdue[1].label
        not in html.split("Overdue at the end of the quarter", 1)[1].split("</table>")[0]
    )

    docx = client.get(
        reverse("national:force-pack-docx", kwargs={"force_slug": "gwent"}), {"quarter": quarter.param}
    )
    tables = Document(io.BytesIO(docx.content)).tables
    overdue = next(t for t in tables if t.rows[0].cells[-1].text == "Days overdue")
    assert len(overdue.rows) - 1 == whole.overdue_total


def test_the_pack_page_says_nothing_is_left_out_when_every_list_fits(world, gwent_staff, client_for):
    quarter = Quarter.of(timezone.localdate()).previous()
    html = (
        client_for(gwent_staff)
        .get(reverse("national:force-pack", kwargs={"force_slug": "gwent"}), {"quarter": quarter.param})
        .content.decode()
    )
    assert "This page lists at most" not in html
