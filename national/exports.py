"""The dashboard matrix and the compare view as CSV and XLSX, through django-import-export.

Resources here export plain dicts (the rows are already built by national.dashboard, so an export
shows exactly the figures of the page). Every text cell is escaped against spreadsheet formula
injection: a force's free text such as "=HYPERLINK(...)" must never run in someone's Excel.
"""

import numbers

from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.fields import Field
from import_export.formats.base_formats import CSV, XLSX

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"csv": CSV, "xlsx": XLSX}


def escape_formula(value):
    """Prefix a text that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWidget(widgets.Widget):
    """Numbers stay numbers (so totals add up in a spreadsheet); text is escaped; None is blank."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, numbers.Number) and not isinstance(value, bool):
            return value
        if hasattr(value, "isoformat"):
            return value.isoformat()
        return escape_formula(str(value))


class RowResource(resources.Resource):
    """A Resource over dicts whose columns are given at run time: [(key, heading), ...]."""

    def __init__(self, columns, **kwargs):
        super().__init__(**kwargs)
        for key, heading in columns:
            self.fields[key] = Field(attribute=key, column_name=str(heading), widget=SafeWidget())

    def get_export_order(self):
        return tuple(self.fields)


def _status_text(cell) -> str:
    if cell is None:
        return ""
    return f"{cell.status_label} ({_('overdue')})" if cell.overdue else str(cell.status_label)


def _timeliness_text(timeliness) -> str:
    if timeliness.state == "not_published":
        return _("Not yet published")
    if timeliness.state == "on_time":
        return _("On time")
    return _("Late by %(days)d days") % {"days": timeliness.days_late}


def dashboard_dataset(dashboard):
    """One row per force: each recommendation's status, the force's totals, the response timeliness."""
    columns = [
        ("force", _("Force")),
        ("country", _("Country")),
        ("commissioner_type", _("Commissioner type")),
    ]
    columns += [(f"rec_{col.recommendation.pk}", col.recommendation.label) for col in dashboard.columns]
    columns += [(key, label) for key, label, _q in dashboard.groups]
    columns += [
        ("overdue", _("Overdue")),
        ("total", _("Total")),
        ("response_published_on", _("Response published on")),
        ("timeliness", _("Response timeliness")),
        ("days_late", _("Days late")),
    ]
    rows = []
    for row in dashboard.rows:
        data = {
            "force": row.force.name,
            "country": row.force.get_country_display(),
            "commissioner_type": row.force.get_commissioner_type_display(),
            "response_published_on": row.timeliness.published_on,
            "timeliness": _timeliness_text(row.timeliness),
            "days_late": row.timeliness.days_late,
        }
        for col, cell in zip(dashboard.columns, row.cells, strict=True):
            data[f"rec_{col.recommendation.pk}"] = _status_text(cell)
        for key in [g[0] for g in dashboard.groups] + ["overdue", "total"]:
            data[key] = row.totals.get(key, 0)
        rows.append(data)
    return RowResource(columns).export(rows)


def compare_dataset(recommendation, answers):
    columns = [
        ("force", _("Force")),
        ("recommendation", _("Recommendation")),
        ("status", _("Status")),
        ("overdue", _("Overdue")),
        ("due_on", _("Due on")),
        ("update_dated", _("Latest update dated")),
        ("update_text", _("Latest update")),
        ("response_published_on", _("Response published on")),
        ("response_text", _("Published response")),
    ]
    rows = [
        {
            "force": a.force.name,
            "recommendation": recommendation.label,
            "status": a.record.get_status_display(),
            "overdue": _("Yes") if a.overdue else _("No"),
            "due_on": a.record.current_due_on,
            "update_dated": a.update.dated if a.update else None,
            "update_text": a.update.text if a.update else "",
            "response_published_on": a.response_published_on,
            "response_text": a.section_text,
        }
        for a in answers
    ]
    return RowResource(columns).export(rows)


def render(dataset, fmt: str) -> tuple[bytes | str, str]:
    """(content, content type) of `dataset` in `fmt` ("csv" or "xlsx")."""
    file_format = FORMATS[fmt]()
    return file_format.export_data(dataset), file_format.get_content_type()
