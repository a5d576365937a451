"""django-import-export Resources: the exports (whose columns are the imports' columns, so an
export re-imports as a no-op) and the admin's import and export of inspections.
"""

import io
import re
from datetime import date

import tablib
from django.http import HttpResponse
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from recommendations.models import RAG_SHORT, Addressee, Inspection, ProgressUpdate, Recommendation, Record
from recommendations.services import create_force_records

from .columns import INSPECTION_COLUMNS, PROGRESS_COLUMNS
from .formulas import escape_formula as escape

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _day(day):
    """A date as itself (a date cell in XLSX, ISO 8601 in CSV), or empty."""
    return day or ""


class DateNotKnown(str):
    """An empty Date cell of an update whose document gives no date (Staffordshire 2022). The
    column stays importable (an empty date), and the XLSX says "date not known" in a comment on
    the cell, so that the gap never reads as a lost date."""


def _update_day(update):
    return update.dated if update.dated else DateNotKnown("")


DATE_FORMAT = "d mmm yyyy"
MAX_WIDTH = 60


def _columns(columns):
    return {c.key: c.header for c in columns}


class _ColumnsResource(resources.ModelResource):
    """Headers come from columns.py, so that a file exported here is a valid import."""

    def get_export_headers(self, selected_fields=None):
        names = self.COLUMN_HEADERS
        return [names[f.attribute or f.column_name] for f in self.get_export_fields(selected_fields)]


def _field(key):
    return fields.Field(attribute=key, column_name=key, readonly=True)


PROGRESS_FIELDS = (
    "recommendation",
    "kind",
    "owner",
    "timescale",
    "due_date",
    "progress",
    "status",
    "rag",
    "date",
    "force",
)


class _ProgressColumnsResource(_ColumnsResource):
    """The columns of the progress import, so that an export can be imported back unchanged."""

    COLUMN_HEADERS = _columns(PROGRESS_COLUMNS)
    recommendation = _field("recommendation")
    kind = _field("kind")
    owner = _field("owner")
    timescale = _field("timescale")
    due_date = _field("due_date")
    progress = _field("progress")
    status = _field("status")
    rag = _field("rag")
    date = _field("date")
    force = _field("force")


class RecordExportResource(_ProgressColumnsResource):
    """A force's records, one row each, with the latest progress update."""

    class Meta:
        model = Record
        fields = PROGRESS_FIELDS

    def dehydrate_recommendation(self, record):
        return record.recommendation.number

    def dehydrate_kind(self, record):
        return record.recommendation.get_kind_display()

    def dehydrate_owner(self, record):
        return "; ".join(str(o) for o in record.owners.all())

    def dehydrate_timescale(self, record):
        return ""

    def dehydrate_due_date(self, record):
        return _day(record.current_due_on)

    # The force's latest answer in its own words, never a workflow step such as a sign-off.
    def dehydrate_progress(self, record):
        return record.latest_answer.text if record.latest_answer else ""

    def dehydrate_status(self, record):
        return record.get_status_display()

    def dehydrate_rag(self, record):
        return str(RAG_SHORT.get(record.rag, ""))

    def dehydrate_date(self, record):
        return _update_day(record.latest_answer) if record.latest_answer else ""

    def dehydrate_force(self, record):
        return record.force.name


class UpdateExportResource(_ProgressColumnsResource):
    """A force's progress updates, oldest first, one row each: the whole timeline."""

    class Meta:
        model = ProgressUpdate
        fields = PROGRESS_FIELDS

    def dehydrate_recommendation(self, update):
        return update.record.recommendation.number

    def dehydrate_kind(self, update):
        return update.record.recommendation.get_kind_display()

    def dehydrate_owner(self, update):
        return ""

    def dehydrate_timescale(self, update):
        return ""

    def dehydrate_due_date(self, update):
        return ""

    def dehydrate_progress(self, update):
        return update.text

    def dehydrate_status(self, update):
        return update.get_status_after_display() if update.status_after else ""

    def dehydrate_rag(self, update):
        return str(RAG_SHORT.get(update.rag, ""))

    def dehydrate_date(self, update):
        return _update_day(update)

    def dehydrate_force(self, update):
        return update.force.name


class InspectionExportResource(_ColumnsResource):
    """An inspection's recommendations in the columns the inspection import reads."""

    COLUMN_HEADERS = _columns(INSPECTION_COLUMNS)
    number = _field("number")
    kind = _field("kind")
    lead_in = _field("lead_in")
    text = _field("text")
    lead_in_cy = _field("lead_in_cy")
    text_cy = _field("text_cy")
    addressees = _field("addressees")
    timescale_months = _field("timescale_months")
    due_date = _field("due_date")

    class Meta:
        model = Recommendation
        fields = (
            "number",
            "kind",
            "lead_in",
            "text",
            "lead_in_cy",
            "text_cy",
            "addressees",
            "timescale_months",
            "due_date",
        )

    def dehydrate_kind(self, rec):
        return rec.get_kind_display()

    def dehydrate_addressees(self, rec):
        return "; ".join(a.slug for a in rec.addressees.all())

    def dehydrate_timescale_months(self, rec):
        return rec.timescale_months or ""

    def dehydrate_due_date(self, rec):
        return _day(rec.due_on)


