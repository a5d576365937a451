"""Every kind of bad input on the progress workflow: a clear GOV.UK error, nothing saved, never a 500."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations.models import Record
from recommendations.services import add_progress_update

from .progress_helpers import EXE, PDF, PNG, snapshot, upload

pytestmark = [pytest.mark.django_db, pytest.mark.force_scope("gwent"), pytest.mark.shared_world]


def _url(name, record):
    return reverse(name, kwargs={"force_slug": record.force.slug, "pk": record.pk})


def _assert_form_error(response, message):
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    assert message in body, body[body.find("govuk-error-summary") :][:1500]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "   "}, "Enter the progress update"),
        ({"text": "With a file.", "evidence": [upload("photo.pdf", PNG)]}, "is not a real .pdf file"),
        ({"text": "With a file.", "evidence": [upload("notes.txt", EXE)]}, "is not a real .txt file"),
        ({"text": "With a file.", "evidence": [upload("tool.exe", EXE)]}, "must be a PDF, DOCX"),
        ({"text": "With a file.", "evidence": [upload("scan.png", PDF)]}, "is not a real .png file"),
        ({"text": "With a file.", "evidence": [upload("report.docx", PDF)]}, "is not a real .docx file"),
        ({"text": "With a file.", "evidence": [upload("empty.txt", b"")]}, "is empty"),
        (
            {"text": "Two files, one bad.", "evidence": [upload("ok.pdf", PDF), upload("bad.pdf", PNG)]},
            "bad.pdf is not a real .pdf file",
        ),
        ({"text": "Closing.", "status": "complete"}, "You cannot move this record to that status"),
    ],
    ids=[
        "empty-text",
        "png-named-pdf",
        "exe-named-txt",
        "exe",
        "pdf-named-png",
        "pdf-named-docx",
        "empty-file",
        "one-good-one-bad",
        "staff-complete",
    ],
)
def test_bad_update_is_refused_and_nothing_saved(world, gwent_staff, client_for, data, message):
    record = world.record(world.gwent)
    before = snapshot(record)
    response = client_for(gwent_staff).post(_url("recommendations:update-create", record), data)
    _assert_form_error(response, message)
    assert snapshot(record) == before


def test_file_over_the_limit_is_refused(world, gwent_staff, client_for, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    record = world.record(world.gwent)
    before = snapshot(record)
    big = upload("big.pdf", PDF + b"0" * 2048)
    response = client_for(gwent_staff).post(
        _url("recommendations:update-create", record), {"text": "Big.", "evidence": [big]}
    )
    _assert_form_error(response, "big.pdf must be smaller than 1.0")
    assert snapshot(record) == before


def test_stale_form_is_refused(world, gwent_staff, gwent_chief, client_for):
    record = world.record(world.gwent)
    shown_version = record.version
    add_progress_update(record, author=gwent_chief, text="Meanwhile, the chief officer wrote this.")
    before = snapshot(record)
    response = client_for(gwent_staff).post(
        _url("recommendations:update-create", record),
        {"text": "Mine.", "version": shown_version, "evidence": [upload("minutes.pdf", PDF)]},
    )
    _assert_form_error(response, "Someone else changed this record")
    assert snapshot(record) == before


def test_stale_owner_change_is_refused(world, gwent_staff, client_for):
    from recommendations.services import save_owner

    record = world.record(world.gwent)
    owner = save_owner(world.gwent, acting_user=gwent_staff, name="", role_title="Head of PPU", email="")
    shown_version = record.version
    add_progress_update(record, author=gwent_staff, text="Meanwhile.")
    before = snapshot(record)
    response = client_for(gwent_staff).post(
        _url("recommendations:record-owners", record), {"owners": [owner.pk], "version": shown_version}
    )
    _assert_form_error(response, "Someone else changed this record")
    assert snapshot(record) == before


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "must be in the future"), (0, "must be in the future"), (None, "Enter the new due date")],
    ids=["yesterday", "today", "missing"],
)
def test_extension_date_must_be_in_the_future(world, gwent_staff, client_for, days, message):
    record = world.record(world.gwent)
    Record.objects.filter(pk=record.pk).update(current_due_on=timezone.localdate() - timedelta(days=30))
    before = snapshot(record)
    new_date = "" if days is None else (timezone.localdate() + timedelta(days=days)).isoformat()
    response = client_for(gwent_staff).post(
        _url("recommendations:extension-create", record), {"new_due_on": new_date, "reason": "Late."}
    )
    _assert_form_error(response, message)
    assert snapshot(record) == before


def test_extension_date_that_is_not_a_date_is_refused(world, gwent_staff, client_for):
    record = world.record(world.gwent)
    before = snapshot(record)
    response = client_for(gwent_staff).post(
        _url("recommendations:extension-create", record), {"new_due_on": "31/02/2030", "reason": "Late."}
    )
    _assert_form_error(response, "Enter a real date")
    assert snapshot(record) == before


def test_return_without_reason_is_refused(world, gwent_staff, gwent_chief, client_for):
    record = world.record(world.gwent)
    add_progress_update(record, author=gwent_staff, text="Done.", status="awaiting_sign_off")
    before = snapshot(record)
    response = client_for(gwent_chief).post(
        _url("recommendations:record-sign-off", record), {"decision": "return"}
    )
    _assert_form_error(response, "Enter the reason for returning it")
    assert snapshot(record) == before


def test_sign_off_of_a_record_not_awaiting_it_is_refused(world, gwent_chief, client_for):
    record = world.record(world.gwent)
    before = snapshot(record)
    response = client_for(gwent_chief).post(
        _url("recommendations:record-sign-off", record), {"decision": "complete", "version": record.version}
    )
    _assert_form_error(response, "Only a record awaiting sign-off can be signed off")
    assert snapshot(record) == before


def test_no_further_action_without_reason_is_refused(world, gwent_chief, client_for):
    record = world.record(world.gwent)
    before = snapshot(record)
    response = client_for(gwent_chief).post(
        _url("recommendations:record-no-further-action", record), {"reason": ""}
    )
    _assert_form_error(response, "Enter the reason for no further action")
    assert snapshot(record) == before


@pytest.mark.parametrize(
    ("role", "name", "data"),
    [
        ("gwent_staff", "recommendations:record-sign-off", {"decision": "complete"}),
        ("gwent_staff", "recommendations:record-no-further-action", {"reason": "Not needed."}),
        ("national", "recommendations:update-create", {"text": "From the national team."}),
        ("admin", "recommendations:update-create", {"text": "From an administrator."}),
        ("dyfed_chief", "recommendations:update-create", {"text": "Not my force."}),
        ("dyfed_chief", "recommendations:record-sign-off", {"decision": "complete"}),
    ],
)
def test_role_that_may_not_act_gets_404_and_nothing_saved(world, personas, client_for, role, name, data):
    record = world.record(world.gwent)
    add_progress_update(record, author=personas["gwent_staff"], text="Done.", status="awaiting_sign_off")
    before = snapshot(record)
    response = client_for(personas[role]).post(_url(name, record), data)
    assert response.status_code == 404
    assert snapshot(record) == before


def test_correction_of_another_records_entry_is_not_found(world, gwent_staff, client_for):
    record = world.record(world.gwent, 14)
    other = world.update(world.gwent, 19)
    before = snapshot(record)
    response = client_for(gwent_staff).post(
        _url("recommendations:update-create", record) + f"?corrects={other.pk}", {"text": "Wrong record."}
    )
    assert response.status_code == 404
    assert snapshot(record) == before


def test_rollback_removes_files_already_written(world, gwent_staff, monkeypatch):
    """A failure after a file reached storage leaves neither rows nor files behind."""
    from recommendations import evidence, services

    from .progress_helpers import stored_files

    record = world.record(world.gwent)
    before = snapshot(record)
    real_store = evidence.store
    calls = []

    def store_then_fail(force, checked):
        if calls:
            raise OSError("disk full")
        calls.append(real_store(force, checked))
        return calls[-1]

    monkeypatch.setattr(evidence, "store", store_then_fail)
    files = [evidence.check_evidence(upload("a.pdf", PDF)), evidence.check_evidence(upload("b.pdf", PDF))]
    with pytest.raises(OSError):
        services.add_progress_update(record, author=gwent_staff, text="Two files.", attachments=files)
    assert calls, "the first file was written before the failure"
    assert snapshot(record) == before
    assert stored_files() == []
