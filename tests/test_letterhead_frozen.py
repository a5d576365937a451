"""A signed letter prints exactly the letterhead and signature the chief officer signed.

At sign-off the whole letterhead (office names, address, contacts, footer, reference prefix, the
logo) and the signatory's signature image are frozen on the version and hashed with its text.
Changing the letterhead page afterwards changes drafts only; the images a signed version prints
are kept on disk, and a render whose frozen image no longer matches its hash is refused.
"""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from recommendations.evidence import evidence_storage
from responses import services
from responses.images import check_image
from responses.letterheads import digest_to_sign
from responses.letters import letter_context, letter_html
from responses.models import Letterhead, LetterRender, Signature

from .test_letters import SIGNATURE_SVG, png, upload

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

FIRST = {
    "office_name": "Office of the Police and Crime Commissioner for Gwent",
    "address": "Police Headquarters\nTuron Way\nCwmbran\nNP44 2XJ",
    "telephone": "01633 642200",
    "email": "commissioner@gwent.pnn.police.uk",
    "website": "https://www.gwent.pcc.police.uk",
    "reference_prefix": "OPCC-GW",
    "footer": "Data protection: see our privacy notice.",
    "logo_alt": "Crest of the Police and Crime Commissioner for Gwent",
}
LATER = {
    "office_name": "Gwent Commissioner's Office",
    "address": "New House\nNewport\nNP20 1AA",
    "telephone": "01633 000000",
    "email": "office@example.gov.uk",
    "website": "https://example.gov.uk",
    "reference_prefix": "NEW-REF",
    "footer": "A new footer.",
    "logo_alt": "A new crest",
}


def _set_letterhead(force, user, fields, *, logo_colour_width, signature_svg, signatory):
    return services.save_letterhead(
        force,
        user=user,
        fields={**fields, "signatory_name": signatory},
        logo=check_image(upload("crest.png", png(width=logo_colour_width))),
        signature=check_image(upload("signature.svg", signature_svg)),
    )


@pytest.fixture
def awaiting(world, gwent_staff):
    response = services.start_response(world.gwent, world.inspection, user=gwent_staff)
    services.save_draft(
        response, user=gwent_staff, fields={"pcc_initial_comments": "We accept."}, sections={}
    )
    services.submit_for_sign_off(response, user=gwent_staff)
    response.refresh_from_db()
    return response


@pytest.fixture
def signed(awaiting, world, gwent_staff, gwent_chief):
    signatory = awaiting.current_version.signatory_name
    _set_letterhead(
        world.gwent,
        gwent_staff,
        FIRST,
        logo_colour_width=40,
        signature_svg=SIGNATURE_SVG,
        signatory=signatory,
    )
    services.sign_off(awaiting, user=gwent_chief, version_number=awaiting.current_version.number)
    awaiting.refresh_from_db()
    return awaiting


def _change_letterhead(world, gwent_staff, signatory):
    later_signature = SIGNATURE_SVG.replace(b'stroke-width="3"', b'stroke-width="5"')
    return _set_letterhead(
        world.gwent,
        gwent_staff,
        LATER,
        logo_colour_width=80,
        signature_svg=later_signature,
        signatory=signatory,
    )


def test_sign_off_freezes_the_whole_letterhead_and_the_signature(signed):
    version = signed.current_version
    frozen = version.letterhead_frozen
    for name, value in FIRST.items():
        if name != "address":
            assert frozen[name] == value
    assert version.letterhead_address == FIRST["address"]
    assert set(frozen["logo"]) == {"file", "content_type", "sha256"}
    assert set(frozen["signature"]) == {"file", "content_type", "sha256"}
    assert version.canonical_content()["letterhead"] == frozen
    assert version.signature_matches()


def test_a_later_letterhead_changes_drafts_not_the_signed_letter(world, signed, gwent_staff):
    version = signed.current_version
    signed_context = letter_context(version)
    _change_letterhead(world, gwent_staff, version.signatory_name)
    version.refresh_from_db()
    assert version.signature_matches()

    context = letter_context(version)
    assert context["logo_url"] == signed_context["logo_url"]
    assert context["signature_url"] == signed_context["signature_url"]
    assert context["reference"].startswith("OPCC-GW/")
    html = letter_html(version)
    for value in ("01633 642200", "commissioner@gwent.pnn.police.uk", "Turon Way", "privacy notice"):
        assert value in html
    for value in LATER.values():
        assert value.split("\n")[0] not in html

    draft = services.save_draft(
        signed, user=gwent_staff, fields={"pcc_overall_comments": "A second version."}, sections={}
    ).version
    draft_html = letter_html(draft)
    assert "01633 000000" in draft_html and "NEW-REF/" in letter_context(draft)["reference"]
    assert letter_context(draft)["logo_url"] != signed_context["logo_url"]


