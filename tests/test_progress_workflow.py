"""The progress workflow through the views: updates with evidence, corrections, owners, closure, extensions."""

import hashlib
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.evidence import check_evidence
from recommendations.models import Attachment, DueDateExtension, Owner, ProgressUpdate, Record
from recommendations.services import add_progress_update

from .progress_helpers import JPEG, PDF, PNG, ooxml, stored_files, upload

pytestmark = [pytest.mark.django_db, pytest.mark.force_scope("gwent"), pytest.mark.shared_world]
Kind = ProgressUpdate.Kind


def _v(record) -> int:
    """The record's version now, as the page's hidden field would carry it."""
    record.refresh_from_db()
    return record.version


def _url(name, record, **extra):
    return reverse(name, kwargs={"force_slug": record.force.slug, "pk": record.pk, **extra})


def test_staff_add_update_with_evidence_and_status_change(world, gwent_staff, client_for):
    record = world.record(world.gwent)
    client = client_for(gwent_staff)
    files = [
        upload("minutes.pdf", PDF),
        upload("plan.docx", ooxml("word/document.xml")),
        upload("tracker.xlsx", ooxml("xl/workbook.xml")),
        upload("figures.csv", b"force,nominals\nGwent,50.1\n"),
        upload("chart.png", PNG),
        upload("photo.jpg", JPEG),
        upload("notes.txt", "Café meeting notes\n".encode("cp1252")),
    ]
    response = client.post(
        _url("recommendations:update-create", record),
        {
            "text": "Training delivered.\nSecond line.",
            "status": "awaiting_sign_off",
            "rag": "green",
            "version": record.version,
            "evidence": files,
        },
        follow=True,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Progress update added" in body and "govuk-notification-banner--success" in body
    record.refresh_from_db()
    assert record.status == Record.Status.AWAITING_SIGN_OFF and record.rag == "green"
    update = record.latest_update
    assert update.kind == Kind.CLOSURE_REQUESTED and update.author == gwent_staff
    assert body.index(f'id="update-{update.pk}"') < body.index(
        'class="moj-timeline__item"', body.index(f'id="update-{update.pk}"') + 1
    )
    names = sorted(update.attachments.values_list("original_name", flat=True))
    assert names == sorted(f.name for f in files)
    on_disk = stored_files()
    assert len(on_disk) == 7
    assert all(p.parent.name == "gwent" and p.parent.parent.name == "evidence" for p in on_disk)
    assert not any(p.name in names for p in on_disk)  # random names, never the uploaded one
    pdf = update.attachments.get(original_name="minutes.pdf")
    assert pdf.sha256 == hashlib.sha256(PDF).hexdigest() and pdf.size == len(PDF)
    assert pdf.force == world.gwent


def test_evidence_downloads_only_inside_the_force(world, gwent_staff, dyfed_staff, national, client_for):
    record = world.record(world.gwent)
    client_for(gwent_staff).post(
        _url("recommendations:update-create", record),
        {"version": _v(record), "text": "Minutes.", "evidence": [upload("minutes.pdf", PDF)]},
    )
    attachment = Attachment.objects.get()
    url = attachment.get_absolute_url()
    response = client_for(gwent_staff).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "minutes.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert client_for(national).get(url).status_code == 200  # the national team reads every force
    assert client_for(dyfed_staff).get(url).status_code == 404
    dyfed_url = reverse(
        "recommendations:attachment-download", kwargs={"force_slug": "dyfed-powys", "pk": attachment.pk}
    )
    assert client_for(dyfed_staff).get(dyfed_url).status_code == 404


def test_correction_is_a_new_entry_shown_against_the_original(world, gwent_staff, client_for):
    record = world.record(world.gwent)
    original = record.latest_update
    client = client_for(gwent_staff)
    form = client.get(_url("recommendations:update-create", record) + f"?corrects={original.pk}")
    assert form.status_code == 200 and "Correct an entry" in form.content.decode()
    response = client.post(
        _url("recommendations:update-create", record) + f"?corrects={original.pk}",
        {"version": _v(record), "text": "The figure was 51.2, not 50.1.", "corrects": original.pk},
        follow=True,
    )
    correction = ProgressUpdate.objects.get(corrects=original)
    assert correction.kind == Kind.CORRECTION
    body = response.content.decode()
    assert "Correction added" in body
    assert f'href="#update-{original.pk}"' in body and f'href="#update-{correction.pk}"' in body
    assert ProgressUpdate.objects.get(pk=original.pk).text == original.text


def test_owners_are_added_and_chosen_with_a_timeline_entry(world, gwent_staff, client_for):
    record = world.record(world.gwent)
    client = client_for(gwent_staff)
    response = client.post(
        reverse("recommendations:owner-create", kwargs={"force_slug": "gwent"}),
        {"name": "", "role_title": "Head of Public Protection", "email": "ppu@gwent.example"},
        follow=True,
    )
    assert "Owner added" in response.content.decode()
    owner = Owner.objects.get(force=world.gwent, email="ppu@gwent.example")
    empty = client.post(
        reverse("recommendations:owner-create", kwargs={"force_slug": "gwent"}), {"email": "x@y.z"}
    )
    assert empty.status_code == 200 and "Enter a name or a role" in empty.content.decode()
    response = client.post(
        _url("recommendations:record-owners", record),
        {"owners": [owner.pk], "version": record.version},
        follow=True,
    )
    assert "Owners changed" in response.content.decode()
    record.refresh_from_db()
    assert list(record.owners.all()) == [owner]
    assert record.latest_update.kind == Kind.OWNERS_CHANGED
    assert "Head of Public Protection" in record.latest_update.text
    client.post(
        reverse("recommendations:owner-update", kwargs={"force_slug": "gwent", "owner_pk": owner.pk}),
        {"name": "D. Evans", "role_title": "Head of Public Protection", "email": "d.evans@gwent.example"},
    )
    owner.refresh_from_db()
    assert owner.name == "D. Evans" and owner.email == "d.evans@gwent.example"


def test_closure_needs_the_forces_chief_officer(world, gwent_staff, gwent_chief, client_for):
    record = world.record(world.gwent)
    staff, chief = client_for(gwent_staff), client_for(gwent_chief)
    response = staff.post(
        _url("recommendations:closure-request", record),
        {"version": _v(record), "text": "All trained."},
        follow=True,
    )
    assert "Sent to the chief officer for sign-off" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Record.Status.AWAITING_SIGN_OFF
    assert record.latest_update.kind == Kind.CLOSURE_REQUESTED
    # The record page offers the sign-off to the chief officer only.
    assert "Sign off or return" not in staff.get(record.get_absolute_url()).content.decode()
    assert "Sign off or return" in chief.get(record.get_absolute_url()).content.decode()
    assert staff.get(_url("recommendations:record-sign-off", record)).status_code == 404

    chief.post(
        _url("recommendations:record-sign-off", record),
        {"version": _v(record), "decision": "return", "reason": "Show the records."},
    )
    record.refresh_from_db()
    assert record.status == Record.Status.IN_PROGRESS
    assert record.latest_update.kind == Kind.RETURNED and record.latest_update.author == gwent_chief
    assert record.latest_update.text == "Show the records."

    staff.post(
        _url("recommendations:closure-request", record), {"version": _v(record), "text": "Records attached."}
    )
    response = chief.post(
        _url("recommendations:record-sign-off", record),
        {"version": _v(record), "decision": "complete"},
        follow=True,
    )
    assert "Signed off as complete" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Record.Status.COMPLETE
    assert record.latest_update.kind == Kind.SIGNED_OFF and record.latest_update.author == gwent_chief
    kinds = list(record.updates.order_by("pk").values_list("kind", flat=True))[-4:]
    assert kinds == [Kind.CLOSURE_REQUESTED, Kind.RETURNED, Kind.CLOSURE_REQUESTED, Kind.SIGNED_OFF]


def test_no_further_action_needs_a_chief_officer_and_a_reason(world, gwent_chief, client_for):
    record = world.record(world.gwent, 15)
    response = client_for(gwent_chief).post(
        _url("recommendations:record-no-further-action", record),
        {"version": _v(record), "reason": "Superseded by the national programme."},
        follow=True,
    )
    assert "Closed with no further action" in response.content.decode()
    record.refresh_from_db()
    assert record.status == Record.Status.NO_FURTHER_ACTION
    assert record.no_further_action_reason == "Superseded by the national programme."
    assert record.latest_update.kind == Kind.NO_FURTHER_ACTION


def test_extension_approved_moves_the_current_date_and_keeps_the_original(
    world, gwent_staff, gwent_chief, client_for
):
    record = world.record(world.gwent)
    original = record.original_due_on
    new_date = timezone.localdate() + timedelta(days=120)
    response = client_for(gwent_staff).post(
        _url("recommendations:extension-create", record),
        {"new_due_on": new_date.isoformat(), "reason": "Training places run out.", "version": record.version},
        follow=True,
    )
    assert "Extension requested" in response.content.decode()
    extension = DueDateExtension.objects.get()
    assert extension.is_pending and extension.requested_by == gwent_staff and extension.force == world.gwent
    again = client_for(gwent_staff).get(record.get_absolute_url()).content.decode()
    assert "Request an extension" not in again  # one pending request at a time
    decide = reverse("recommendations:extension-decide", kwargs={"force_slug": "gwent", "pk": extension.pk})
    assert client_for(gwent_staff).post(decide, {"decision": "approve"}).status_code == 404
    client_for(gwent_chief).post(decide, {"decision": "approve"})
    record.refresh_from_db()
    extension.refresh_from_db()
    assert record.current_due_on == new_date and record.original_due_on == original
    assert extension.decision == "approved" and extension.decided_by == gwent_chief and extension.decided_at
    assert record.latest_update.kind == Kind.EXTENSION_APPROVED
    page = client_for(gwent_staff).get(record.get_absolute_url()).content.decode()
    assert f"{original:%-d %B %Y}" in page and f"{new_date:%-d %B %Y}" in page


def test_extension_refused_needs_a_reason_and_keeps_the_date(world, gwent_staff, gwent_chief, client_for):
    from recommendations.services import request_extension

    record = world.record(world.gwent)
    due = record.current_due_on
    extension = request_extension(
        record, requested_by=gwent_staff, new_due_on=date.today() + timedelta(days=400), reason="Late."
    )
    decide = reverse("recommendations:extension-decide", kwargs={"force_slug": "gwent", "pk": extension.pk})
    chief = client_for(gwent_chief)
    no_reason = chief.post(decide, {"decision": "refuse"})
    assert (
        no_reason.status_code == 200
        and "Enter the reason for refusing the extension" in no_reason.content.decode()
    )
    chief.post(decide, {"decision": "refuse", "decision_reason": "Finish by the original date."})
    record.refresh_from_db()
    extension.refresh_from_db()
    assert record.current_due_on == due and extension.decision == "refused"
    assert record.latest_update.kind == Kind.EXTENSION_REFUSED


def test_read_only_roles_see_no_action_buttons(world, national, gwent_staff, client_for):
    record = world.record(world.gwent)
    # Staff's own words (an entry taken from the PCC's published letter is not theirs to correct).
    add_progress_update(record, author=gwent_staff, text="Refresher training booked.")
    page = client_for(national).get(record.get_absolute_url()).content.decode()
    assert "Add a progress update" not in page and "Correct this entry" not in page
    page = client_for(gwent_staff).get(record.get_absolute_url()).content.decode()
    assert "Add a progress update" in page and "Correct this entry" in page


def test_record_page_shows_what_was_published(world, gwent_staff, client_for):
    record = world.record(world.gwent)
    page = client_for(gwent_staff).get(record.get_absolute_url()).content.decode()
    assert "Recommendation 14" in page
    assert record.recommendation.inspection.title in page
    assert "Original due date" in page and "Current due date" in page
    assert "Police" in page  # addressees


def test_staff_status_choices_come_from_allowed_statuses(world, gwent_staff, gwent_chief, client_for):
    record = world.record(world.gwent)
    add_progress_update(record, author=gwent_staff, text="Done.", status="awaiting_sign_off")
    staff_form = client_for(gwent_staff).get(_url("recommendations:update-create", record)).content.decode()
    assert 'value="in_progress"' in staff_form and 'value="complete"' not in staff_form


def test_record_page_runs_a_bounded_number_of_queries(
    world, gwent_staff, client_for, django_assert_max_num_queries
):
    record = world.record(world.gwent)
    client = client_for(gwent_staff)
    client.get(record.get_absolute_url())
    with django_assert_max_num_queries(16) as small:
        assert client.get(record.get_absolute_url()).status_code == 200
    for n in range(10):
        result = add_progress_update(
            record,
            author=gwent_staff,
            text=f"Update {n}.",
            attachments=[check_evidence(upload(f"{n}.pdf", PDF))],
        )
        add_progress_update(record, author=gwent_staff, text=f"Fix {n}.", corrects=result.update)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(record.get_absolute_url())
    assert "9.pdf" in response.content.decode()


def test_staff_withdrawing_a_sign_off_request_is_not_a_return(world, gwent_staff, client_for):
    record = world.record(world.gwent)
    add_progress_update(record, author=gwent_staff, text="Done.", status="awaiting_sign_off")
    record.refresh_from_db()
    client_for(gwent_staff).post(
        _url("recommendations:update-create", record),
        {"version": _v(record), "text": "Not yet, one area left.", "status": "in_progress"},
    )
    record.refresh_from_db()
    assert record.status == Record.Status.IN_PROGRESS
    assert record.latest_update.kind == Kind.WITHDRAWN
