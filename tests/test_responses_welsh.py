"""Welsh and bilingual section 55 responses for forces under the Welsh Language Standards (issue 9)."""

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import trans_real
from pypdf import PdfReader

from forces.models import Force, Membership
from responses import services
from responses.letters import letter_html, page_footer_css
from responses.models import LetterRender, Response, ResponseVersion, SignedVersionError
from responses.tasks import render_letter

from .conftest import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.force_scope("gwent"), pytest.mark.shared_world]

NOTES = Path(__file__).resolve().parent.parent / "docs" / "notes" / "letters-welsh.md"

PCC_CY = "Croesawaf yr adroddiad hwn ar drefniadau amlasiantaethol"
PCC_EN = "I welcome this report on multi-agency arrangements"
CHIEF_CY = "Mae’r Prif Gwnstabl yn cytuno"
CHIEF_EN = "The Chief Constable agrees"
OVERALL_CY = "Byddaf yn parhau i fonitro"
OVERALL_EN = "I will continue to monitor"


@pytest.fixture
def letter_catalogue():
    """The Welsh of this feature's strings, from docs/notes/letters-welsh.md, until they are in the .po.

    Only msgids the compiled catalogue lacks are added, so once the .po has them this does nothing.
    The catalogue is reloaded from disk afterwards.
    """
    catalogue = trans_real.translation("cy")._catalog
    for line in NOTES.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("Context", "---") or not line.startswith("|"):
            continue
        context, msgid, msgstr = cells
        key = msgid if context == "—" else f"{context}\x04{msgid}"
        if not catalogue.get(key):
            catalogue[key] = msgstr
    yield
    trans_real._translations = {}


@pytest.fixture
def glos_staff(world):
    return make_user(
        "glos.staff", force=Force.objects.get(slug="gloucestershire"), role=Membership.Role.OPCC_STAFF
    )


def _start(force, user, world):
    return services.start_response(force, world.inspection, user=user)


def _welsh_fields(**overrides):
    fields = {
        "letter_date": date(2022, 9, 5),
        "pcc_initial_comments": PCC_EN,
        "pcc_initial_comments_cy": PCC_CY,
        "chief_officer_comments": CHIEF_EN,
        "chief_officer_comments_cy": CHIEF_CY,
        "pcc_overall_comments": OVERALL_EN,
        "pcc_overall_comments_cy": OVERALL_CY,
        "signatory_title": "Police and Crime Commissioner for Gwent",
        "signatory_title_cy": "Comisiynydd Heddlu a Throseddu Gwent",
        "letter_language": "bilingual",
        "bilingual_layout": "side_by_side",
    }
    fields.update(overrides)
    return fields


def _welsh_response(world, staff, **overrides):
    response = _start(world.gwent, staff, world)
    version = response.current_version
    sections = {s.recommendation_id: s.text for s in version.sections.all()}
    sections_cy = {
        s.recommendation_id: f"Ymateb Gwent i argymhelliad {s.recommendation.number}."
        for s in version.sections.select_related("recommendation")
    }
    services.save_draft(
        response,
        user=staff,
        fields=_welsh_fields(**overrides),
        sections=sections,
        sections_cy=sections_cy,
    )
    response.refresh_from_db()
    return response


def _render(version) -> list[str]:
    """Render through the Celery task (eager in tests) and read the PDF back: one text per page."""
    render = LetterRender.objects.create(force=version.force, version=version)
    assert render_letter.delay(force_id=version.force_id, render_id=render.pk).get() == "done"
    render.refresh_from_db()
    reader = PdfReader(settings.MEDIA_ROOT / render.file)
    return [" ".join(page.extract_text().split()) for page in reader.pages]


# --- The PDF letter -------------------------------------------------------------------------------


def test_bilingual_side_by_side_letter_has_welsh_and_english(world, gwent_staff, letter_catalogue):
    response = _welsh_response(world, gwent_staff)
    html = letter_html(response.current_version)
    assert '<table class="bilingual">' in html and '<html lang="cy">' in html
    # Welsh on the left: in every row the Welsh cell comes first.
    assert html.index('<td lang="cy">') < html.index('<td lang="en">')
    pages = _render(response.current_version)
    text = " ".join(pages)
    for expected in (PCC_CY, PCC_EN, CHIEF_CY, CHIEF_EN, OVERALL_CY, OVERALL_EN):
        assert expected in text
    assert "Argymhelliad 14" in text and "Recommendation 14" in text
    assert "Ymateb Gwent i argymhelliad 19." in text
    assert "5 Medi 2022" in text and "5 September 2022" in text
    assert "Yr eiddoch yn gywir" in text and "Yours sincerely" in text
    assert "Comisiynydd Heddlu a Throseddu Gwent" in text
    n = len(pages)
    assert f"Tudalen 1 o {n} / Page 1 of {n}" in pages[0]
    # Side by side: a recommendation's Welsh and English are on the same page.
    page_14 = next(p for p in pages if "Argymhelliad 14" in p)
    assert "Recommendation 14" in page_14
    assert "Rydym yn croesawu gohebiaeth" in text  # the correspondence notice stays


