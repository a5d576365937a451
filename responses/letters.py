"""The PDF letter: HTML from a template, rendered by WeasyPrint with a fetcher that loads only static files.

User text reaches the letter only as escaped template variables, and whatever URL it might still
smuggle in (a stylesheet, an image) goes through `SafeURLFetcher`, which maps the app's own
/static/... paths to files on disk and refuses everything else: other hosts, file://, data:.
"""

import contextlib
import hashlib
import mimetypes
import posixpath
import re
import threading
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import pydyf
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import pgettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from frontend.i18n import Localised, localised
from recommendations.evidence import evidence_storage

from .letterheads import Image, PrintedLetterhead, Signatory, printed_letterhead, signatory_for

# Relative URLs in the letter resolve against this origin. ".invalid" can never resolve (RFC 2606),
# so even a fetcher bug could not reach the network; the fetcher only maps its /static/ paths.
LETTER_BASE_URL = "https://letter.invalid/"

GENERIC_WELSH_NOTICE_CY = (
    "Rydym yn croesawu gohebiaeth yn y Gymraeg. Byddwn yn ateb gohebiaeth a dderbynnir yn y Gymraeg "
    "yn y Gymraeg, ac ni fydd hyn yn arwain at oedi."
)
GENERIC_WELSH_NOTICE_EN = (
    "We welcome correspondence in Welsh. Correspondence received in Welsh will be answered in Welsh "
    "and this will not lead to a delay."
)


class UnsafeURL(ValueError):
    """A URL the letter may not load."""


MEDIA_PREFIX = LETTER_BASE_URL + "media/"


