"""The section 55 response: drafting, sign-off, publication, letters, the public page, copies."""

import hashlib
import io
from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from recommendations.services import add_progress_update
from responses import services
from responses.demo import load_seed_responses
from responses.letterheads import digest_to_sign
from responses.letters import LETTER_BASE_URL, SafeURLFetcher, UnsafeURL, letter_html
from responses.models import (
    LetterRender,
    Response,
    ResponseCopy,
    ResponseSection,
    ResponseVersion,
    SignedVersionError,
)

# Services run inside Gwent's scope, as a request or a task does; tests that read several forces
# say so with `across_forces`.
pytestmark = [pytest.mark.django_db, pytest.mark.force_scope("gwent"), pytest.mark.shared_world]


@pytest.fixture
def gwent_response(world, gwent_staff):
    return services.start_response(world.gwent, world.inspection, user=gwent_staff)


def _to_awaiting(response, staff):
    services.submit_for_sign_off(response, user=staff)
    response.refresh_from_db()
    return response


def _to_signed(response, staff, chief):
    _to_awaiting(response, staff)
    services.sign_off(response, user=chief, version_number=response.current_version.number)
    response.refresh_from_db()
    return response


def _edit_data(response, **overrides):
    version = response.current_version
    data = {
        "addressee": version.addressee,
        "letter_date": "2022-09-05",
        "pcc_initial_comments": "Initial comments.",
        "chief_officer_comments": "The Chief Constable's comments.",
        "pcc_overall_comments": "Overall comments.",
        "signatory_name": "Jeff Cuthbert",
        "signatory_title": "Police and Crime Commissioner for Gwent",
        "chief_comments_due_on": "2022-08-26",
        "expected_version": str(version.number),
    }
    for section in version.sections.all():
        data[f"section_{section.recommendation_id}"] = section.text
    data.update(overrides)
    return data


# --- Drafting -----------------------------------------------------------------------------------


def test_new_response_is_prefilled_from_the_latest_progress_and_the_force(world, gwent_response):
    version = gwent_response.current_version
    assert version.number == 1 and gwent_response.status == Response.Status.DRAFT
    assert version.signatory_name == world.gwent.commissioner_name
    assert version.signatory_title == world.gwent.commissioner_title
    assert "Home Secretary" in version.addressee and "SW1P 4DF" in version.addressee
    numbers = sorted(s.recommendation.number for s in version.sections.all())
    assert numbers == [14, 15, 18, 19]
    section_19 = version.sections.get(recommendation__number=19)
    assert section_19.text == world.update(world.gwent, 19).text
    assert "50.1 nominals per manager" in section_19.text


def test_prefill_takes_the_newest_progress_update(world, gwent_staff):
    add_progress_update(
        world.record(world.gwent, 14),
        author=gwent_staff,
        text="Newer progress on Category 3.",
        dated=date(2022, 10, 1),
    )
    response = services.start_response(world.gwent, world.inspection, user=gwent_staff)
    assert (
        response.current_version.sections.get(recommendation__number=14).text
        == "Newer progress on Category 3."
    )


def test_staff_edit_the_draft_through_the_page(world, gwent_staff, gwent_response, client_for):
    url = reverse("responses:edit", kwargs={"force_slug": "gwent", "pk": gwent_response.pk})
    rec_id = world.record(world.gwent, 18).recommendation_id
    page = client_for(gwent_staff).post(
        url, _edit_data(gwent_response, **{f"section_{rec_id}": "New words on 18."})
    )
    assert page.status_code == 303
    gwent_response.refresh_from_db()
    version = gwent_response.current_version
    assert version.number == 1  # unsigned drafts are edited in place
    assert version.sections.get(recommendation_id=rec_id).text == "New words on 18."
    assert gwent_response.chief_comments_due_on == date(2022, 8, 26)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"signatory_name": ""}, "This field is required"),
        ({"letter_date": "31/02/2022"}, "Enter a valid date"),
        ({"pcc_initial_comments": "x" * 20001}, "at most 20000"),
        ({"expected_version": "not a number"}, "Enter a whole number"),
    ],
)
def test_bad_input_shows_govuk_errors_and_saves_nothing(
    gwent_staff, gwent_response, client_for, overrides, message
):
    before = gwent_response.current_version.content_sha256()
    url = reverse("responses:edit", kwargs={"force_slug": "gwent", "pk": gwent_response.pk})
    page = client_for(gwent_staff).post(url, _edit_data(gwent_response, **overrides))
    assert page.status_code == 200
    body = page.content.decode()
    assert "govuk-error-summary" in body and message in body
    gwent_response.refresh_from_db()
    assert gwent_response.current_version.content_sha256() == before
    assert gwent_response.chief_comments_due_on is None


