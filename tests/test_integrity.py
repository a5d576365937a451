"""Published means immutable, and nobody approves their own work.

- Once published, a version's PDF and its SHA-256 never change: a new render is refused, and a
  render queued before publication that finishes after it leaves the published PDF current.
- The letterhead printed on the letter is frozen and signed with the text at sign-off.
- A chief officer cannot decide their own extension request, nor sign off a version they edited.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from forces.models import Membership
from recommendations.services import decide_extension, request_extension
from responses import services
from responses.letters import letter_context
from responses.models import LetterRender, Response

from .conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


GWENT_ADDRESS = "Police Headquarters\nTuron Way\nCwmbran\nNP44 2XJ"


@pytest.fixture
def signed(world, gwent_staff, gwent_chief):
    """Gwent's response signed off on a letterhead with an address (frozen with the text)."""
    world.gwent.letterhead_address = GWENT_ADDRESS
    world.gwent.save(update_fields=["letterhead_address"])
    response = services.start_response(world.gwent, world.inspection, user=gwent_staff)
    services.save_draft(
        response, user=gwent_staff, fields={"pcc_initial_comments": "We accept."}, sections={}
    )
    services.submit_for_sign_off(response, user=gwent_staff)
    services.sign_off(response, user=gwent_chief, version_number=response.current_version.number)
    response.refresh_from_db()
    return response


def _publish_with_letter(response, staff):
    services.publish(response, user=staff)
    response.refresh_from_db()
    render = LetterRender.objects.create(force=response.force, version=response.published_version)
    return services.run_render(render.pk)


def test_published_letter_cannot_be_rendered_again(signed, gwent_staff):
    letter = _publish_with_letter(signed, gwent_staff)
    assert letter.status == LetterRender.Status.DONE
    with pytest.raises(ValidationError, match="has been published"):
        services.request_render(signed.published_version, user=gwent_staff)
    current = services.current_letter(signed.published_version)
    assert current.pk == letter.pk and current.sha256 == letter.sha256


def test_a_render_finishing_after_publication_keeps_the_published_pdf(signed, gwent_staff):
    letter = _publish_with_letter(signed, gwent_staff)
    late = LetterRender.objects.create(force=signed.force, version=signed.published_version)
    late = services.run_render(late.pk)
    assert late.status == LetterRender.Status.FAILED and "has been published" in late.error
    current = services.current_letter(signed.published_version)
    assert current.pk == letter.pk and current.sha256 == letter.sha256


def test_render_page_after_publication_says_why_and_keeps_the_pdf(signed, gwent_staff, client_for):
    letter = _publish_with_letter(signed, gwent_staff)
    url = reverse("responses:letter-render", kwargs={"force_slug": "gwent", "pk": signed.pk})
    page = client_for(gwent_staff).post(url, follow=True)
    assert page.status_code == 200
    assert "has been published" in page.content.decode()
    assert services.current_letter(signed.published_version).sha256 == letter.sha256


def test_letterhead_is_signed_and_frozen(world, signed, gwent_staff):
    version = signed.current_version
    assert version.letterhead_address == GWENT_ADDRESS
    assert version.canonical_content()["letterhead_address"] == GWENT_ADDRESS
    world.gwent.letterhead_address = "Somewhere else entirely\nNP20 0XX"
    world.gwent.save()
    version.refresh_from_db()
    assert version.signature_matches()
    lines = letter_context(version)["letterhead_lines"]
    assert "Somewhere else entirely" not in " ".join(lines)
    assert lines == GWENT_ADDRESS.splitlines()


def test_changing_the_frozen_letterhead_breaks_the_signature(signed):
    version = signed.current_version
    version.letterhead_address = "Forged letterhead"
    assert not version.signature_matches()


def test_chief_cannot_sign_off_a_version_they_edited(world, gwent_staff, gwent_chief):
    response = services.start_response(world.gwent, world.inspection, user=gwent_staff)
    services.save_draft(
        response, user=gwent_chief, fields={"chief_officer_comments": "My own words."}, sections={}
    )
    services.submit_for_sign_off(response, user=gwent_staff)
    with pytest.raises(ValidationError, match="another chief officer"):
        services.sign_off(response, user=gwent_chief, version_number=response.current_version.number)
    response.refresh_from_db()
    assert response.status == Response.Status.AWAITING_SIGN_OFF
    deputy = make_user("gwent.deputy", force=world.gwent, role=Membership.Role.CHIEF_OFFICER)
    services.sign_off(response, user=deputy, version_number=response.current_version.number)
    response.refresh_from_db()
    assert response.status == Response.Status.SIGNED_OFF


def test_chief_cannot_decide_their_own_extension(world, gwent_chief, client_for):
    record = world.record(world.gwent)
    extension = request_extension(
        record,
        requested_by=gwent_chief,
        new_due_on=timezone.localdate() + timedelta(days=400),
        reason="Training places ran out.",
    )
    with pytest.raises(ValidationError, match="another chief officer"):
        decide_extension(extension, decided_by=gwent_chief, approve=True)
    decide = reverse("recommendations:extension-decide", kwargs={"force_slug": "gwent", "pk": extension.pk})
    page = client_for(gwent_chief).post(decide, {"decision": "approve"})
    assert page.status_code == 200 and "another chief officer" in page.content.decode()
    extension.refresh_from_db()
    assert extension.is_pending
    deputy = make_user("gwent.deputy", force=world.gwent, role=Membership.Role.CHIEF_OFFICER)
    decide_extension(extension, decided_by=deputy, approve=True)
    extension.refresh_from_db()
    assert not extension.is_pending
