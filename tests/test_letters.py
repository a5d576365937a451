"""Letters a PCC would sign and publish: salutation, letterhead, signature, page breaks, PDF/UA.

The PDFs are real WeasyPrint renders, opened with pypdf (and poppler's pdfinfo where installed):
the structure tree, the language of each part and the text of each page are read back.
"""

import io
import os
import re
import shutil
import struct
import subprocess
import zlib

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from responses import services
from responses.demo import load_seed_responses
from responses.images import check_image
from responses.letters import (
    LETTER_BASE_URL,
    MEDIA_PREFIX,
    SafeURLFetcher,
    UnsafeURL,
    letter_context,
    letter_html,
    salutation_for,
    signatory_for,
)
from responses.models import Letterhead, LetterRender, Response, Signature

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


@pytest.fixture(autouse=True, scope="module")
def _compiled_welsh_catalogue():
    from tests.test_public_front_door import welsh_catalogue

    welsh_catalogue()
    yield


def png(width=40, height=20, *, header_only=False) -> bytes:
    """A real PNG; with `header_only`, just the header claiming these dimensions (a pixel bomb)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    if header_only:
        raw = zlib.compress(b"\x00" * 64)
    else:
        raw = zlib.compress(b"".join(b"\x00" + b"\x1d\x70\xb8" * width for _ in range(height)))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


SIGNATURE_SVG = (
    b'<?xml version="1.0"?><!-- drawn by hand -->'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60" viewBox="0 0 240 60">'
    b'<path d="M5 40 C 40 0, 80 60, 120 20 S 200 50, 235 15" stroke="#0b0c0c" fill="none" stroke-width="3"/>'
    b"</svg>"
)


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def seeded(world):
    load_seed_responses(world.inspection, render=False)
    return world


@pytest.fixture
def gwent_letterhead(seeded, gwent_staff):
    return services.save_letterhead(
        seeded.gwent,
        user=gwent_staff,
        fields={
            "office_name": "Office of the Police and Crime Commissioner for Gwent",
            "office_name_cy": "Swyddfa Comisiynydd yr Heddlu a Throseddu Gwent",
            "address": 'Police Headquarters\nTuron Way\nCwmbran\nNP44 2XJ <img src="file:///etc/passwd">',
            "telephone": "01633 642200",
            "email": "commissioner@gwent.pnn.police.uk",
            "website": "https://www.gwent.pcc.police.uk",
            "reference_prefix": "OPCC-GW",
            "footer": "Data protection: see our privacy notice. <style>body{background:url(file:///etc/passwd)}</style>",
            "logo_alt": "Crest of the Police and Crime Commissioner for Gwent",
            "signatory_name": "Jeff Cuthbert",
        },
        logo=check_image(upload("crest.png", png())),
        signature=check_image(upload("signature.svg", SIGNATURE_SVG)),
    )


def _render(version) -> tuple[LetterRender, PdfReader]:
    render = LetterRender.objects.create(force=version.force, version=version)
    letter = services.run_render(render.pk)
    assert letter.status == "done", letter.error
    return letter, PdfReader(settings.MEDIA_ROOT / letter.file)


def _struct_elements(reader):
    """(type, /Lang, /Alt) of every element of the structure tree, depth first."""
    out = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get"):
            return  # a marked-content id
        if node.get("/S") is not None:
            out.append((str(node["/S"]), node.get("/Lang"), node.get("/Alt")))
        if "/K" in node:
            kids = node["/K"]
            walk(kids if isinstance(kids, list) else [kids])

    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    return out


def _page_texts(reader):
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def test_gwent_letter_opens_dear_home_secretary_and_ends_signed_on_the_letterhead(
    gwent_letterhead, monkeypatch
):
    fetched = []
    original = SafeURLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(SafeURLFetcher, "fetch", spy)
    version = Response.objects.get(force__slug="gwent").published_version
    letter, reader = _render(version)
    pages = _page_texts(reader)
    text = " ".join(pages)

    assert "Dear Home Secretary," in text
    assert "Office of the Police and Crime Commissioner for Gwent" in text
    assert "01633 642200" in text and "www.gwent.pcc.police.uk" in text
    # The address is part of what was signed: a seed letter signed before the letterhead page had one
    # keeps the (empty) address it was signed with, not the one typed in since.
    assert "Turon Way" not in text
    assert "Our reference: OPCC-GW/MAPPA-2022/" in text and "5 September 2022" in text
    assert "Yours sincerely, Jeff Cuthbert Police and Crime Commissioner for Gwent" in text
    assert "Data protection: see our privacy notice." in text
    # The letterhead's text asked for local files: it is printed as text, nothing is fetched.
    assert "<style>body{background:url(file:///etc/passwd)}</style>" in text
    allowed = {MEDIA_PREFIX + gwent_letterhead.logo, MEDIA_PREFIX + Signature.objects.get().file}
    assert fetched and all(u.startswith(LETTER_BASE_URL + "static/") or u in allowed for u in fetched)
    assert allowed <= set(fetched)  # the logo and the signature were drawn

    # No page holds only the closing: the page with "Yours sincerely" also has the letter's words.
    closing_page = next(p for p in pages if "Yours sincerely" in p)
    before_closing = closing_page.split("Yours sincerely")[0]
    assert len(re.sub(r"Page \d+ of \d+", "", before_closing).split()) >= 20, closing_page[:300]
    assert pages[-1].count(" ") > 40  # and the last page is not a stray footer

    # PDF/UA: tagged, language, title, marked, bookmarks, figures with their descriptions.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en"
    assert reader.metadata.title.startswith("Twenty years on, is MAPPA achieving its objectives?")
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true")
    elements = _struct_elements(reader)
    kinds = [kind for kind, _, _ in elements]
    assert kinds[0] == "/Document"
    assert {"/H1", "/H2", "/P"} <= set(kinds)
    figures = [alt for kind, _, alt in elements if kind == "/Figure"]
    assert "Crest of the Police and Crime Commissioner for Gwent" in figures
    assert "Signature of Jeff Cuthbert" in figures
    # Bookmarks from the headings: the title, with the letter's parts under it.
    outline = reader.outline
    assert outline[0].title == "Twenty years on, is MAPPA achieving its objectives?"
    assert isinstance(outline[1], list)
    parts = [item.title for item in outline[1] if not isinstance(item, list)]
    assert parts[:2] == ["The chief officer's comments", "Response to each recommendation"]
    # The Welsh notice at the foot is tagged Welsh, the rest of the letter takes the document's English.
    assert any(lang == "cy" for _, lang, _ in elements)
    if not shutil.which("pdfinfo") and os.environ.get("CI"):
        pytest.fail("CI needs poppler's pdfinfo (Debian's poppler-utils) to check the letter is tagged.")
    if shutil.which("pdfinfo"):
        info = subprocess.run(  # noqa: S603 - a fixed program on a file the test wrote
            ["pdfinfo", str(settings.MEDIA_ROOT / letter.file)], capture_output=True, text=True, check=True
        ).stdout
        assert re.search(r"^Tagged:\s+yes$", info, re.M), info


def test_bilingual_letter_tags_each_language(seeded, gwent_staff):
    response = Response.objects.get(force__slug="gwent")
    result = services.save_draft(
        response,
        user=gwent_staff,
        fields={
            "letter_language": "bilingual",
            "bilingual_layout": "sequential",
            "pcc_initial_comments_cy": "Rwy’n croesawu’r adroddiad.",
            "chief_officer_comments_cy": "Mae’r Prif Gwnstabl yn cytuno.",
            "pcc_overall_comments_cy": "Byddaf yn parhau i fonitro.",
            "signatory_title_cy": "Comisiynydd Heddlu a Throseddu Gwent",
        },
        sections={},
    )
    _, reader = _render(result.version)
    elements = _struct_elements(reader)
    langs = {lang for _, lang, _ in elements if lang}
    assert {"cy", "en"} <= langs
    welsh_paragraphs = [kind for kind, lang, _ in elements if lang == "cy" and kind == "/P"]
    assert welsh_paragraphs
    assert reader.trailer["/Root"]["/Lang"] == "cy"  # Welsh first
    text = " ".join(_page_texts(reader))
    assert "Annwyl Ysgrifennydd Cartref," in text and "Dear Home Secretary," in text
    assert "Yr eiddoch yn gywir," in text


def test_signature_only_on_the_signed_letter(gwent_letterhead, gwent_staff):
    response = Response.objects.get(force__slug="gwent")
    signed = response.published_version
    assert letter_context(signed)["signature_url"]
    draft = services.save_draft(
        response, user=gwent_staff, fields={"pcc_overall_comments": "Changed."}, sections={}
    ).version
    assert not draft.is_signed
    context = letter_context(draft)
    assert context["signature_url"] == "" and context["signatory"].signature is not None
    assert "signature__image" not in letter_html(draft)
    assert "Jeff Cuthbert" in letter_html(draft)


def test_signatory_is_the_versions_signatory_with_the_signature_uploaded_for_that_name(gwent_letterhead):
    version = Response.objects.get(force__slug="gwent").published_version
    signatory = signatory_for(version)
    assert signatory.name == "Jeff Cuthbert"
    assert signatory.title == "Police and Crime Commissioner for Gwent"
    uploaded = Signature.objects.get(signatory_name="Jeff Cuthbert")
    assert (signatory.signature.file, signatory.signature.sha256) == (uploaded.file, uploaded.sha256)


@pytest.mark.parametrize(
    ("addressee", "salutation", "lang", "expected", "known"),
    [
        ("The Rt Hon Priti Patel MP\nHome Secretary\nHome Office", "", "en", "Dear Home Secretary", True),
        ("Home Office\nSecretary of State for the Home Department", "", "en", "Dear Home Secretary", True),
        ("Andy Cooke\nHM Chief Inspector of Constabulary", "", "en", "Dear HM Chief Inspector", True),
        ("Andy Cooke\nHM Chief Inspector of Constabulary", "Dear Sir Andy", "en", "Dear Sir Andy", True),
        ("The Clerk\nPolice and Crime Panel", "", "en", "Dear Sir or Madam", False),
    ],
)
def test_salutation_per_addressee(seeded, addressee, salutation, lang, expected, known):
    version = Response.objects.get(force__slug="gloucestershire").published_version
    version.addressee, version.salutation = addressee, salutation
    assert salutation_for(version, lang) == (expected, known)


def test_unknown_addressee_is_closed_yours_faithfully(seeded):
    version = Response.objects.get(force__slug="gloucestershire").published_version
    version.addressee = "The Clerk\nPolice and Crime Panel"
    html = letter_html(version)
    assert "Dear Sir or Madam," in html and "Yours faithfully," in html and "Yours sincerely" not in html


def test_salutation_saved_through_the_edit_page_is_part_of_what_is_signed(seeded, gwent_staff, client_for):
    response = Response.objects.get(force__slug="gwent")
    before = response.current_version.content_sha256()
    result = services.save_draft(response, user=gwent_staff, fields={"salutation": "Dear Priti"}, sections={})
    assert result.version.salutation == "Dear Priti"
    assert result.version.content_sha256() != before
    assert "Dear Priti," in letter_html(result.version)


# Logos and signatures: bad files are refused with the error summary and nothing is stored. -----

BAD_LOGOS = [
    ("crest.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "must be a PNG or SVG image"),
    ("crest.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "is not a real .png file"),
    ("crest.svg", b"<html><body>not an svg</body></html>", "must be a PNG or SVG image"),
    ("crest.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "<script>"),
    ("crest.svg", b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "event handler"),
    (
        "crest.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink'>"
        b"<a xlink:href='https://evil.example/'><path d='M0 0h1v1z'/></a></svg>",
        "reference to another file",
    ),
    (
        "crest.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg'><style>path{fill:url(file:///etc/passwd)}</style></svg>",
        "reference to another file",
    ),
    (
        "crest.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg'><image href='file:///etc/passwd'/></svg>",
        "<image>",
    ),
    (
        "crest.svg",
        b"<?xml version='1.0'?><!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        b"<svg xmlns='http://www.w3.org/2000/svg'><text>&x;</text></svg>",
        "could not be read as an SVG image",
    ),
    ("crest.png", png(20000, 20000, header_only=True), "20000 × 20000 pixels"),
    (
        "crest.svg",
        b"<svg xmlns='http://www.w3.org/2000/svg' width='20000' height='20000'/>",
        "20000 × 20000 pixels",
    ),
    ("crest.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (1024 * 1024 + 1), "must be smaller than 1"),
    ("crest.png", png()[:40], "could not be read as a PNG image"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_LOGOS, ids=lambda v: str(v)[:30])
def test_bad_logo_is_refused_with_the_error_summary_and_nothing_stored(
    world, gwent_staff, client_for, name, content, message
):
    url = reverse("responses:letterhead", kwargs={"force_slug": "gwent"})
    page = client_for(gwent_staff).post(url, {"office_name": "OPCC Gwent", "logo": upload(name, content)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "govuk-error-summary" in html and "<title>Error:" in html
    assert message.replace("<", "&lt;").replace(">", "&gt;") in html or message in html, html[:3000]
    assert not Letterhead.objects.exists()
    assert not (settings.MEDIA_ROOT / "letterheads").exists()


def test_bad_signature_is_refused_and_the_letterhead_is_not_half_saved(world, gwent_staff, client_for):
    url = reverse("responses:letterhead", kwargs={"force_slug": "gwent"})
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>"
    page = client_for(gwent_staff).post(
        url,
        {
            "office_name": "OPCC Gwent",
            "logo": upload("crest.png", png()),
            "signatory_name": "Jeff Cuthbert",
            "signature": upload("s.svg", svg),
        },
    )
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    assert not Letterhead.objects.exists() and not Signature.objects.exists()
    assert not (settings.MEDIA_ROOT / "letterheads").exists()


def test_good_logo_and_signature_are_stored_sanitised(
    world, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    url = reverse("responses:letterhead", kwargs={"force_slug": "gwent"})
    page = client_for(gwent_staff).post(
        url,
        {
            "office_name": "OPCC Gwent",
            "office_name_cy": "SCHTh Gwent",
            "telephone": "01633 642200",
            "website": "www.gwent.pcc.police.uk",
            "logo": upload("crest.svg", SIGNATURE_SVG),
            "logo_alt": "Crest",
            "signatory_name": "Jeff Cuthbert",
            "signature": upload("signature.png", png()),
        },
    )
    assert page.status_code == 303, page.content.decode()[:2000]
    letterhead = Letterhead.objects.get(force=world.gwent)
    assert (
        letterhead.office_name_cy == "SCHTh Gwent" and letterhead.website == "https://www.gwent.pcc.police.uk"
    )
    stored = (settings.MEDIA_ROOT / letterhead.logo).read_bytes()
    assert letterhead.logo.startswith("letterheads/gwent/") and b"drawn by hand" not in stored
    assert b"<path" in stored and letterhead.logo_content_type == "image/svg+xml"
    signature = Signature.objects.get(force=world.gwent)
    assert signature.signatory_name == "Jeff Cuthbert" and signature.file.startswith("signatures/gwent/")
    # A second logo replaces the first; the old file goes once the new one is committed.
    old = settings.MEDIA_ROOT / letterhead.logo
    with django_capture_on_commit_callbacks(execute=True):
        client_for(gwent_staff).post(url, {"office_name": "OPCC Gwent", "logo": upload("c.png", png())})
    letterhead.refresh_from_db()
    assert letterhead.logo.endswith(".png") and not old.exists()


def test_letterhead_page_is_only_for_the_forces_own_staff(world, dyfed_staff, national, client_for):
    url = reverse("responses:letterhead", kwargs={"force_slug": "gwent"})
    assert client_for(dyfed_staff).get(url).status_code == 404
    assert client_for(national).post(url, {"office_name": "Hijack"}).status_code == 404
    assert not Letterhead.objects.exists()


def test_letterhead_service_refuses_someone_without_the_role(world, dyfed_staff):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_letterhead(world.gwent, user=dyfed_staff, fields={"office_name": "Hijack"})
    assert not Letterhead.objects.exists()


@pytest.mark.parametrize("name", ["letterheads/gwent/other.png", "evidence/gwent/minutes.pdf", "../x"])
def test_fetcher_serves_only_the_media_the_letter_names(name):
    fetcher = SafeURLFetcher(media={"letterheads/gwent/crest.png": "image/png"})
    with pytest.raises(UnsafeURL):
        fetcher.fetch(MEDIA_PREFIX + name)


def test_check_image_reads_real_pngs_and_svgs():
    assert check_image(upload("a.png", png(30, 10))).width == 30
    svg = check_image(upload("a.svg", SIGNATURE_SVG))
    assert (svg.width, svg.height, svg.content_type) == (240, 60, "image/svg+xml")
    assert io.BytesIO(svg.content).read().startswith(b"<?xml")


def test_a_seed_letter_prints_the_address_its_document_gives_and_no_other(seeded):
    """Only Gloucestershire's published response prints an address; no seed letter gets a made-up one."""
    gloucestershire = Response.objects.get(force__slug="gloucestershire").published_version
    lines = letter_context(gloucestershire)["letterhead_lines"]
    assert "No.1 Waterwells, Waterwells Drive" in lines and any("GL2 2AN" in line for line in lines)
    assert gloucestershire.signature_matches()
    for slug in ("gwent", "dyfed-powys", "avon-and-somerset", "staffordshire"):
        version = Response.objects.get(force__slug=slug).published_version
        assert letter_context(version)["letterhead_lines"] == [], slug