def test_a_stale_edit_is_refused_with_a_message(gwent_staff, gwent_chief, gwent_response, client_for):
    data = _edit_data(gwent_response)
    _to_signed(gwent_response, gwent_staff, gwent_chief)
    services.save_draft(gwent_response, user=gwent_staff, fields={"pcc_overall_comments": "v2"}, sections={})
    url = reverse("responses:edit", kwargs={"force_slug": "gwent", "pk": gwent_response.pk})
    page = client_for(gwent_staff).post(url, data)  # the form was opened on version 1
    assert page.status_code == 200 and "Someone saved version 2" in page.content.decode()
    assert ResponseVersion.objects.filter(response=gwent_response).count() == 2


# --- Workflow permissions as a table -------------------------------------------------------------

ROLES = ("gwent_staff", "gwent_chief", "dyfed_staff", "dyfed_chief", "national", "admin", "anonymous")
ALLOWED = {
    "edit": {"gwent_staff", "gwent_chief"},
    "submit": {"gwent_staff", "gwent_chief"},
    "sign_off": {"gwent_chief"},
    "publish": {"gwent_staff"},
}


def _prepare(action, response, staff, chief):
    if action == "sign_off":
        _to_awaiting(response, staff)
    elif action == "publish":
        _to_signed(response, staff, chief)
    return response


def _post_action(action, client, response):
    kwargs = {"force_slug": "gwent", "pk": response.pk}
    if action == "edit":
        return client.post(
            reverse("responses:edit", kwargs=kwargs), _edit_data(response, pcc_overall_comments="Changed.")
        )
    if action == "submit":
        return client.post(reverse("responses:submit", kwargs=kwargs))
    if action == "sign_off":
        version = response.current_version
        return client.post(
            reverse("responses:sign-off", kwargs=kwargs),
            {"version": version.number, "content_sha256": digest_to_sign(version), "confirm": "on"},
        )
    return client.post(reverse("responses:publish", kwargs=kwargs), {"published_on": ""})


def _state(response):
    response.refresh_from_db()
    v = response.current_version
    return (response.status, v.number, v.pcc_overall_comments, v.signed_sha256, response.published_on)


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_workflow_permissions_table(role, action, personas, gwent_response, client_for):
    """Role x action on a Gwent response: only the force's own right people change it; others 404."""
    response = _prepare(action, gwent_response, personas["gwent_staff"], personas["gwent_chief"])
    before = _state(response)
    page = _post_action(action, client_for(personas[role]), response)
    if role in ALLOWED[action]:
        assert page.status_code == 303, page.content.decode()[:2000]
        assert _state(response) != before
    else:
        expected = 302 if role == "anonymous" else 404
        assert page.status_code == expected
        if role == "anonymous":
            assert "/accounts/login/" in page["Location"]
        assert _state(response) == before


@pytest.mark.parametrize("role", ["dyfed_staff", "dyfed_chief", "national", "admin"])
def test_services_refuse_other_forces_and_read_only_roles(role, personas, gwent_response):
    user = personas[role]
    with pytest.raises(PermissionDenied):
        services.save_draft(gwent_response, user=user, fields={"pcc_overall_comments": "x"}, sections={})
    with pytest.raises(PermissionDenied):
        services.submit_for_sign_off(gwent_response, user=user)
    _to_awaiting(gwent_response, personas["gwent_staff"])
    with pytest.raises(PermissionDenied):
        services.sign_off(gwent_response, user=user, version_number=1)
    services.sign_off(gwent_response, user=personas["gwent_chief"], version_number=1)
    with pytest.raises(PermissionDenied):
        services.publish(gwent_response, user=user)
    gwent_response.refresh_from_db()
    assert gwent_response.status == Response.Status.SIGNED_OFF


def test_chief_of_other_force_cannot_sign_off(personas, gwent_response):
    _to_awaiting(gwent_response, personas["gwent_staff"])
    with pytest.raises(PermissionDenied):
        services.sign_off(gwent_response, user=personas["dyfed_chief"], version_number=1)
    gwent_response.refresh_from_db()
    assert gwent_response.status == Response.Status.AWAITING_SIGN_OFF
    assert not gwent_response.current_version.is_signed