class SafeURLFetcher(URLFetcher):
    """Only the app's own static files, read from disk, and the few stored images this letter
    names (its letterhead's logo, its signatory's signature); every other URL is refused."""

    def __init__(self, *args, media=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Storage name -> content type, from the letter's own rows, never from the letter's text.
        self.media = dict(media)

    def fetch(self, url, headers=None):
        if url.startswith(MEDIA_PREFIX):
            return self._fetch_media(url)
        static_prefix = LETTER_BASE_URL.rstrip("/") + settings.STATIC_URL
        if not url.startswith(static_prefix):
            raise UnsafeURL(f"The letter may not load {url!r}.")
        parts = urlsplit(url)
        relative = unquote(parts.path[len(settings.STATIC_URL) :])
        normal = posixpath.normpath(relative)
        if parts.query or normal.startswith(("../", "/")) or normal in ("..", ".") or "\x00" in normal:
            raise UnsafeURL(f"The letter may not load {url!r}.")
        path = finders.find(normal)
        if not path:
            raise UnsafeURL(f"No static file {normal!r}.")
        with open(path, "rb") as handle:
            body = handle.read()
        mime = mimetypes.guess_type(normal)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": mime})

    def _fetch_media(self, url):
        name = url[len(MEDIA_PREFIX) :]
        if name not in self.media:
            raise UnsafeURL(f"The letter may not load {url!r}.")
        with evidence_storage().open(name, "rb") as handle:
            body = handle.read(settings.LETTER_IMAGE_MAX_BYTES + 1)
        return URLFetcherResponse(url, body, {"Content-Type": self.media[name]})


# Addressees whose letters open with their office, not a name: (words in the addressee, greeting).
SALUTATIONS = (
    ("home secretary", lambda: pgettext("letter salutation", "Dear Home Secretary")),
    (
        "secretary of state for the home department",
        lambda: pgettext("letter salutation", "Dear Home Secretary"),
    ),
    ("chief inspector", lambda: pgettext("letter salutation", "Dear HM Chief Inspector")),
)


def salutation_for(version, lang: str) -> tuple[str, bool]:
    """("Dear …", known addressee?) in `lang`: as written on the version, else from the addressee.

    An addressee the service does not recognise gets "Dear Sir or Madam", closed "Yours
    faithfully"; a named one (as written, or an office above) is closed "Yours sincerely".
    """
    written = (version.salutation_cy if lang == "cy" else "") or version.salutation
    if written.strip():
        return written.strip(), True
    addressee = " ".join((localised(version, "addressee", lang).text or version.addressee).lower().split())
    with translation.override(lang):
        for words, greeting in SALUTATIONS:
            if words in addressee:
                return greeting(), True
        return pgettext("letter salutation", "Dear Sir or Madam"), False


@dataclass
class LetterSection:
    """One recommendation in one language: its label, its text and the force's answer."""

    label: str
    recommendation: Localised
    answer: Localised


@dataclass
class LetterText:
    """The letter's own words in one language; Welsh parts fall back to English, marked, if empty."""

    lang: str
    signatory_title: Localised
    addressee_lines: list[str]
    salutation: str
    closing: str
    title: Localised
    initial: Localised
    chief: Localised
    overall: Localised
    sections: list[LetterSection] = field(default_factory=list)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _letter_text(version, inspection, force, sections, lang: str, signatory: Signatory) -> LetterText:
    salutation, known = salutation_for(version, lang)
    with translation.override(lang):  # the labels ("Argymhelliad 14") in the block's own language
        title = localised(signatory, "title", lang)
        return LetterText(
            lang=lang,
            signatory_title=title,
            addressee_lines=_lines(localised(version, "addressee", lang).text),
            salutation=salutation,
            closing=pgettext("letter", "Yours sincerely")
            if known
            else pgettext("letter", "Yours faithfully"),
            title=localised(inspection, "title", lang),
            initial=localised(version, "pcc_initial_comments", lang),
            chief=localised(version, "chief_officer_comments", lang),
            overall=localised(version, "pcc_overall_comments", lang),
            sections=[
                LetterSection(
                    label=s.recommendation.label,
                    recommendation=localised(s.recommendation, "text", lang),
                    answer=localised(s, "text", lang),
                )
                for s in sections
            ],
        )


def _css_string(text: str) -> str:
    """A CSS string literal; anything but letters, digits and spaces as a hex escape."""
    return '"' + "".join(ch if ch.isalnum() or ch == " " else f"\\{ord(ch):x} " for ch in text) + '"'


def page_footer_css(languages: list[str]) -> str:
    """The `content` of the page footer: "Tudalen 1 o 3 / Page 1 of 3" from the catalogue.

    The catalogue's sentence is split at its placeholders, which become CSS page counters, so a
    translation may put the numbers in any order.
    """
    parts = []
    for lang in languages:
        with translation.override(lang):
            sentence = pgettext("letter footer", "Page %(page)s of %(pages)s")
        pieces = re.split(r"(%\((?:page|pages)\)s)", sentence)
        css = []
        for piece in pieces:
            if piece == "%(page)s":
                css.append("counter(page)")
            elif piece == "%(pages)s":
                css.append("counter(pages)")
            elif piece:
                css.append(_css_string(piece))
        parts.append(" ".join(css))
    return ' " / " '.join(parts)


def letter_context(version) -> dict:
    response = version.response
    force = response.force
    inspection = response.inspection
    sections = list(
        version.sections.select_related("recommendation").order_by(
            "recommendation__kind", "recommendation__number"
        )
    )
    notice = None
    if force.welsh_language_standards:
        notice = {
            "cy": force.correspondence_notice_cy or GENERIC_WELSH_NOTICE_CY,
            "en": force.correspondence_notice_en or GENERIC_WELSH_NOTICE_EN,
        }
    # A force outside the Welsh Language Standards always writes in English, whatever is stored.
    languages = version.letter_languages if force.welsh_language_standards else ["en"]
    signatory = signatory_for(version)
    texts = [_letter_text(version, inspection, force, sections, lang, signatory) for lang in languages]
    letterhead = printed_letterhead(version)
    # The signature is printed only on a signed letter: a draft shows where it will go.
    signature = signatory.signature if version.is_signed else None
    images = [image for image in (letterhead.logo, signature) if image is not None]
    media = {image.file: image.content_type for image in images}
    layout = "single" if len(languages) == 1 else version.bilingual_layout
    rows = _rows(texts)
    return {
        "version": version,
        "response": response,
        "force": force,
        "inspection": inspection,
        "sections": sections,
        "welsh_notice": notice,
        "languages": languages,
        "html_lang": languages[0],
        "layout": layout,
        "texts": texts,
        # The same parts in each language, so the side-by-side layout keeps them level: a table row
        # per part, Welsh on the left.
        "rows": rows,
        "page_footer": page_footer_css(languages),
        # A signed version prints the letterhead it was signed with, whatever it is now.
        "letterhead": letterhead,
        "letterhead_lines": _lines(letterhead.address),
        "office_names": _office_names(letterhead, languages),
        "footers": _footers(letterhead, languages),
        "logo_url": MEDIA_PREFIX + letterhead.logo.file if letterhead.logo else "",
        "signatory": signatory,
        "signature_url": MEDIA_PREFIX + signature.file if signature else "",
        "reference": letter_reference(version, letterhead),
        "media": media,
        # Frozen images are printed only if their files still have the hash that was signed.
        "signed_images": images if letterhead.frozen else [],
    }


def _office_names(letterhead: PrintedLetterhead, languages) -> list[tuple[str, str]]:
    if not letterhead.office_name:
        return []
    return [(lang, localised(letterhead, "office_name", lang)) for lang in languages]


def _footers(letterhead: PrintedLetterhead, languages) -> list[tuple[str, Localised]]:
    if not (letterhead.footer or letterhead.footer_cy):
        return []
    seen, footers = set(), []
    for lang in languages:
        value = localised(letterhead, "footer", lang)
        if value.text and value.text not in seen:
            seen.add(value.text)
            footers.append((lang, value))
    return footers


def letter_reference(version, letterhead: PrintedLetterhead | None = None) -> str:
    """The letter's reference: the office's prefix (or the force), the inspection and the version."""
    response = version.response
    letterhead = letterhead or printed_letterhead(version)
    prefix = letterhead.reference_prefix or f"OPCC-{response.force.slug}"
    return f"{prefix}/{response.inspection.slug}/{response.pk}-v{version.number}".upper()


def _rows(texts: list[LetterText]) -> list[dict]:
    def row(kind, pick=lambda t: t):
        return {"kind": kind, "cells": [(t.lang, pick(t)) for t in texts]}

    rows = [row("opening")]
    rows += [row(kind) for kind in ("initial", "chief") if any(getattr(t, kind).text for t in texts)]
    if texts[0].sections:
        rows.append(row("sections_heading"))
        rows += [row("section", lambda t, i=i: t.sections[i]) for i in range(len(texts[0].sections))]
    if any(t.overall.text for t in texts):
        rows.append(row("overall"))
    rows.append(row("signature"))
    return rows


def letter_html(version) -> str:
    # Each part of the letter switches to its own language with {% language %}; the rest is English.
    with translation.override("en"):
        return render_to_string("responses/letter_pdf.html", letter_context(version))


# PDF/UA-1: a tagged structure tree (headings, paragraphs, tables, figures with alt text), the
# document's language and title, bookmarks from the headings, text in reading order.
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str, *, media=()) -> bytes:
    fetcher = SafeURLFetcher(media=media)
    with _language_tags():
        return HTML(string=html, base_url=LETTER_BASE_URL, url_fetcher=fetcher).write_pdf(
            pdf_variant=PDF_VARIANT
        )