def test_bilingual_sequential_letter_puts_the_welsh_first_and_english_after(
    world, gwent_staff, letter_catalogue
):
    response = _welsh_response(world, gwent_staff, bilingual_layout="sequential")
    html = letter_html(response.current_version)
    assert '<table class="bilingual">' not in html
    assert html.index('<div class="language-part" lang="cy">') < html.index(
        '<div class="language-part" lang="en">'
    )
    pages = _render(response.current_version)
    text = " ".join(pages)
    assert text.index("Argymhelliad 14") < text.index("Recommendation 14")
    assert text.index(PCC_CY) < text.index(PCC_EN)
    assert "5 Medi 2022" in text and "5 September 2022" in text
    # The English letter starts on a page of its own.
    first_english = next(i for i, p in enumerate(pages) if PCC_EN in p)
    assert "Argymhelliad" not in pages[first_english]
    assert all("Recommendation 14" not in p for p in pages[:first_english])


def test_welsh_only_letter_has_no_english_fixed_wording(world, gwent_staff, letter_catalogue):
    rec_14 = world.record(world.gwent, 14).recommendation
    rec_14.text_cy = "Dylai heddluoedd sicrhau bod trefniadau MAPPA yn cael eu hadolygu."
    rec_14.save()
    response = _welsh_response(world, gwent_staff, letter_language="cy")
    pages = _render(response.current_version)
    text = " ".join(pages)
    assert PCC_CY in text and CHIEF_CY in text and OVERALL_CY in text
    assert PCC_EN not in text and CHIEF_EN not in text
    assert "Argymhelliad 14" in text and rec_14.text_cy in text
    assert "5 Medi 2022" in text and f"Tudalen 1 o {len(pages)}" in text
    for english in (
        "Recommendation",
        "Yours sincerely",
        "Page 1",
        "September",
        "The chief officer's comments",
        "Response to each recommendation",
        "Overall comments",
    ):
        assert english not in text, english
    # A recommendation without a published Welsh text is shown in English, and says so.
    assert "(Saesneg yn unig)" in text
    assert "Rydym yn croesawu gohebiaeth" in text and "We welcome correspondence" in text


def test_page_footer_follows_the_catalogue_and_escapes_it(letter_catalogue):
    assert page_footer_css(["en"]) == '"Page " counter(page) " of " counter(pages)'
    assert page_footer_css(["cy", "en"]).startswith('"Tudalen " counter(page) " o " counter(pages) " / "')


@pytest.mark.across_forces
def test_english_force_letter_stays_english_whatever_is_stored(world, glos_staff):
    response = _start(Force.objects.get(slug="gloucestershire"), glos_staff, world)
    ResponseVersion.objects.filter(pk=response.current_version_id).update(letter_language="cy")
    html = letter_html(ResponseVersion.objects.get(pk=response.current_version_id))
    assert '<html lang="en">' in html and "Tudalen" not in html and "Argymhelliad" not in html


# --- Choosing the language ------------------------------------------------------------------------


def _edit_url(response):
    return reverse("responses:edit", kwargs={"force_slug": response.force.slug, "pk": response.pk})


def _post_data(response, **overrides):
    version = response.current_version
    data = {
        "addressee": version.addressee,
        "letter_date": "2022-09-05",
        "pcc_initial_comments": PCC_EN,
        "chief_officer_comments": CHIEF_EN,
        "pcc_overall_comments": OVERALL_EN,
        "signatory_name": version.signatory_name or "A Commissioner",
        "signatory_title": version.signatory_title or "Commissioner",
        "chief_comments_due_on": "",
        "expected_version": str(version.number),
    }
    for section in version.sections.all():
        data[f"section_{section.recommendation_id}"] = section.text
    data.update(overrides)
    return data


