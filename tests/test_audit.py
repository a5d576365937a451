"""The audit trail: who, when, what changed and from which request; append-only; shown and exported."""

import csv
import io
import json
import re

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from audit.models import AppendOnlyError, AuditEvent, HistoricalForceUserObjectPermission
from forces.models import Membership
from forces.services import set_membership
from recommendations.models import Owner, Record

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_whole_life_of_a_gwent_record_from_creation_to_sign_off(world, gwent_staff, gwent_chief, client_for):
    record = world.record(world.gwent, 18)
    staff, chief = client_for(gwent_staff), client_for(gwent_chief)
    url = f"/api/forces/gwent/records/{record.pk}/updates/"
    owner = post_json(staff, "/api/forces/gwent/owners/", {"role_title": "Head of Public Protection"}).json()
    record.owners.add(owner["id"])
    assert (
        post_json(
            staff,
            url,
            {
                "text": "Audit done.",
                "status": "awaiting_sign_off",
                "rag": "green",
                "expected_version": record.version,
            },
        ).status_code
        == 201
    )
    record.refresh_from_db()
    assert (
        post_json(
            chief,
            url,
            {"text": "Evidence seen; signed off.", "status": "complete", "expected_version": record.version},
        ).status_code
        == 201
    )

    history = list(Record.history.filter(id=record.pk).order_by("history_date"))
    assert history[0].history_type == "+"  # created with the inspection's records
    last = history[-1]
    assert last.status == "complete" and last.history_user == gwent_chief
    assert f"POST /api/forces/gwent/records/{record.pk}/updates/" in last.history_change_reason
    delta = last.diff_against(history[-2])
    assert {c.field: (c.old, c.new) for c in delta.changes}["status"] == ("awaiting_sign_off", "complete")

    page = chief.get(f"/forces/gwent/records/{record.pk}/history/")
    assert page.status_code == 200
    text = page.content.decode()
    for expected in (
        "Record created",
        "Implemented, sign-off requested",
        "Signed off as complete",
        "Evidence seen; signed off.",
        "Head of Public Protection",
        "gwent.chief",
        "Implemented, awaiting sign-off",  # status before and after, in words
    ):
        assert expected in text, expected
    assert text.index("Signed off as complete") < text.index("Record created")  # newest first


def _signed_off(world, staff, chief):
    from recommendations.services import add_progress_update, sign_off

    record = world.record(world.gwent, 18)
    add_progress_update(record, author=staff, text="Audit done.", status="awaiting_sign_off", rag="green")
    record.refresh_from_db()
    sign_off(record, acting_user=chief, text="")
    return record


def _titles(html: str) -> list[str]:
    return re.findall(r'<h[23] class="moj-timeline__title">([^<]*)</h[23]>', html)


def test_history_shows_one_entry_per_step_with_one_heading(world, gwent_staff, gwent_chief, client_for):
    record = _signed_off(world, gwent_staff, gwent_chief)
    html = client_for(gwent_chief).get(f"/forces/gwent/records/{record.pk}/history/").content.decode()
    titles = _titles(html)
    # The sign-off is one entry (its record change folded in), its heading said once, not "… added".
    assert titles.count("Signed off as complete") == 1
    assert titles.count("Implemented, sign-off requested") == 1
    assert "Record changed" not in titles
    assert not [t for t in titles if t.endswith(" added")]
    # The step's entry carries what it changed on the record: the RAG as well as the status.
    step = html.split(">Implemented, sign-off requested<", 1)[1].split("moj-timeline__item", 1)[0]
    assert "Green: on track or complete" in step and "Audit done." in step
    # A stock text that only repeats the heading is not shown under it.
    assert "Signed off as complete." not in html


def test_history_shows_labels_and_dates_in_words_not_ids(world, gwent_staff, client_for):
    record = world.record(world.gwent, 18)
    client = client_for(gwent_staff)
    html = client.get(f"/forces/gwent/records/{record.pk}/history/").content.decode()
    created = html.split(">Record created<", 1)[1]
    assert "Gwent Police" in created
    assert "Recommendation 18: All MAPPA nominals managed at Levels 2 and 3" in created
    assert "14 July 2023" in created
    assert "2023-07-14" not in html
    assert f'<td class="govuk-table__cell">{world.gwent.pk}</td>' not in html
    gwent_staff.preferred_language = "cy"
    gwent_staff.save(update_fields=["preferred_language"])
    html = client_for(gwent_staff).get(f"/forces/gwent/records/{record.pk}/history/").content.decode()
    assert "14 Gorffennaf 2023" in html and "Cofnod wedi’i greu" in html


def test_history_and_timeline_show_a_persons_full_name(world, gwent_staff, gwent_chief, client_for):
    gwent_chief.first_name, gwent_chief.last_name = "Pam", "Kelly"
    gwent_chief.save(update_fields=["first_name", "last_name"])
    record = _signed_off(world, gwent_staff, gwent_chief)
    client = client_for(gwent_staff)
    history = client.get(f"/forces/gwent/records/{record.pk}/history/").content.decode()
    timeline = client.get(f"/forces/gwent/records/{record.pk}/").content.decode()
    for html in (history, timeline):
        assert "by Pam Kelly" in html
        assert "gwent.chief" not in html.split("<main", 1)[1]
        assert "by gwent.staff" in html  # no name on the account: the username


