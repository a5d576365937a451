"""Reading the rows of an import: cells by column, values checked, one transaction for them all.

Shared by the progress import and the inspection import. Nothing here writes a model.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.widgets import DateWidget, IntegerWidget

from recommendations.models import Recommendation, Record

from .formulas import unescape_formula
from .reading import Formula, Table, normalise_header

Kind = Recommendation.Kind
Status = Record.Status

UK_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y")


class UkDateWidget(DateWidget):
    """import-export's date widget, reading the day-first dates British spreadsheets hold."""

    def __init__(self):
        super().__init__()
        self.formats = UK_DATE_FORMATS


DATE_WIDGET = UkDateWidget()
INT_WIDGET = IntegerWidget()

KIND_NAMES = {
    "recommendation": Kind.RECOMMENDATION,
    "rec": Kind.RECOMMENDATION,
    "area for improvement": Kind.AREA_FOR_IMPROVEMENT,
    "areas for improvement": Kind.AREA_FOR_IMPROVEMENT,
    "afi": Kind.AREA_FOR_IMPROVEMENT,
    "cause of concern": Kind.CAUSE_OF_CONCERN,
    "coc": Kind.CAUSE_OF_CONCERN,
    **{normalise_header(value): value for value in Kind.values},
}
STATUS_NAMES = {
    **{normalise_header(label): value for value, label in Status.choices},
    **{normalise_header(value): value for value in Status.values},
    "implemented": Status.AWAITING_SIGN_OFF,
    "awaiting sign off": Status.AWAITING_SIGN_OFF,
    "completed": Status.COMPLETE,
    "ongoing": Status.IN_PROGRESS,
    "nfa": Status.NO_FURTHER_ACTION,
}
# RAG ratings as people write them, in English or Welsh.
RAG_NAMES = {
    **{normalise_header(label): value for value, label in Record.Rag.choices},
    **{normalise_header(value): value for value in Record.Rag.values},
    "r": Record.Rag.RED,
    "a": Record.Rag.AMBER,
    "g": Record.Rag.GREEN,
    "coch": Record.Rag.RED,
    "ambr": Record.Rag.AMBER,
    "oren": Record.Rag.AMBER,
    "gwyrdd": Record.Rag.GREEN,
}
MENTION = re.compile(
    r"\b(recommendation|area for improvement|afi|cause of concern)s?\s*(?:no\.?\s*)?(\d{1,3})\b",
    re.IGNORECASE,
)
BARE_NUMBER = re.compile(r"^\s*(?:(?:r|rec|afi)\s*\.?\s*)?(\d{1,3})\s*\.?\s*$", re.IGNORECASE)


class RowError(Exception):
    def __init__(self, column, message):
        super().__init__(message)
        self.column = column
        self.message = message


class _Rollback(Exception):
    pass


@dataclass
class RowReport:
    row: int
    label: str = ""
    actions: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def where(row, column):
    if column:
        return _("Row %(row)s, column “%(column)s”") % {"row": row, "column": column}
    return _("Row %(row)s") % {"row": row}


def words(text) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(text).lower()))


def fingerprint(text) -> str:
    """The first dozen words of a recommendation: enough to spot it quoted in another row."""
    return " ".join(words(text).split()[:12])


def match_headers(table: Table, columns) -> tuple[dict, list[str]]:
    """Map each column key to its index in the file; missing and unknown columns are errors."""
    index, errors = {}, []
    lookup = {name: column for column in columns for name in column.names()}
    for i, header in enumerate(table.headers):
        name = normalise_header(header)
        if not name:
            continue
        column = lookup.get(name)
        if column is None:
            errors.append(
                _(
                    "Column “%(header)s” is not one this import knows. Remove it or rename it to one of: %(known)s."
                )
                % {"header": header, "known": ", ".join(c.header for c in columns)}
            )
        elif column.key in index:
            errors.append(_("Column “%(header)s” appears twice.") % {"header": column.header})
        else:
            index[column.key] = i
    for column in columns:
        if column.required and column.key not in index:
            errors.append(_("The file has no “%(header)s” column.") % {"header": column.header})
    return index, errors


class Row:
    """One row's cells by column key, with the header as written for messages."""

    def __init__(self, number, cells, index, table, columns):
        self.number = number
        self.index = index
        self.cells = cells
        self.headers = {c.key: table.headers[index[c.key]] for c in columns if c.key in index}
        unnamed = [
            c
            for i, c in enumerate(cells)
            if i >= len(table.headers) or not str(table.headers[i] or "").strip()
        ]
        if any(str(c).strip() for c in unnamed if c is not None):
            raise RowError("", _("has a value in a column with no header."))

    def raw(self, key):
        i = self.index.get(key)
        return self.cells[i] if i is not None and i < len(self.cells) else ""

    def text(self, key) -> str:
        value = self.raw(key)
        if isinstance(value, Formula):
            raise RowError(
                self.headers[key], _("holds a formula. Formulas are refused: paste the value instead.")
            )
        if isinstance(value, date):
            return value.isoformat()
        value = str(value or "").strip()
        if value.startswith("="):
            raise RowError(
                self.headers[key],
                _(
                    "starts with “=”, which a spreadsheet runs as a formula. Remove it, or start the cell with an apostrophe (')."
                ),
            )
        return unescape_formula(value)

    def date(self, key):
        value = self.raw(key)
        if isinstance(value, date):
            return value
        text = self.text(key)
        if not text:
            return None
        try:
            return DATE_WIDGET.clean(text)
        except ValueError:
            raise RowError(
                self.headers[key], _("“%(value)s” is not a date. Write it like 31/08/2023.") % {"value": text}
            ) from None

    def kind(self, key) -> str | None:
        text = self.text(key)
        if not text:
            return None
        kind = KIND_NAMES.get(normalise_header(text))
        if kind is None:
            raise RowError(
                self.headers[key],
                _("“%(value)s” is not a kind. Use Recommendation, Area for improvement or Cause of concern.")
                % {"value": text},
            )
        return kind


def mentions(text) -> list[tuple[str, int]]:
    return [
        (KIND_NAMES.get(normalise_header(word), Kind.RECOMMENDATION), int(n))
        for word, n in MENTION.findall(text)
    ]


def progress_callback(job) -> Callable[[int], None]:
    """Every 50 rows, note the count in the cache: the job row cannot show it, since the rows are
    applied in one transaction that nobody else sees until it commits."""

    def report(done):
        if done % 50 == 0:
            cache.set(f"spreadsheets:job:{job.pk}:processed", done, 3600)

    return report


def run_rows(table, handle_row, *, commit, progress, at_end=None) -> tuple[list[RowReport], bool]:
    """Apply every row inside one transaction; roll it all back on any error or for a preview."""
    reports: list[RowReport] = []
    try:
        with transaction.atomic():
            for done, (number, cells) in enumerate(table.rows, 1):
                report = RowReport(row=number)
                try:
                    with transaction.atomic():
                        handle_row(report, number, cells)
                except RowError as exc:
                    report.errors.append(f"{where(number, exc.column)}: {exc.message}")
                except (ValidationError, PermissionDenied) as exc:
                    messages = getattr(exc, "messages", None) or [str(exc)]
                    report.errors.extend(f"{where(number, '')}: {m}" for m in messages)
                reports.append(report)
                progress(done)
            failed = any(r.errors for r in reports)
            if at_end is not None and not failed:
                at_end()
            if failed or not commit:
                raise _Rollback
    except _Rollback:
        return reports, False
    return reports, True