def test_edit_form_shows_welsh_fields_only_for_welsh_forces(world, gwent_staff, glos_staff, client_for):
    gwent = _start(world.gwent, gwent_staff, world)
    glos = _start(Force.objects.get(slug="gloucestershire"), glos_staff, world)
    gwent_page = client_for(gwent_staff).get(_edit_url(gwent)).content.decode()
    glos_page = client_for(glos_staff).get(_edit_url(glos)).content.decode()
    for name in ("pcc_initial_comments_cy", "signatory_title_cy", "letter_language", "bilingual_layout"):
        assert f'name="{name}"' in gwent_page and f'name="{name}"' not in glos_page
    assert 'name="section_cy_' in gwent_page and 'name="section_cy_' not in glos_page
    assert 'lang="cy"' in gwent_page


def test_welsh_force_saves_a_bilingual_letter_through_the_page(world, gwent_staff, client_for):
    response = _start(world.gwent, gwent_staff, world)
    rec_id = world.record(world.gwent, 18).recommendation_id
    data = _post_data(
        response,
        pcc_initial_comments_cy=PCC_CY,
        letter_language="bilingual",
        bilingual_layout="sequential",
        **{f"section_cy_{rec_id}": "Ymateb ar 18."},
    )
    page = client_for(gwent_staff).post(_edit_url(response), data)
    assert page.status_code == 303
    version = ResponseVersion.objects.get(pk=response.current_version_id)
    assert (version.letter_language, version.bilingual_layout) == ("bilingual", "sequential")
    assert version.pcc_initial_comments_cy == PCC_CY
    assert version.sections.get(recommendation_id=rec_id).text_cy == "Ymateb ar 18."


@pytest.mark.across_forces
def test_english_force_cannot_choose_welsh(world, glos_staff, client_for):
    response = _start(Force.objects.get(slug="gloucestershire"), glos_staff, world)
    before = response.current_version.content_sha256()
    page = client_for(glos_staff).post(
        _edit_url(response),
        _post_data(
            response, letter_language="cy", pcc_initial_comments="Changed", pcc_initial_comments_cy="x"
        ),
    )
    body = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in body
    assert "English only" in body
    version = ResponseVersion.objects.get(pk=response.current_version_id)
    assert version.letter_language == "en" and version.pcc_initial_comments == ""
    assert version.content_sha256() == before
    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError):
        services.save_draft(response, user=glos_staff, fields={"letter_language": "bilingual"}, sections={})
    with pytest.raises(ValidationError):
        services.save_draft(response, user=glos_staff, fields={"pcc_initial_comments_cy": "x"}, sections={})
    assert ResponseVersion.objects.get(pk=response.current_version_id).letter_language == "en"


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"letter_language": "klingon"}, "Select a valid choice"),
        ({"bilingual_layout": "diagonal"}, "Select a valid choice"),
        ({"pcc_initial_comments_cy": "x" * 20001}, "at most 20000"),
        ({"signatory_title_cy": "x" * 301}, "at most 300"),
    ],
)
def test_bad_welsh_input_shows_govuk_errors_and_saves_nothing(
    world, gwent_staff, client_for, overrides, message
):
    response = _start(world.gwent, gwent_staff, world)
    before = response.current_version.content_sha256()
    page = client_for(gwent_staff).post(_edit_url(response), _post_data(response, **overrides))
    body = page.content.decode()
    assert page.status_code == 200
    assert "govuk-error-summary" in body and "govuk-form-group--error" in body and message in body
    assert ResponseVersion.objects.get(pk=response.current_version_id).content_sha256() == before


# --- Signing ---------------------------------------------------------------------------------------


