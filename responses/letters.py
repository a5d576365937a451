"""The PDF letter: HTML from a template, rendered by WeasyPrint with a fetcher that loads only static files.

User text reaches the letter only as escaped template variables, and whatever URL it might still
smuggle in (a stylesheet, an image) goes through `SafeURLFetcher`, which maps the app's own
/static/... paths to files on disk and refuses everything else: other hosts, file://, data:.
"""

import mimetypes
import posixpath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

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


def letter_context(version) -> dict:
    response = version.response
    force = response.force
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
    return {
        "version": version,
        "response": response,
        "force": force,
        "inspection": response.inspection,
        "sections": sections,
        "welsh_notice": notice,
        "addressee_lines": [line for line in version.addressee.splitlines() if line.strip()],
        "letterhead_lines": [line for line in force.letterhead_address.splitlines() if line.strip()],
    }


def letter_html(version) -> str:
    # Letters are in English for now; Welsh letters come with the Welsh translation.
    with translation.override("en"):
        return render_to_string("responses/letter_pdf.html", letter_context(version))


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=LETTER_BASE_URL, url_fetcher=SafeURLFetcher()).write_pdf()


def render_pdf_for_version(version) -> bytes:
    return html_to_pdf(letter_html(version))