def test_each_frozen_field_is_in_the_signed_hash(signed):
    version = signed.current_version
    for name in [*FIRST, "logo", "signature"]:
        if name == "address":
            continue
        tampered = dict(version.letterhead_frozen)
        tampered[name] = (
            "forged" if isinstance(tampered[name], str) else {**tampered[name], "sha256": "0" * 64}
        )
        version.letterhead_frozen = tampered
        assert not version.signature_matches(), name
        version.refresh_from_db()
    assert version.signature_matches()


def test_images_a_signed_version_prints_are_kept_when_replaced(
    world, signed, gwent_staff, django_capture_on_commit_callbacks
):
    version = signed.current_version
    storage = evidence_storage()
    logo, signature = (
        version.letterhead_frozen["logo"]["file"],
        version.letterhead_frozen["signature"]["file"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        _change_letterhead(world, gwent_staff, version.signatory_name)
    assert storage.exists(logo) and storage.exists(signature)

    # Images no signed version prints go when replaced, as before.
    unsigned = Letterhead.objects.get(force=world.gwent).logo
    unsigned_signature = Signature.objects.get(signatory_name=version.signatory_name).file
    with django_capture_on_commit_callbacks(execute=True):
        _change_letterhead(world, gwent_staff, version.signatory_name)
    assert not storage.exists(unsigned) and not storage.exists(unsigned_signature)
    assert storage.exists(logo) and storage.exists(signature)


def test_the_signed_letter_renders_with_its_frozen_images(world, signed, gwent_staff):
    _change_letterhead(world, gwent_staff, signed.current_version.signatory_name)
    render = LetterRender.objects.create(force=signed.force, version=signed.current_version)
    render = services.run_render(render.pk)
    assert render.status == LetterRender.Status.DONE, render.error


@pytest.mark.parametrize("part", ["logo", "signature"])
def test_a_frozen_image_changed_on_disk_refuses_the_render(signed, part):
    version = signed.current_version
    name = version.letterhead_frozen[part]["file"]
    path = settings.MEDIA_ROOT / name
    path.write_bytes(path.read_bytes() + b" ")
    render = LetterRender.objects.create(force=signed.force, version=version)
    render = services.run_render(render.pk)
    assert render.status == LetterRender.Status.FAILED
    assert "SignedImageChanged" in render.error and "not the one signed" in render.error


def test_a_frozen_image_gone_from_disk_refuses_the_render(signed):
    version = signed.current_version
    (settings.MEDIA_ROOT / version.letterhead_frozen["logo"]["file"]).unlink()
    render = services.run_render(LetterRender.objects.create(force=signed.force, version=version).pk)
    assert render.status == LetterRender.Status.FAILED and "cannot be read" in render.error


def test_the_sign_off_page_shows_the_letterhead_it_signs(
    awaiting, world, gwent_staff, gwent_chief, client_for
):
    _set_letterhead(
        world.gwent,
        gwent_staff,
        FIRST,
        logo_colour_width=40,
        signature_svg=SIGNATURE_SVG,
        signatory=awaiting.current_version.signatory_name,
    )
    url = reverse("responses:sign-off", kwargs={"force_slug": "gwent", "pk": awaiting.pk})
    html = client_for(gwent_chief).get(url).content.decode()
    section = html[html.index('id="letterhead"') : html.index('id="changes"')]
    for value in ("Turon Way", "01633 642200", FIRST["logo_alt"], "Uploaded for"):
        assert value in section


def test_a_letterhead_changed_while_the_chief_read_it_is_not_signed(
    awaiting, world, gwent_staff, gwent_chief
):
    shown = digest_to_sign(awaiting.current_version)
    assert not awaiting.current_version.letterhead_frozen  # working out the digest froze nothing
    services.save_letterhead(world.gwent, user=gwent_staff, fields={"telephone": "0800 000 000"})
    with pytest.raises(ValidationError, match="letterhead or signature changed"):
        services.sign_off(
            awaiting, user=gwent_chief, version_number=awaiting.current_version.number, content_sha256=shown
        )
    awaiting.refresh_from_db()
    assert not awaiting.current_version.is_signed
    signed = services.sign_off(
        awaiting,
        user=gwent_chief,
        version_number=awaiting.current_version.number,
        content_sha256=digest_to_sign(awaiting.current_version),
    )
    assert signed.letterhead_frozen["telephone"] == "0800 000 000" and signed.signature_matches()
