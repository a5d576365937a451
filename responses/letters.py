"""The PDF letter: HTML from a template, rendered by WeasyPrint with a fetcher that loads only static files.

User text reaches the letter only as escaped template variables, and whatever URL it might still
smuggle in (a stylesheet, an image) goes through `SafeURLFetcher`, which maps the app's own
/static/... paths to files on disk and refuses everything else: other hosts, file://, data:.
"""

import mimetypes
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import pgettext
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from frontend.i18n import Localised, localised

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


class SafeURLFetcher(URLFetcher):
    """Only the app's own static files, read from disk; every other URL is refused."""

    def fetch(self, url, headers=None):
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
    title: Localised
    initial: Localised
    chief: Localised
    overall: Localised
    sections: list[LetterSection] = field(default_factory=list)


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _letter_text(version, inspection, force, sections, lang: str) -> LetterText:
    with translation.override(lang):  # the labels ("Argymhelliad 14") in the block's own language
        return LetterText(
            lang=lang,
            signatory_title=localised(version, "signatory_title", lang)
            if version.signatory_title or version.signatory_title_cy
            else localised(force, "commissioner_title", lang),
            addressee_lines=_lines(localised(version, "addressee", lang).text),
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
    texts = [_letter_text(version, inspection, force, sections, lang) for lang in languages]
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
        "letterhead_lines": _lines(force.letterhead_address),
    }


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


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=LETTER_BASE_URL, url_fetcher=SafeURLFetcher()).write_pdf()


def render_pdf_for_version(version) -> bytes:
    return html_to_pdf(letter_html(version))