def _old_sha256(version) -> str:
    """The hash as computed before Welsh letters existed (English-only content)."""
    sections = version.sections.select_related("recommendation")
    content = {
        "response": version.response_id,
        "force": version.force_id,
        "inspection": version.response.inspection_id,
        "version": version.number,
        "addressee": version.addressee,
        "letter_date": version.letter_date.isoformat() if version.letter_date else None,
        "pcc_initial_comments": version.pcc_initial_comments,
        "chief_officer_comments": version.chief_officer_comments,
        "pcc_overall_comments": version.pcc_overall_comments,
        "signatory_name": version.signatory_name,
        "signatory_title": version.signatory_title,
        "sections": sorted(
            [s.recommendation.kind, s.recommendation.number, s.recommendation.text, s.text] for s in sections
        ),
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_english_only_hashes_are_unchanged(world, gwent_staff):
    response = _start(world.gwent, gwent_staff, world)
    version = response.current_version
    assert version.content_sha256() == _old_sha256(version)


@pytest.mark.parametrize(
    "change",
    [
        {"pcc_initial_comments_cy": "Testun arall"},
        {"addressee_cy": "Yr Ysgrifennydd Cartref"},
        {"signatory_title_cy": "Comisiynydd"},
        {"letter_language": "cy"},
        {"bilingual_layout": "sequential"},
    ],
)
def test_welsh_fields_and_language_are_part_of_the_signed_hash(world, gwent_staff, change):
    version = _welsh_response(world, gwent_staff).current_version
    before = version.content_sha256()
    for name, value in change.items():
        setattr(version, name, value)
    assert version.content_sha256() != before


def test_section_welsh_text_is_part_of_the_signed_hash(world, gwent_staff):
    version = _welsh_response(world, gwent_staff).current_version
    sections = list(version.sections.select_related("recommendation"))
    before = version.content_sha256(sections)
    sections[0].text_cy = "Newid"
    assert version.content_sha256(sections) != before


def test_changing_a_welsh_field_after_sign_off_starts_a_new_version(
    world, gwent_staff, gwent_chief, client_for
):
    response = _welsh_response(world, gwent_staff)
    services.submit_for_sign_off(response, user=gwent_staff)
    signed = services.sign_off(response, user=gwent_chief, version_number=1)
    signed_hash = signed.signed_sha256
    assert signed.signature_matches()
    # Not through save() ...
    signed.chief_officer_comments_cy = "Newid ar ôl llofnodi"
    with pytest.raises(SignedVersionError):
        signed.save()
    section = signed.sections.first()
    section.text_cy = "Newid"
    with pytest.raises(SignedVersionError):
        section.save()
    # ... but through the page: a new version that needs a new sign-off.
    response.refresh_from_db()
    version = response.current_version
    data = _post_data(response, letter_language="bilingual", bilingual_layout="side_by_side")
    data.update({name: getattr(version, name) for name in services.WELSH_TWINS_REQUIRED.values()})
    data["chief_officer_comments_cy"] = "Newid ar ôl llofnodi"
    data["chief_officer_comments"] = CHIEF_EN
    data["pcc_initial_comments"], data["pcc_overall_comments"] = PCC_EN, OVERALL_EN
    for s in version.sections.all():
        data[f"section_cy_{s.recommendation_id}"] = s.text_cy
    data["signatory_name"], data["signatory_title"] = version.signatory_name, version.signatory_title
    page = client_for(gwent_staff).post(_edit_url(response), data)
    assert page.status_code == 303
    response.refresh_from_db()
    assert response.current_version.number == 2 and response.status == Response.Status.DRAFT
    assert response.current_version.chief_officer_comments_cy == "Newid ar ôl llofnodi"
    first = ResponseVersion.objects.get(response=response, number=1)
    assert first.chief_officer_comments_cy == CHIEF_CY and first.signed_sha256 == signed_hash
    assert first.signature_matches()


def test_welsh_letter_with_a_missing_welsh_part_cannot_go_for_sign_off(world, gwent_staff, client_for):
    response = _welsh_response(world, gwent_staff, chief_officer_comments_cy="")
    with pytest.raises(ValidationError, match="no Welsh text"):
        services.submit_for_sign_off(response, user=gwent_staff)
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT
    page = client_for(gwent_staff).get(response.get_absolute_url()).content.decode()
    assert "no Welsh text yet" in page and "chief officer" in page
    # An English letter of the same force needs no Welsh.
    services.save_draft(response, user=gwent_staff, fields={"letter_language": "en"}, sections={})
    services.submit_for_sign_off(response, user=gwent_staff)


# --- Pages ----------------------------------------------------------------------------------------


def test_detail_and_public_pages_show_the_welsh_marked_as_welsh(world, gwent_staff, gwent_chief, client_for):
    response = _welsh_response(world, gwent_staff)
    services.submit_for_sign_off(response, user=gwent_staff)
    services.sign_off(response, user=gwent_chief, version_number=1)
    services.publish(response, user=gwent_staff)
    detail = client_for(gwent_staff).get(response.get_absolute_url()).content.decode()
    public = client_for(None).get(response.get_public_url()).content.decode()
    for page in (detail, public):
        assert re.search(
            r'lang="cy"><span class="govuk-caption-s">Cymraeg</span><p>' + re.escape(PCC_CY), page
        )
        assert PCC_EN in page and "Ymateb Gwent i argymhelliad 14." in page
        assert '<span lang="cy">Comisiynydd Heddlu a Throseddu Gwent</span>' in page