def test_record_page_timeline_heading_does_not_repeat_its_text(world, gwent_staff, gwent_chief, client_for):
    record = _signed_off(world, gwent_staff, gwent_chief)
    html = client_for(gwent_chief).get(f"/forces/gwent/records/{record.pk}/").content.decode()
    assert "Signed off as complete" in _titles(html)
    assert "Signed off as complete." not in html
    assert "Audit done." in html  # real words are still shown


def test_record_history_is_scoped_like_the_record(world, dyfed_staff, national, client_for):
    record = world.record(world.gwent)
    assert client_for(dyfed_staff).get(f"/forces/gwent/records/{record.pk}/history/").status_code == 404
    assert client_for(dyfed_staff).get(f"/forces/dyfed-powys/records/{record.pk}/history/").status_code == 404
    assert client_for(national).get(f"/forces/gwent/records/{record.pk}/history/").status_code == 200


def test_history_page_runs_a_bounded_number_of_queries(
    world, gwent_staff, client_for, django_assert_max_num_queries
):
    from recommendations.services import add_progress_update

    record = world.record(world.gwent)
    client = client_for(gwent_staff)
    url = f"/forces/gwent/records/{record.pk}/history/"
    client.get(url)
    for i in range(15):
        add_progress_update(record, author=gwent_staff, text=f"update {i}", rag="amber")
        owner = Owner.objects.create(force=world.gwent, name=f"Owner {i}")
        record.owners.add(owner)
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


def test_permission_changes_are_recorded_with_who(world, gwent_staff, admin_user, rf):
    from simple_history.models import HistoricalRecords

    request = RequestFactory().post("/admin/forces/membership/1/change/")
    request.user = admin_user
    HistoricalRecords.context.request = request
    try:
        set_membership(gwent_staff, world.gwent, Membership.Role.CHIEF_OFFICER)
    finally:
        del HistoricalRecords.context.request
    granted = HistoricalForceUserObjectPermission.objects.filter(
        user=gwent_staff, permission__codename="sign_off", history_type="+"
    ).get()
    assert granted.history_user == admin_user and "/admin/forces/membership/" in granted.history_change_reason
    membership = Membership.history.filter(user=gwent_staff).order_by("-history_date").first()
    assert membership.role == "chief_officer" and membership.history_user == admin_user
    set_membership(gwent_staff, world.gwent, Membership.Role.OPCC_STAFF)
    assert HistoricalForceUserObjectPermission.objects.filter(
        user=gwent_staff, permission__codename="sign_off", history_type="-"
    ).exists()


def test_audit_events_are_append_only(world, gwent_staff):
    request = RequestFactory().get("/x/")
    request.user = gwent_staff
    from audit.services import record_event

    event = record_event(request, AuditEvent.Action.EXPORT, summary="x")
    event.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(summary="y")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    admin = site._registry[AuditEvent]
    request.user = type(
        "Super", (), {"is_active": True, "is_staff": True, "is_superuser": True, "has_perm": lambda *a: True}
    )()
    assert not admin.has_change_permission(request) and not admin.has_delete_permission(request)
    assert not admin.has_add_permission(request)


def test_history_rows_have_no_admin_to_edit_them():
    registered = {m._meta.label_lower for m in site._registry}
    assert not any(label.split(".")[1].startswith("historical") for label in registered)


def test_export_for_national_team_and_administrators_only(
    world, gwent_staff, national, admin_user, client_for
):
    post_json(client_for(gwent_staff), "/api/forces/gwent/owners/", {"name": '=HYPERLINK("http://x")'})
    assert client_for(gwent_staff).get("/audit/export/?download=1").status_code == 403
    for user in (national, admin_user):
        client = client_for(user)
        assert client.get("/audit/export/").status_code == 200
        response = client.get("/audit/export/?download=1")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
        assert rows[0][:4] == ["when", "who", "object_type", "object_id"]
        types = {row[2] for row in rows[1:]}
        assert {"recommendations.record", "forces.membership", "recommendations.owner"} <= types
        assert any(row[7] == '\'=HYPERLINK("http://x")' for row in rows)  # CSV injection defused
    assert AuditEvent.objects.filter(action="export", user=national).exists()


def test_export_since_a_date(world, national, client_for):
    response = client_for(national).get("/audit/export/?download=1&since=2999-01-01")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert all(row[2] == "audit.auditevent" for row in rows[1:])


def test_spreadsheet_and_national_exports_are_in_the_audit_trail(world, gwent_staff, national, client_for):
    from audit.models import AuditEvent

    assert client_for(gwent_staff).get("/forces/gwent/export/records.csv").status_code == 200
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user=gwent_staff).get()
    assert event.force == world.gwent and "records" in event.summary
    assert client_for(national).get("/national/export.csv").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, user=national).exists()


def test_an_audit_entry_keeps_client_text_with_a_nul_byte_without_failing(rf):
    """PostgreSQL's text and JSON columns cannot hold NUL: a refusal of such input is still recorded."""
    from audit.services import record_event

    request = rf.post("/national-team/people/invite/")
    request.user = AnonymousUser()
    event = record_event(
        request, AuditEvent.Action.OTHER, summary="Refused: \x00", role="\x00admin", nested={"a": ["\x00"]}
    )
    event.refresh_from_db()
    assert "\x00" not in event.summary
    assert event.data["role"] == "\N{REPLACEMENT CHARACTER}admin"
    assert event.data["nested"] == {"a": ["\N{REPLACEMENT CHARACTER}"]}