# Page breaks over a sweep of text lengths: wherever the page ends, the closing and the notice stay
# with the letter's last words and a recommendation's heading stays with the start of its answer. ----

SWEEP_WORDS = range(0, 600, 60)


def _words(word: str, count: int, last: str) -> str:
    return " ".join([word] * count + [last])


def _sweep_pages(version, count: int, *, language: str, layout: str = "sequential"):
    """The pages' text of `version` with `count` more words in its opening and closing paragraphs."""
    from io import BytesIO

    from responses.letters import render_pdf_for_version

    version.letter_language, version.bilingual_layout = language, layout
    version.pcc_initial_comments = _words("opening", count, "welcome.")
    version.pcc_initial_comments_cy = _words("agoriad", count, "croeso.")
    version.pcc_overall_comments = _words("word", count, "lastwords.")
    version.pcc_overall_comments_cy = _words("gair", count, "geiriauolaf.")
    return _page_texts(PdfReader(BytesIO(render_pdf_for_version(version))))


def _page_of(pages, text, start=0):
    return next((i for i in range(start, len(pages)) if text in pages[i]), None)


@pytest.mark.parametrize("language", ["en", "bilingual"])
def test_no_page_holds_only_the_closing_or_notice_and_headings_stay_with_their_answers(seeded, language):
    version = Response.objects.get(force__slug="gwent").current_version
    # (language, closing, the last words before it) for each part of the letter, in page order.
    closings = [("en", "Yours sincerely,", "lastwords.")]
    if language == "bilingual":
        closings.insert(0, ("cy", "Yr eiddoch yn gywir,", "geiriauolaf."))
    texts = {t.lang: t for t in letter_context(version)["texts"]} if language == "en" else None
    page_counts = set()
    for count in SWEEP_WORDS:
        pages = _sweep_pages(version, count, language=language)
        page_counts.add(len(pages))
        where = f"{language} letter with {count} more words"
        # The last page carries the last closing, after the letter's own last words.
        assert closings[-1][1] in pages[-1], f"{where}: the last page holds only {pages[-1][:200]!r}"
        start = 0
        for lang, closing, last_words in closings:
            page = _page_of(pages, closing, start)
            assert page is not None, where
            before = pages[page].split(closing)[0]
            assert last_words in before, f"{where}: the {lang} closing is alone on page {page + 1}"
            start = page + 1
        texts = {t.lang: t for t in letter_context(version)["texts"]}
        start = 0
        for lang in version.letter_languages:
            for section in texts[lang].sections:
                heading = f"{section.label}: "
                page = _page_of(pages, heading, start)
                assert page is not None, f"{where}: no heading {heading!r}"
                answer = " ".join(section.answer.text.split()[:4])
                after = pages[page].split(heading, 1)[1]
                assert answer in after, f"{where}: {heading!r} on page {page + 1}, its answer on the next"
                start = page
    # The sweep did move the breaks: the letter grew by pages as the text grew.
    assert len(page_counts) >= 2


