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
