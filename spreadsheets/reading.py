"""Read an uploaded CSV or XLSX into rows of text, refusing anything else in plain words.

The content decides what a file is, not its name: an XLSX must be a zip holding
xl/workbook.xml, a CSV must decode as text. Cells come back as strings (dates as `date`);
a formula in a workbook comes back as `Formula` so that the importer can refuse it by row and
column instead of evaluating it.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV


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


def short_name(name: str, limit: int = 200) -> str:
    """A file name cut to `limit` characters that keeps its extension (which says how to read it)."""
    name = (name or "").replace("\x00", "")
    if len(name) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        return name[:limit]
    return stem[: limit - len(ext) - 1] + "." + ext


def normalise_header(value) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(value or "").lower()).strip()


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
    """Read at most SPREADSHEET_MAX_ROWS rows of at most SPREADSHEET_MAX_COLUMNS cells.

    Bounded whatever the file holds: a zip is measured before it is opened, a workbook is streamed
    (openpyxl read-only) and reading stops at the first row past a limit, so the time and memory
    spent on a file are set by the limits, not by the file.
    """
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
        if is_zip or b"\x00" in data:
            return _refuse(
                _("The selected file is called .csv but is not a text file. Save it as CSV or XLSX.")
            )
        table = _read_csv(data)
    else:
        return _refuse(_("The selected file must be a CSV or XLSX file."))
    table.rows = [(number, cells) for number, cells in table.rows if _filled(cells)]
    if not any(str(h).strip() for h in table.headers):
        return _refuse(_("The selected file has no header row."))
    if not table.rows:
        return _refuse(_("The selected file has a header row but no rows under it."))
    _check_row_count(len(table.rows))
    return table


def _filled(cells) -> bool:
    return any(c not in ("", None) for c in cells)


def _check_row_count(count: int) -> None:
    if count > settings.SPREADSHEET_MAX_ROWS:
        _refuse(
            _("The selected file has more than %(max)s rows; split it into files of at most %(max)s rows.")
            % {"max": settings.SPREADSHEET_MAX_ROWS}
        )


def _check_columns(cells) -> None:
    limit = settings.SPREADSHEET_MAX_COLUMNS
    if len(cells) > limit and any(c not in ("", None) for c in cells[limit:]):
        _refuse(
            _("The selected file has more than %(max)s columns; remove the columns the import does not use.")
            % {"max": limit}
        )


def _refuse(message):
    raise FileRefused(message)


def _skip_dimension_scan(sheet) -> None:
    """openpyxl's read-only sheet looks for the optional <dimension> element with an iterparse that
    reads the whole sheet when the element is missing (the end of <sheetData> is its stop signal),
    so a hostile sheet cost seconds before the first row. The sizes are not needed: every read
    here names its own column limit and stops at its own row limit."""


def _read_xlsx(data: bytes) -> Table:
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _skip_dimension_scan

    from .zipguard import ArchiveRefused, open_checked

    try:
        with open_checked(io.BytesIO(data)) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                _refuse(_("The selected file is called .xlsx but is not an Excel workbook."))
        # Read-only streams the sheet's XML row by row; formula cells still come back as formulas
        # (data_only=False), which are never evaluated.
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (FileRefused, ArchiveRefused) as exc:
        raise FileRefused(str(exc)) from exc
    except Exception as exc:  # a damaged or disguised zip: openpyxl raises many kinds
        raise FileRefused(_("The selected file could not be opened as an Excel workbook.")) from exc
    try:
        return _stream_sheet(book)
    except FileRefused:
        raise
    except Exception as exc:  # damaged sheet XML found while streaming
        raise FileRefused(_("The selected file could not be opened as an Excel workbook.")) from exc
    finally:
        book.close()


def _stream_sheet(book) -> Table:
    if not book.worksheets:
        _refuse(_("The selected file is empty."))
    sheet = book.worksheets[0]
    width = settings.SPREADSHEET_MAX_COLUMNS
    rows = []
    headers = None
    filled = 0
    # A row's cells past the limit are looked at (any filled one refuses the file), never kept.
    for number, row in enumerate(sheet.iter_rows(), 1):
        cells = [
            Formula(cell.value) if getattr(cell, "data_type", None) == "f" else _cell_text(cell.value)
            for cell in row
        ]
        _check_columns(cells)
        cells = cells[:width]
        if number > 10 * settings.SPREADSHEET_MAX_ROWS:  # rows of nothing, or a far-off row number
            _check_row_count(number)
        if headers is None:
            headers = [str(c) for c in cells]
            continue
        if _filled(cells):
            filled += 1
            _check_row_count(filled)
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
    _count_csv_rows(text)
    try:
        dataset = CSV().create_dataset(text)
    except Exception as exc:  # tablib: rows of different widths, broken quoting
        raise FileRefused(
            _("The selected file could not be read as CSV: every row must have the same number of columns.")
        ) from exc
    headers = [str(h or "") for h in (dataset.headers or [])]
    rows = [(number, [_cell_text(c) for c in row]) for number, row in enumerate(dataset, 2)]
    return Table(headers=headers, rows=rows, fmt="csv", warnings=warnings)


def _count_csv_rows(text: str) -> None:
    """Stop at the first row past the limits, before the whole file is turned into a table."""
    filled = 0
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text)), 1):
            _check_columns(cells)
            if number > 1 and _filled(cells):
                filled += 1
                _check_row_count(filled)
    except csv.Error as exc:
        raise FileRefused(
            _("The selected file could not be read as CSV: every row must have the same number of columns.")
        ) from exc