class SignedImageChanged(ValueError):
    """A letterhead or signature image frozen at sign-off no longer has the hash that was signed."""


def check_signed_images(images: list[Image]) -> None:
    for image in images:
        try:
            with evidence_storage().open(image.file, "rb") as handle:
                body = handle.read(settings.LETTER_IMAGE_MAX_BYTES + 1)
        except OSError as exc:
            raise SignedImageChanged(
                f"The image {image.file!r} signed with this letter cannot be read ({exc})."
            ) from exc
        if hashlib.sha256(body).hexdigest() != image.sha256:
            raise SignedImageChanged(f"The image {image.file!r} is not the one signed with this letter.")


def render_pdf_for_version(version) -> bytes:
    with translation.override("en"):
        context = letter_context(version)
        html = render_to_string("responses/letter_pdf.html", context)
    check_signed_images(context["signed_images"])
    return html_to_pdf(html, media=context["media"])


@contextlib.contextmanager
def _language_tags():
    """Give each structure element the /Lang of its HTML element's `lang` (a bilingual letter).

    WeasyPrint tags the document's language from <html lang> only; PDF/UA asks for the language
    of each part that differs (ISO 14289-1 7.2). Its tag builder recurses through the module-level
    `_build_box_tree`, so wrapping that function sees every box with the element it produced.
    """
    from weasyprint.pdf import tags

    original = tags._build_box_tree

    def with_lang(box, *args, **kwargs):
        element = getattr(box, "element", None)
        lang = None
        if element is not None and hasattr(element, "get") and getattr(element, "tag", "") != "html":
            lang = element.get("lang")
        for structure in original(box, *args, **kwargs):
            if lang and "Lang" not in structure:
                structure["Lang"] = pydyf.String(lang)
            yield structure

    with _PATCH_LOCK:
        tags._build_box_tree = with_lang
        try:
            yield
        finally:
            tags._build_box_tree = original


_PATCH_LOCK = threading.Lock()