# --- Sign-off ------------------------------------------------------------------------------------


def test_sign_off_records_who_when_and_the_hash_of_exactly_what_was_signed(
    gwent_staff, gwent_chief, gwent_response
):
    response = _to_signed(gwent_response, gwent_staff, gwent_chief)
    version = response.current_version
    assert version.signed_off_by == gwent_chief and version.signed_off_at is not None
    content = version.canonical_content()
    import json

    expected = hashlib.sha256(
        json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    ).hexdigest()
    assert version.signed_sha256 == expected
    assert version.signature_matches()
    assert [s[1] for s in content["sections"]] == [14, 15, 18, 19]
    assert content["signatory_name"] == version.signatory_name


def test_replayed_sign_off_is_refused_and_changes_nothing(
    gwent_staff, gwent_chief, gwent_response, client_for
):
    response = _to_signed(gwent_response, gwent_staff, gwent_chief)
    version = response.current_version
    before = (version.signed_off_at, version.signed_sha256, response.status)
    with pytest.raises(ValidationError, match="already signed off"):
        services.sign_off(response, user=gwent_chief, version_number=version.number)
    page = client_for(gwent_chief).post(
        reverse("responses:sign-off", kwargs={"force_slug": "gwent", "pk": response.pk}),
        {"version": version.number, "content_sha256": version.signed_sha256, "confirm": "on"},
    )
    assert page.status_code == 200 and "already signed off" in page.content.decode()
    version.refresh_from_db()
    response.refresh_from_db()
    assert (version.signed_off_at, version.signed_sha256, response.status) == before


def test_sign_off_of_text_that_changed_since_it_was_shown_is_refused(
    gwent_staff, gwent_chief, gwent_response
):
    response = _to_awaiting(gwent_response, gwent_staff)
    shown = digest_to_sign(response.current_version)
    ResponseSection.objects.filter(version=response.current_version, recommendation__number=14).update(
        text="Changed"
    )
    with pytest.raises(ValidationError, match="changed while you were reading"):
        services.sign_off(response, user=gwent_chief, version_number=1, content_sha256=shown)
    assert not ResponseVersion.objects.get(pk=response.current_version_id).is_signed


def test_sign_off_without_the_confirmation_shows_an_error(
    gwent_staff, gwent_chief, gwent_response, client_for
):
    response = _to_awaiting(gwent_response, gwent_staff)
    page = client_for(gwent_chief).post(
        reverse("responses:sign-off", kwargs={"force_slug": "gwent", "pk": response.pk}), {"version": "1"}
    )
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    assert not ResponseVersion.objects.get(pk=response.current_version_id).is_signed


# --- The signed text never changes ---------------------------------------------------------------


def test_signed_text_never_changes_by_model_save_or_queryset(gwent_staff, gwent_chief, gwent_response):
    response = _to_signed(gwent_response, gwent_staff, gwent_chief)
    version = ResponseVersion.objects.get(pk=response.current_version_id)
    signed = version.signed_sha256
    version.pcc_overall_comments = "Tampered"
    with pytest.raises(SignedVersionError):
        version.save()
    with pytest.raises(SignedVersionError):
        ResponseVersion.objects.filter(pk=version.pk).update(pcc_overall_comments="Tampered")
    section = version.sections.first()
    section.text = "Tampered"
    with pytest.raises(SignedVersionError):
        section.save()
    with pytest.raises(SignedVersionError):
        ResponseSection.objects.filter(version=version).update(text="Tampered")
    with pytest.raises(SignedVersionError):
        section.delete()
    with pytest.raises(SignedVersionError):
        ResponseSection.objects.create(
            force=version.force, version=version, recommendation=section.recommendation
        )
    fresh = ResponseVersion.objects.get(pk=version.pk)
    assert fresh.content_sha256() == signed and fresh.signature_matches()