def records_for_export():
    return (
        Record.objects.select_related("recommendation__inspection", "force")
        .prefetch_related("owners")
        .with_latest_answer()
    )


def updates_for_export():
    return ProgressUpdate.objects.select_related("record__recommendation", "force").order_by(
        "record__recommendation__kind", "record__recommendation__number", "dated", "created_at", "pk"
    )


def escaped(dataset: tablib.Dataset) -> tablib.Dataset:
    """Every cell a spreadsheet would run as a formula gets an apostrophe in front (the one shared
    spreadsheets.formulas.escape_formula; the import takes it off again)."""
    out = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        out.append([escape(value) for value in row])
    return out


def explanation_rows(columns):
    return [[c.header, _("Required") if c.required else _("Optional"), str(c.help)] for c in columns]


def _sheet_title(title) -> str:
    # Excel: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", " ", str(title or ""))[:31].strip() or _("Import")


def _workbook(dataset: tablib.Dataset, columns=None) -> bytes:
    """A named sheet with a bold, frozen header row and an auto-filter, dates as date cells, columns
    wide enough to read (long text wrapped), and a second sheet explaining the columns."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _sheet_title(dataset.title)
    headers = [str(h) for h in dataset.headers]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(h) for h in headers]
    for row in dataset:
        sheet.append(["" if v is None else v for v in row])
        for i, value in enumerate(row):
            if isinstance(value, DateNotKnown):
                sheet.cell(row=sheet.max_row, column=i + 1).comment = Comment(str(_("date not known")), "")
            widths[i] = max(widths[i], 11 if isinstance(value, date) else len(str(value or "")))
    for i, width in enumerate(widths, start=1):
        letter = get_column_letter(i)
        sheet.column_dimensions[letter].width = min(max(width, 8) + 2, MAX_WIDTH)
        for cell in sheet[letter][1:]:
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            elif width > MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    if dataset.height:
        sheet.auto_filter.ref = sheet.dimensions
    if columns:
        notes = book.create_sheet(_sheet_title(_("Columns")))
        notes.append([_("Column"), _("Required?"), _("What to write")])
        for cell in notes[1]:
            cell.font = Font(bold=True)
        for row in explanation_rows(columns):
            notes.append(row)
        notes.column_dimensions["A"].width = 20
        notes.column_dimensions["C"].width = 80
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def file_response(dataset: tablib.Dataset, fmt: str, filename: str, columns=None) -> HttpResponse:
    """CSV (dates in ISO 8601), or XLSX (see _workbook); every text cell escaped against formulas."""
    dataset = escaped(dataset)
    body = dataset.export("csv").encode("utf-8-sig") if fmt == "csv" else _workbook(dataset, columns)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def blank_template(columns, title) -> tablib.Dataset:
    dataset = tablib.Dataset(headers=[c.header for c in columns], title=title)
    return dataset


# --- Admin ---------------------------------------------------------------------------------------


class AddresseeWidget(widgets.ManyToManyWidget):
    """Addressees by slug (or, failing that, by name), separated by ';'."""

    def __init__(self):
        super().__init__(Addressee, separator=";", field="slug")

    def clean(self, value, row=None, **kwargs):
        if not value:
            return self.model.objects.none()
        names = [part.strip() for part in str(value).split(self.separator) if part.strip()]
        found = list(Addressee.objects.filter(slug__in=names)) + list(
            Addressee.objects.filter(name__in=names)
        )
        return Addressee.objects.filter(pk__in=[a.pk for a in found])


class InspectionAdminResource(resources.ModelResource):
    class Meta:
        model = Inspection
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "title",
            "kind",
            "published_on",
            "url",
            "lead_inspectorate",
            "inspectorates",
            "timescale_months",
            "is_open",
        )
        skip_unchanged = True
        report_skipped = True


class RecommendationAdminResource(resources.ModelResource):
    """Recommendations keyed on inspection slug, kind and number; force records follow on import."""

    inspection = fields.Field(
        attribute="inspection", column_name="inspection", widget=widgets.ForeignKeyWidget(Inspection, "slug")
    )
    addressees = fields.Field(attribute="addressees", column_name="addressees", widget=AddresseeWidget())

    class Meta:
        model = Recommendation
        import_id_fields = ("inspection", "kind", "number")
        fields = (
            "inspection",
            "kind",
            "number",
            "lead_in",
            "text",
            "addressees",
            "timescale_months",
            "due_on",
        )
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def dehydrate_addressees(self, rec):
        return "; ".join(a.slug for a in rec.addressees.all())

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        if kwargs.get("dry_run"):
            return
        slugs = {row.get("inspection") for row in dataset.dict if row.get("inspection")}
        for inspection in Inspection.objects.filter(slug__in=slugs):
            create_force_records(inspection)
