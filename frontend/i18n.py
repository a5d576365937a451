"""Bilingual content and catalogue helpers for the Welsh-language service.

Interface strings go through Django's gettext; published content (inspection titles, recommendation
texts, addressee names, correspondence notices) carries its own Welsh version in a `<field>_cy`
column. `localised()` picks the version for the active language and says when it had to fall back
to English, so the page can mark that text as English (Welsh Language Standards: the reader must
know why a Welsh page shows English).

Catalogues are compiled with polib, not GNU msgfmt, so a machine without gettext can build them.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation
from django.utils.html import conditional_escape, format_html

WELSH = "cy"


@dataclass(frozen=True)
class Localised:
    """A field's text in the language shown, and whether it fell back to English."""

    text: str
    language: str
    is_fallback: bool

    def __str__(self):
        return self.text


def _english_field(obj, field: str) -> str:
    # Most models name the English column plainly (title / title_cy); Force names both (…_en / …_cy).
    return field if hasattr(obj, field) else f"{field}_en"


def localised(obj, field: str, language: str | None = None) -> Localised:
    """`obj.<field>_cy` when the language is Welsh and it is filled in, else the English text."""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    english = getattr(obj, _english_field(obj, field), "") or ""
    if language != WELSH:
        return Localised(english, "en", False)
    welsh = (getattr(obj, f"{field}_cy", "") or "").strip()
    if welsh:
        return Localised(welsh, WELSH, False)
    return Localised(english, "en", bool(english))


def localised_choices(objects, field: str) -> list[tuple]:
    """(pk, the field in the active language) for each object: a select's options."""
    return [(obj.pk, localised(obj, field).text) for obj in objects]


def localised_html(obj, field: str, language: str | None = None):
    """The field as HTML for a form hint or label: marked with its own `lang` when it differs from
    the page's (WCAG 3.1.2, language of parts), and noted as English-only on Welsh pages."""
    page = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    value = localised(obj, field, page)
    if value.is_fallback:
        return format_html(
            '<span lang="en">{}</span> <span class="app-lang-fallback">{}</span>',
            value.text,
            translation.gettext("(in English only)"),
        )
    if value.language != page:
        return format_html('<span lang="{}">{}</span>', value.language, value.text)
    return conditional_escape(value.text)


def catalogue_files(locale_dirs=None) -> list[Path]:
    """Every `<locale>/LC_MESSAGES/*.po` under the project's LOCALE_PATHS."""
    files: list[Path] = []
    for base in locale_dirs or settings.LOCALE_PATHS:
        files.extend(sorted(Path(base).glob("*/LC_MESSAGES/*.po")))
    return files


def compile_catalogue(po_path: Path, mo_path: Path | None = None) -> Path:
    """Compile one .po to .mo, leaving out fuzzy entries as msgfmt does."""
    catalogue = polib.pofile(str(po_path))
    for entry in catalogue.fuzzy_entries():
        # A fuzzy guess must not reach users; polib would otherwise compile it.
        catalogue.remove(entry)
    mo_path = mo_path or po_path.with_suffix(".mo")
    # Written aside and moved into place, so a process reading the catalogue never sees half a file.
    partial = mo_path.with_name(f".{mo_path.name}.{os.getpid()}.tmp")
    catalogue.save_as_mofile(str(partial))
    os.replace(partial, mo_path)
    return mo_path


def set_preferred_language(user, language: str) -> None:
    """Remember the user's language: pages, e-mails and letters addressed to them follow it."""
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}")
    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