@pytest.mark.parametrize("role", ["gwent_staff", "gwent_chief"])
def test_editing_after_sign_off_starts_a_new_version_and_keeps_the_signed_one(
    role, personas, gwent_response, client_for
):
    response = _to_signed(gwent_response, personas["gwent_staff"], personas["gwent_chief"])
    signed = ResponseVersion.objects.get(pk=response.current_version_id)
    url = reverse("responses:edit", kwargs={"force_slug": "gwent", "pk": response.pk})
    page = client_for(personas[role]).post(url, _edit_data(response, pcc_overall_comments="A later thought."))
    assert page.status_code == 303
    response.refresh_from_db()
    assert response.current_version.number == 2
    assert response.status == Response.Status.DRAFT
    assert not response.current_version.is_signed
    assert response.current_version.pcc_overall_comments == "A later thought."
    again = ResponseVersion.objects.get(pk=signed.pk)
    assert again.signed_sha256 == signed.signed_sha256 and again.signature_matches()
    assert again.pcc_overall_comments == signed.pcc_overall_comments


@pytest.mark.parametrize("role", ["dyfed_staff", "dyfed_chief", "national", "admin"])
def test_other_roles_cannot_reach_the_edit_page_of_a_signed_response(
    role, personas, gwent_response, client_for
):
    response = _to_signed(gwent_response, personas["gwent_staff"], personas["gwent_chief"])
    url = reverse("responses:edit", kwargs={"force_slug": "gwent", "pk": response.pk})
    client = client_for(personas[role])
    assert client.get(url).status_code == 404
    assert client.post(url, _edit_data(response, pcc_overall_comments="x")).status_code == 404
    assert ResponseVersion.objects.filter(response=response).count() == 1


# --- Publication ---------------------------------------------------------------------------------


def test_publish_only_after_sign_off(gwent_staff, gwent_chief, gwent_response):
    with pytest.raises(ValidationError, match="signed off"):
        services.publish(gwent_response, user=gwent_staff)
    _to_awaiting(gwent_response, gwent_staff)
    with pytest.raises(ValidationError, match="signed off"):
        services.publish(gwent_response, user=gwent_staff)
    gwent_response.refresh_from_db()
    assert gwent_response.status == Response.Status.AWAITING_SIGN_OFF and not gwent_response.is_published


def test_publish_page_before_sign_off_shows_an_error(gwent_staff, gwent_response, client_for):
    page = client_for(gwent_staff).post(
        reverse("responses:publish", kwargs={"force_slug": "gwent", "pk": gwent_response.pk}),
        {"published_on": ""},
    )
    assert page.status_code == 200 and "Only a version signed off" in page.content.decode()
    gwent_response.refresh_from_db()
    assert not gwent_response.is_published


def test_publishing_renders_the_letter_and_sends_the_copies(
    settings, world, gwent_staff, gwent_chief, gwent_response, django_capture_on_commit_callbacks
):
    settings.RESPONSE_COPY_RECIPIENTS = ["hmicfrs@example.org", "home.secretary@example.org"]
    response = _to_signed(gwent_response, gwent_staff, gwent_chief)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(response, user=gwent_staff)
    response.refresh_from_db()
    assert response.status == Response.Status.PUBLISHED and response.published_on == timezone.localdate()
    copy = ResponseCopy.objects.get(response=response)
    assert copy.sent_at is not None and copy.recipients == settings.RESPONSE_COPY_RECIPIENTS
    # One e-mail to each recipient, each claimed once.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(settings.RESPONSE_COPY_RECIPIENTS)
    assert all(len(m.to) == 1 for m in mail.outbox)
    for message in mail.outbox:
        ((name, content, mimetype),) = message.attachments
        assert mimetype == "application/pdf" and content.startswith(b"%PDF")
        assert hashlib.sha256(content).hexdigest() == copy.letter.sha256
    assert copy.letter.is_current and copy.letter.version_id == response.published_version_id
    assert sorted(copy.deliveries.values_list("recipient", flat=True)) == sorted(
        settings.RESPONSE_COPY_RECIPIENTS
    )


def test_a_redelivered_copy_task_sends_nothing_twice(
    settings, world, gwent_staff, gwent_chief, gwent_response, django_capture_on_commit_callbacks
):
    """The task runs again after it sent (a redelivery, or the worker died before recording it)."""
    settings.RESPONSE_COPY_RECIPIENTS = ["hmicfrs@example.org", "home.secretary@example.org"]
    response = _to_signed(gwent_response, gwent_staff, gwent_chief)
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(response, user=gwent_staff)
    copy = ResponseCopy.objects.get(response=response)
    assert len(mail.outbox) == 2
    ResponseCopy.objects.filter(pk=copy.pk).update(sent_at=None)  # as if it died before this line
    services.send_copy(copy.pk)
    services.send_copy(copy.pk)
    assert len(mail.outbox) == 2
    assert copy.deliveries.count() == 2


