"""The national pages as spreadsheets that open well in Excel: CSV and XLSX.

A `Sheet` is built from the rows the page itself shows (national.dashboard builds them), so an
export carries exactly the page's figures, in the page's order (its sort). XLSX gets a named
sheet, a bold frozen header with an auto-filter, real dates and numbers, and column widths to
fit; CSV gets a byte-order mark (so Excel reads UTF-8) and ISO dates (which Excel reads as
dates). Every text cell is escaped against spreadsheet formula injection: a force's free text
such as "=HYPERLINK(...)" must never run in someone's Excel.
"""

import csv
import io
import numbers
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from spreadsheets.formulas import escape_formula

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DATE_FORMAT = "d mmm yyyy"
LONG_TEXT_WIDTH = 70
MAX_WIDTH = 40


@dataclass
class Column:
    key: str
    heading: str
    kind: str = "text"  # text, long (wrapped free text), date or number


@dataclass
class Sheet:
    title: str
    columns: list
    rows: list = field(default_factory=list)

    def cell(self, column: Column, row: dict):
        """The cell's value: numbers and dates as themselves, text escaped, None blank."""
        value = row.get(column.key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, numbers.Number | date | datetime):
            return value
        return escape_formula(str(value))


def _sheet_title(title: str) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", " ", str(title))[:31].strip() or "Sheet"


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.heading for c in sheet.columns])
    for row in sheet.rows:
        values = []
        for column in sheet.columns:
            value = sheet.cell(column, row)
            values.append(value.isoformat() if isinstance(value, date) else ("" if value is None else value))
        writer.writerow(values)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(sheet: Sheet) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = _sheet_title(sheet.title)
    ws.append([str(c.heading) for c in sheet.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [len(str(c.heading)) for c in sheet.columns]
    for row in sheet.rows:
        values = [sheet.cell(c, row) for c in sheet.columns]
        ws.append(values)
        for i, (column, value) in enumerate(zip(sheet.columns, values, strict=True)):
            if value is None:
                continue
            length = 11 if column.kind == "date" else len(str(value))
            widths[i] = max(widths[i], length)
    for i, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(i)
        width = LONG_TEXT_WIDTH if column.kind == "long" else min(max(widths[i - 1], 8) + 2, MAX_WIDTH)
        ws.column_dimensions[letter].width = width
        if column.kind in ("date", "long"):
            for cell in ws[letter][1:]:
                if column.kind == "date":
                    cell.number_format = DATE_FORMAT
                else:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(sheet: Sheet, fmt: str) -> tuple[bytes, str]:
    """(content, content type) of `sheet` in `fmt` ("csv" or "xlsx")."""
    content = to_xlsx(sheet) if fmt == "xlsx" else to_csv(sheet)
    return content, CONTENT_TYPES[fmt]


def status_text(cell) -> str:
    if cell is None:
        return ""
    return f"{cell.status_label} ({_('overdue')})" if cell.overdue else str(cell.status_label)


def timeliness_text(timeliness) -> str:
    """In words, so that an early or on-time response says so (no negative "days late")."""
    if timeliness.state == "not_published":
        return _("Not yet published")
    if timeliness.state == "date_not_known":
        return _("Published, date not known")
    if timeliness.state == "late":
        days = timeliness.late_by
        return ngettext("Late by %(days)d day", "Late by %(days)d days", days) % {"days": days}
    if timeliness.early_by:
        days = timeliness.early_by
        return ngettext("On time (%(days)d day early)", "On time (%(days)d days early)", days) % {
            "days": days
        }
    return _("On time (on the last day)")


def dashboard_sheet(dashboard) -> Sheet:
    """One row per force, in the page's order: statuses, totals and the response's timeliness."""
    columns = [
        Column("force", _("Force")),
        Column("country", _("Country")),
        # Who held office on the response's date (its publication, else the last day to publish):
        # a 2022 row names 2022's arrangement, not today's.
        Column("commissioner_type", _("Commissioner type on the response's date")),
        Column("commissioner", _("Commissioner on the response's date")),
    ]
    columns += [Column(f"rec_{col.recommendation.pk}", col.recommendation.label) for col in dashboard.columns]
    columns += [Column(key, label, "number") for key, label, _q in dashboard.groups]
    columns += [
        Column("overdue", _("Overdue"), "number"),
        Column("total", _("Total"), "number"),
        Column("response_published_on", _("Response published on"), "date"),
        Column("timeliness", _("Response timeliness")),
        Column("days_late", _("Days late"), "number"),
    ]
    rows = []
    for row in dashboard.rows:
        data = {
            "force": row.force.name,
            "country": row.force.get_country_display(),
            "commissioner_type": row.holders.commissioner_type_label if row.holders else "",
            "commissioner": _holder_text(row.holders),
            "response_published_on": row.timeliness.published_on,
            "timeliness": timeliness_text(row.timeliness),
            "days_late": row.timeliness.late_by,
        }
        for col, cell in zip(dashboard.columns, row.cells, strict=True):
            data[f"rec_{col.recommendation.pk}"] = status_text(cell)
        for key in [g[0] for g in dashboard.groups] + ["overdue", "total"]:
            data[key] = row.totals.get(key, 0)
        rows.append(data)
    return Sheet(_("Dashboard"), columns, rows)


def _holder_text(holders) -> str:
    if holders is None:
        return ""
    return " ".join(part for part in (holders.commissioner_title, holders.commissioner_name) if part)


def _answer_columns(first):
    # A date cell is a real date or empty; where an answer exists but its document gives no date,
    # the column after it says "date not known", so that an empty cell never reads as a lost date.
    return [
        *first,
        Column("status", _("Status")),
        Column("overdue", _("Overdue")),
        Column("due_on", _("Due on"), "date"),
        Column("update_dated", _("Latest update dated"), "date"),
        Column("update_date_note", _("Latest update: date")),
        Column("update_voice", _("Whose words they are")),
        Column("update_text", _("Latest update"), "long"),
        Column("step", _("Latest step")),
        Column("response_published_on", _("Response published on"), "date"),
        Column("response_date_note", _("Response: date")),
        Column("response_text", _("Published response"), "long"),
    ]


def _answer_row(answer, **extra) -> dict:
    update = answer.update
    date_not_known = _("date not known")
    return {
        **extra,
        "status": answer.record.get_status_display(),
        "overdue": bool(answer.overdue),
        "due_on": answer.record.current_due_on,
        "update_dated": update.dated if update else None,
        "update_date_note": date_not_known if update and update.dated is None else "",
        "update_voice": (update.voice_line or update.shown_author) if update else "",
        "update_text": update.text if update else "",
        "step": answer.step.get_kind_display() if answer.step else "",
        "response_published_on": answer.response_published_on,
        "response_date_note": date_not_known
        if answer.section_text and answer.response_published_on is None
        else "",
        "response_text": answer.section_text,
    }


def compare_sheet(recommendation, answers) -> Sheet:
    columns = _answer_columns([Column("force", _("Force")), Column("recommendation", _("Recommendation"))])
    rows = [_answer_row(a, force=a.force.name, recommendation=recommendation.label) for a in answers]
    return Sheet(_("Answers"), columns, rows)


def force_answers_sheet(inspection, force, answers) -> Sheet:
    columns = _answer_columns([Column("force", _("Force")), Column("recommendation", _("Recommendation"))])
    rows = [_answer_row(a, force=force.name, recommendation=a.recommendation.label) for a in answers]
    return Sheet(_("Force records"), columns, rows)


def search_sheet(kind: str, hits) -> Sheet:
    columns = [
        Column("force", _("Force")),
        Column("inspection", _("Inspection")),
        Column("recommendation", _("Recommendation")),
        Column("dated", _("Dated") if kind == "updates" else _("Published on"), "date"),
        # An update or a published response may have no date ("date not known"): its date cell is
        # left empty, and this column says why, so that an empty cell never reads as a lost date.
        Column("date_not_known", _("Date not known")),
        Column("text", _("Text"), "long"),
    ]
    rows = []
    for hit in hits:
        if kind == "updates":
            rec, dated = hit.record.recommendation, hit.dated
        else:
            rec, dated = hit.recommendation, hit.version.response.published_on
        rows.append(
            {
                "force": hit.force.name,
                "inspection": rec.inspection.title,
                "recommendation": rec.label,
                "dated": dated,
                "date_not_known": dated is None,
                "text": hit.text,
            }
        )
    return Sheet(_("Search results"), columns, rows)