def test_each_recommendation_is_a_tagged_h3_heading_bookmarked_under_its_section(seeded):
    version = Response.objects.get(force__slug="gwent").published_version
    _, reader = _render(version)
    labels = [s.recommendation.label for s in version.sections.select_related("recommendation")]
    elements = _struct_elements(reader)
    kinds = [kind for kind, _, _ in elements]
    assert kinds.count("/H3") == len(labels) > 0
    # Under the h2 "Response to each recommendation", never before it.
    assert kinds.index("/H2") < kinds.index("/H3")
    outline = reader.outline
    parts = outline[1]
    heading = next(
        i
        for i, item in enumerate(parts)
        if not isinstance(item, list) and item.title == "Response to each recommendation"
    )
    children = parts[heading + 1]
    assert isinstance(children, list)
    titles = [item.title for item in children if not isinstance(item, list)]
    assert len(titles) == len(labels)
    assert sorted(t.split(":")[0] for t in titles) == sorted(labels)


def test_bilingual_contact_labels_carry_each_their_own_language(gwent_letterhead):
    from lxml import html as lxml_html

    version = Response.objects.get(force__slug="gwent").current_version
    version.letter_language = "bilingual"
    contact = lxml_html.fromstring(letter_html(version)).find_class("letterhead__contact")[0]
    labels = [(span.get("lang"), span.text_content()) for span in contact.iter("span")]
    assert labels == [("cy", "Ffôn"), ("en", "Telephone"), ("cy", "E-bost"), ("en", "E-mail")]
    # No wrapper claims one language for both labels.
    assert contact.get("lang") is None