def test_a_copy_whose_send_fails_is_retried_for_that_recipient_only(
    settings, world, gwent_staff, gwent_chief, gwent_response, django_capture_on_commit_callbacks, monkeypatch
):
    settings.RESPONSE_COPY_RECIPIENTS = ["hmicfrs@example.org", "home.secretary@example.org"]
    response = _to_signed(gwent_response, gwent_staff, gwent_chief)
    real = services.send_response_copy

    def fail_for_home_office(copy, letter, recipient):
        if recipient.startswith("home"):
            raise ConnectionError("mail server down")
        real(copy, letter, recipient)

    monkeypatch.setattr(services, "send_response_copy", fail_for_home_office)
    with django_capture_on_commit_callbacks(execute=False):
        services.publish(response, user=gwent_staff)
    copy = ResponseCopy.objects.get(response__pk=response.pk)
    with pytest.raises(ConnectionError):
        services.send_copy(copy.pk)  # what the task runs (and Celery retries)
    assert [m.to for m in mail.outbox] == [["hmicfrs@example.org"]]
    assert list(copy.deliveries.values_list("recipient", flat=True)) == ["hmicfrs@example.org"]
    assert copy.sent_at is None
    monkeypatch.setattr(services, "send_response_copy", real)
    services.send_copy(copy.pk)  # the retry
    assert sorted(m.to[0] for m in mail.outbox) == ["hmicfrs@example.org", "home.secretary@example.org"]
    copy.refresh_from_db()
    assert copy.sent_at is not None


# --- Timeliness of the seed responses ------------------------------------------------------------


@pytest.mark.across_forces
def test_seed_responses_are_published_on_time_or_late_as_in_2022(world):
    load_seed_responses(world.inspection, render=False)
    by_slug = {r.force.slug: r for r in Response.objects.select_related("force", "inspection")}
    # Day 1 is 14 July 2022, so the 56th and last day is 7 September 2022 (s55(5A)).
    assert world.inspection.response_due_on == date(2022, 9, 7)
    assert by_slug["gwent"].published_on == date(2022, 9, 5)
    assert by_slug["gwent"].published_on_time is True
    assert by_slug["gwent"].timeliness()["kind"] == "on_time"
    for slug in ("dyfed-powys", "avon-and-somerset"):
        assert by_slug[slug].published_on == date(2022, 9, 8)
        assert by_slug[slug].published_on_time is False
        assert by_slug[slug].timeliness() == {"kind": "late", "days": 1}
    glos = by_slug["gloucestershire"]
    assert glos.published_on == date(2022, 9, 20)
    assert glos.published_on_time is False and glos.days_late() == 13
    assert glos.timeliness() == {"kind": "late", "days": 13}
    staffs = by_slug["staffordshire"]
    assert staffs.is_published and staffs.published_on is None
    assert staffs.timeliness()["kind"] == "date_not_known"
    assert staffs.days_late() is None and staffs.published_on_time is None
    for response in by_slug.values():
        assert response.published_version.signature_matches()


@pytest.mark.across_forces
def test_seed_loader_is_idempotent(world):
    load_seed_responses(world.inspection, render=False)
    counts = (Response.objects.count(), ResponseVersion.objects.count(), ResponseSection.objects.count())
    load_seed_responses(world.inspection, render=False)
    assert counts == (
        Response.objects.count(),
        ResponseVersion.objects.count(),
        ResponseSection.objects.count(),
    )
    assert counts == (5, 5, 20)


def test_list_page_shows_deadlines_and_timeliness(world, gwent_staff, client_for):
    load_seed_responses(world.inspection, render=False)
    page = client_for(gwent_staff).get(reverse("responses:list", kwargs={"force_slug": "gwent"}))
    body = page.content.decode()
    assert page.status_code == 200 and "Published on time" in body and "7 Sep 2022" in body


@pytest.mark.across_forces
def test_detail_shows_days_late_for_gloucestershire(world, client_for, make_glos_staff):
    load_seed_responses(world.inspection, render=False)
    response = Response.objects.get(force__slug="gloucestershire")
    page = client_for(make_glos_staff).get(response.get_absolute_url())
    body = page.content.decode()
    assert "Published 13 days late" in body
    assert "publish by 7 September 2022 (the 56th day, counting the day of publication)" in body


