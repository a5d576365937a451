"""Read an uploaded CSV or XLSX into rows of text, refusing anything else in plain words.

The content decides what a file is, not its name: an XLSX must be a zip holding
xl/workbook.xml, a CSV must decode as text. Cells come back as strings (dates as `date`);
a formula in a workbook comes back as `Formula` so that the importer can refuse it by row and
column instead of evaluating it.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV

# Spreadsheet programs run a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why, for the person who uploaded it."""


class Formula(str):
    """A workbook cell holding a formula (never evaluated)."""


@dataclass
class Table:
    headers: list[str]
    # (spreadsheet row number, cells as a list aligned with headers)
    rows: list[tuple[int, list]]
    fmt: str
    warnings: list[str] = field(default_factory=list)


def normalise_header(value) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(value or "").lower()).strip()


def unescape(value: str) -> str:
    """Undo the apostrophe an export puts before =, +, -, @ so that a round trip is exact."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def escape(value):
    """Prefix text a spreadsheet would run as a formula with an apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(data: bytes, filename: str) -> Table:
    name = (filename or "").lower()
    if not data:
        return _refuse(_("The selected file is empty."))
    limit = settings.SPREADSHEET_MAX_BYTES
    if len(data) > limit:
        return _refuse(
            _("The selected file must be smaller than %(size)s.") % {"size": filesizeformat(limit)}
        )
    is_zip = data[:4] == b"PK\x03\x04"
    if name.endswith(".xlsx"):
        if not is_zip:
            return _refuse(_("The selected file is called .xlsx but is not an Excel workbook."))
        table = _read_xlsx(data)
    elif name.endswith(".csv"):
        if is_zip or b"\x00" in data[:8192]:
            return _refuse(
                _("The selected file is called .csv but is not a text file. Save it as CSV or XLSX.")
            )
        table = _read_csv(data)
    else:
        return _refuse(_("The selected file must be a CSV or XLSX file."))
    table.rows = [(number, cells) for number, cells in table.rows if any(c not in ("", None) for c in cells)]
    if not any(str(h).strip() for h in table.headers):
        return _refuse(_("The selected file has no header row."))
    if not table.rows:
        return _refuse(_("The selected file has a header row but no rows under it."))
    if len(table.rows) > settings.SPREADSHEET_MAX_ROWS:
        return _refuse(
            _("The selected file has %(count)s rows; split it into files of at most %(max)s rows.")
            % {"count": len(table.rows), "max": settings.SPREADSHEET_MAX_ROWS}
        )
    return table


def _refuse(message):
    raise FileRefused(message)


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                _refuse(_("The selected file is called .xlsx but is not an Excel workbook."))
        # Not read-only: formula cells must be told apart from values. Formulas are never evaluated.
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except FileRefused:
        raise
    except Exception as exc:  # a damaged or disguised zip: openpyxl raises many kinds
        raise FileRefused(_("The selected file could not be opened as an Excel workbook.")) from exc
    sheet = book.worksheets[0]
    rows = []
    headers = None
    for number, row in enumerate(sheet.iter_rows(), 1):
        cells = [Formula(cell.value) if cell.data_type == "f" else _cell_text(cell.value) for cell in row]
        if headers is None:
            headers = [str(c) for c in cells]
            continue
        rows.append((number, cells))
    if headers is None:
        _refuse(_("The selected file is empty."))
    while headers and not headers[-1].strip():
        headers.pop()
    return Table(headers=headers, rows=rows, fmt="xlsx")


def _read_csv(data: bytes) -> Table:
    warnings = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise FileRefused(
                _("The selected file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.")
            ) from exc
        warnings.append(
            _(
                "The file is not UTF-8, so it was read as Windows-1252 (Excel's older CSV). "
                "Check accents and symbols in the preview; saving as “CSV UTF-8” avoids this."
            )
        )
    try:
        dataset = CSV().create_dataset(text)
    except Exception as exc:  # tablib: rows of different widths, broken quoting
        raise FileRefused(
            _("The selected file could not be read as CSV: every row must have the same number of columns.")
        ) from exc
    headers = [str(h or "") for h in (dataset.headers or [])]
    rows = [(number, [_cell_text(c) for c in row]) for number, row in enumerate(dataset, 2)]
    return Table(headers=headers, rows=rows, fmt="csv", warnings=warnings)