def test_signatory_default_follows_the_letter_date_until_set_by_hand(world, gwent_staff):
    """Gwent's PCC changed on 9 May 2024: a letter dated before then is signed by Jeff Cuthbert."""
    from datetime import date

    response = services.start_response(world.gwent, world.inspection, user=gwent_staff)
    version = response.current_version
    assert version.letter_date is None and version.signatory_name == "Jane Mudd"  # in office today

    def save(**fields):
        current = Response.objects.get(pk=response.pk).current_version
        form = {"signatory_name": current.signatory_name, "signatory_title": current.signatory_title}
        return services.save_draft(response, user=gwent_staff, fields={**form, **fields}, sections={}).version

    assert save(letter_date=date(2022, 9, 5)).signatory_name == "Jeff Cuthbert"
    assert save(letter_date=date(2024, 6, 1)).signatory_name == "Jane Mudd"
    assert (
        save(letter_date=date(2022, 9, 5), pcc_overall_comments="Dated back.").signatory_name
        == "Jeff Cuthbert"
    )
    # Set by hand (a deputy signs): a later change of date keeps it.
    assert save(signatory_name="Eleri Thomas", signatory_title="Deputy PCC").signatory_name == "Eleri Thomas"
    kept = save(letter_date=date(2024, 6, 1))
    assert (kept.signatory_name, kept.signatory_title) == ("Eleri Thomas", "Deputy PCC")
    # Changed by hand in the same save as the date: the hand wins.
    both = save(letter_date=date(2022, 9, 5), signatory_name="Colin Mudd", signatory_title="Deputy PCC")
    assert both.signatory_name == "Colin Mudd"