@pytest.fixture
def make_glos_staff(world):
    from forces.models import Force, Membership

    from .conftest import make_user

    return make_user(
        "glos.staff", force=Force.objects.get(slug="gloucestershire"), role=Membership.Role.OPCC_STAFF
    )


# --- The public page -----------------------------------------------------------------------------


def test_public_page_shows_only_published_responses(world, gwent_staff, gwent_chief, client_for):
    load_seed_responses(world.inspection, render=False)
    # A second inspection's response for Gwent, signed but unpublished, must not appear.
    from recommendations.models import Inspection, Recommendation

    other = Inspection.objects.create(
        title="An unpublished thing", slug="other", published_on=date(2024, 1, 10)
    )
    rec = Recommendation.objects.create(inspection=other, number=1, text="Do the secret thing.")
    from recommendations.models import Record

    Record.objects.create(force=world.gwent, recommendation=rec)
    draft = services.start_response(world.gwent, other, user=gwent_staff)
    services.save_draft(draft, user=gwent_staff, fields={"pcc_initial_comments": "SECRET DRAFT"}, sections={})
    _to_signed(draft, gwent_staff, gwent_chief)
    anonymous = client_for(None)
    page = anonymous.get(reverse("responses:public-list", kwargs={"slug": "gwent"}))
    body = page.content.decode()
    assert page.status_code == 200
    assert world.inspection.title in body and "An unpublished thing" not in body
    detail = anonymous.get(reverse("responses:public-detail", kwargs={"slug": "gwent", "pk": draft.pk}))
    assert detail.status_code == 404
    assert (
        anonymous.get(
            reverse("responses:public-letter", kwargs={"slug": "gwent", "pk": draft.pk})
        ).status_code
        == 404
    )
    published = Response.objects.get(force=world.gwent, inspection=world.inspection)
    text = anonymous.get(published.get_public_url()).content.decode()
    assert "50.1 nominals per manager" in text and "SECRET DRAFT" not in text


def test_public_page_after_a_new_draft_still_shows_only_the_published_version(world, gwent_staff):
    load_seed_responses(world.inspection, render=False)
    response = Response.objects.get(force=world.gwent, inspection=world.inspection)
    services.save_draft(
        response,
        user=gwent_staff,
        fields={"pcc_overall_comments": "UNPUBLISHED SECOND THOUGHTS"},
        sections={},
    )
    from django.test import Client

    body = Client().get(response.get_public_url()).content.decode()
    assert "UNPUBLISHED SECOND THOUGHTS" not in body and "extremely important area of policing" in body


def test_public_page_of_another_force_does_not_show_gwent_response(world, client_for):
    load_seed_responses(world.inspection, render=False)
    gwent = Response.objects.get(force=world.gwent)
    page = client_for(None).get(
        reverse("responses:public-detail", kwargs={"slug": "dyfed-powys", "pk": gwent.pk})
    )
    assert page.status_code == 404


def test_public_hash_check_matches_the_published_pdf(world, client_for):
    load_seed_responses(world.inspection, render=False)
    response = Response.objects.get(force=world.gwent)
    render = LetterRender.objects.create(force=world.gwent, version=response.published_version)
    letter = services.run_render(render.pk)
    anonymous = client_for(None)
    pdf = anonymous.get(reverse("responses:public-letter", kwargs={"slug": "gwent", "pk": response.pk}))
    content = b"".join(pdf.streaming_content)
    assert hashlib.sha256(content).hexdigest() == letter.sha256
    page = anonymous.get(response.get_public_url())
    assert letter.sha256 in page.content.decode()
    good = anonymous.post(response.get_public_url(), {"file": io.BytesIO(content)}, format="multipart")
    assert "This file is the published letter" in good.content.decode()
    bad = anonymous.post(response.get_public_url(), {"file": io.BytesIO(content + b" ")})
    assert "This file is not the published letter" in bad.content.decode()
    empty = anonymous.post(response.get_public_url(), {})
    assert empty.status_code == 200 and "govuk-error-summary" in empty.content.decode()


# --- The letter ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/evil.css",
        "https://example.com/static/css/letter.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        LETTER_BASE_URL + "static/../../../etc/passwd",
        LETTER_BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
        LETTER_BASE_URL + "media/letters/x.pdf",
        "ftp://example.com/x",
    ],
)
def test_safe_url_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(UnsafeURL):
        SafeURLFetcher().fetch(url)


def test_safe_url_fetcher_serves_the_apps_static_files():
    response = SafeURLFetcher().fetch(LETTER_BASE_URL + "static/css/letter.css")
    assert b"@page" in response.read() and response.content_type == "text/css"


def test_user_text_cannot_pull_urls_into_the_letter(world, gwent_staff, gwent_response, monkeypatch):
    services.save_draft(
        gwent_response,
        user=gwent_staff,
        fields={
            "pcc_initial_comments": '<img src="http://169.254.169.254/x"><link rel=stylesheet href="file:///etc/passwd">'
        },
        sections={},
    )
    gwent_response.refresh_from_db()
    html = letter_html(gwent_response.current_version)
    assert "<img src" not in html and "&lt;img src=" in html
    fetched = []
    original = SafeURLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(SafeURLFetcher, "fetch", spy)
    render = services.request_render(gwent_response.current_version, user=gwent_staff)
    services.run_render(render.pk)
    assert fetched and all(url.startswith(LETTER_BASE_URL + "static/") for url in fetched)


def test_gwent_letter_has_its_parts_page_numbers_and_welsh_notice(world, tmp_path):
    load_seed_responses(world.inspection, render=False)
    response = Response.objects.get(force=world.gwent)
    render = LetterRender.objects.create(force=world.gwent, version=response.published_version)
    letter = services.run_render(render.pk)
    assert letter.status == "done" and letter.is_current
    from django.conf import settings

    reader = PdfReader(settings.MEDIA_ROOT / letter.file)
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842  # A4 in points
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    pages = len(reader.pages)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert "Rydym yn croesawu gohebiaeth" in text  # Welsh Language Standards apply in Gwent
    assert "Recommendation 19" in text


@pytest.mark.across_forces
def test_english_force_letter_has_no_welsh_notice(world):
    load_seed_responses(world.inspection, render=False)
    response = Response.objects.get(force__slug="gloucestershire")
    html = letter_html(response.published_version)
    assert "Gymraeg" not in html and "Welsh" not in html


@pytest.mark.across_forces
def test_welsh_force_without_its_own_notice_gets_the_generic_bilingual_one(world):
    world.dyfed.correspondence_notice_cy = ""
    world.dyfed.correspondence_notice_en = ""
    world.dyfed.save()
    load_seed_responses(world.inspection, render=False)
    html = letter_html(Response.objects.get(force=world.dyfed).published_version)
    assert (
        "Rydym yn croesawu gohebiaeth yn y Gymraeg" in html and "We welcome correspondence in Welsh" in html
    )


def test_failed_render_shows_the_failure_and_a_retry_leaves_one_current_pdf(
    world, gwent_staff, gwent_response, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    version = gwent_response.current_version
    with django_capture_on_commit_callbacks(execute=True):
        services.request_render(version, user=gwent_staff)
    first = LetterRender.objects.get(version=version)
    assert first.status == "done" and first.is_current

    def broken(html, **options):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr("responses.letters.html_to_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_render(version, user=gwent_staff)
    failed = LetterRender.objects.filter(version=version).order_by("-pk").first()
    assert failed.status == "failed" and "WeasyPrint fell over" in failed.error and not failed.is_current
    client = client_for(gwent_staff)
    page = client.get(gwent_response.get_absolute_url()).content.decode()
    assert (
        "could not be rendered" in page and "WeasyPrint fell over" in page and "Try rendering again" in page
    )
    status = client.get(
        reverse("responses:letter-status", kwargs={"force_slug": "gwent", "pk": gwent_response.pk})
    )
    assert status.json()["status"] == "failed"

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("responses:letter-render", kwargs={"force_slug": "gwent", "pk": gwent_response.pk})
        )
    assert page.status_code == 303
    renders = list(LetterRender.objects.filter(version=version))
    assert len(renders) == 3
    assert [r.status for r in renders if r.is_current] == ["done"]
    current = LetterRender.objects.get(version=version, is_current=True)
    assert current.pk == max(r.pk for r in renders)
    download = client.get(
        reverse(
            "responses:letter-download",
            kwargs={"force_slug": "gwent", "pk": gwent_response.pk, "render_pk": current.pk},
        )
    )
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_the_database_refuses_two_current_pdfs_for_a_version(world, gwent_response):
    version = gwent_response.current_version
    LetterRender.objects.create(force=world.gwent, version=version, status="done", is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterRender.objects.create(force=world.gwent, version=version, status="done", is_current=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        LetterRender.objects.create(force=world.gwent, version=version, status="failed", is_current=True)


def test_a_render_left_by_a_killed_worker_can_be_retried(settings, world, gwent_staff, gwent_response):
    version = gwent_response.current_version
    stuck = LetterRender.objects.create(force=world.gwent, version=version, status="rendering")
    assert services.request_render(version, user=gwent_staff) == stuck  # still fresh: wait for it
    settings.LETTER_RENDER_STALE_SECONDS = -1
    retry = services.request_render(version, user=gwent_staff)
    stuck.refresh_from_db()
    assert retry.pk != stuck.pk and stuck.status == "failed"


def test_redelivered_render_message_does_not_render_twice(world, gwent_response):
    render = LetterRender.objects.create(force=world.gwent, version=gwent_response.current_version)
    done = services.run_render(render.pk)
    again = services.run_render(render.pk)
    assert again.sha256 == done.sha256 and LetterRender.objects.filter(is_current=True).count() == 1


def test_status_endpoint_and_panel_while_rendering(world, gwent_staff, gwent_response, client_for):
    LetterRender.objects.create(force=world.gwent, version=gwent_response.current_version, status="queued")
    client = client_for(gwent_staff)
    data = client.get(
        reverse("responses:letter-status", kwargs={"force_slug": "gwent", "pk": gwent_response.pk})
    ).json()
    assert data["status"] == "queued" and "download_url" not in data
    page = client.get(gwent_response.get_absolute_url()).content.decode()
    assert (
        "being prepared" in page and "Refresh to see if it is ready" in page and "letter-status.mjs" in page
    )


def test_download_of_another_forces_letter_is_not_found(
    world, gwent_staff, dyfed_staff, gwent_response, client_for
):
    render = LetterRender.objects.create(force=world.gwent, version=gwent_response.current_version)
    services.run_render(render.pk)
    dyfed = services.start_response(world.dyfed, world.inspection, user=dyfed_staff)
    url = reverse(
        "responses:letter-download",
        kwargs={"force_slug": "dyfed-powys", "pk": dyfed.pk, "render_pk": render.pk},
    )
    assert client_for(dyfed_staff).get(url).status_code == 404


# --- Query counts --------------------------------------------------------------------------------


def test_list_pages_run_a_bounded_number_of_queries(
    world, gwent_staff, client_for, django_assert_max_num_queries
):
    from recommendations.models import Inspection, Recommendation, Record

    load_seed_responses(world.inspection, render=False)
    client = client_for(gwent_staff)
    anonymous = client_for(None)
    urls = [
        (client, reverse("responses:list", kwargs={"force_slug": "gwent"})),
        (anonymous, reverse("responses:public-list", kwargs={"slug": "gwent"})),
        (
            client,
            reverse(
                "responses:history",
                kwargs={"force_slug": "gwent", "pk": Response.objects.get(force=world.gwent).pk},
            ),
        ),
    ]
    for c, url in urls:
        c.get(url)
    counts = {}
    for c, url in urls:
        with django_assert_max_num_queries(30) as captured:
            c.get(url)
        counts[url] = len(captured)
    for n in range(5):  # grow: more inspections with published responses and more versions
        inspection = Inspection.objects.create(
            title=f"Report {n}", slug=f"r{n}", published_on=date(2023, 1, 1 + n)
        )
        rec = Recommendation.objects.create(inspection=inspection, number=1, text="Do it.")
        Record.objects.create(force=world.gwent, recommendation=rec)
        response = services.start_response(world.gwent, inspection, user=gwent_staff)
        response.status = Response.Status.PUBLISHED
        response.published_version = response.current_version
        response.published_on = date(2023, 2, 1)
        response.save()
    seed = Response.objects.get(force=world.gwent, inspection=world.inspection)
    for n in range(3):
        services.save_draft(seed, user=gwent_staff, fields={"pcc_overall_comments": f"v{n}"}, sections={})
    for c, url in urls:
        with django_assert_max_num_queries(counts[url]):
            c.get(url)
