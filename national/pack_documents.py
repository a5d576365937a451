"""The quarterly pack as documents: a PDF (WeasyPrint, in the worker) and an editable DOCX.

Both are made from the same `Pack` as the HTML page. The PDF template loads nothing from outside:
its styles are inline and its charts are inline SVG, and the URL fetcher refuses every URL, so a
force's text (escaped in the template anyway) can never make the renderer fetch something.
The DOCX carries every figure as a Word table (a board secretary pastes them into the papers);
the charts' figures are the same tables the page puts beside its charts.
"""

import io

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

PDF_BASE_URL = "https://pack.invalid/"


def _refuse(url, *args, **kwargs):
    raise ValueError(f"The pack loads no URL ({url}).")


def pack_pdf(pack) -> bytes:
    from weasyprint import HTML

    html = render_to_string("national/pack_pdf.html", {"pack": pack})
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=_refuse).write_pdf()


def _d(day) -> str:
    return date_format(day, "j M Y") if day else ""


def _table(doc, headings, rows):
    table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell.text = str(heading)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = "" if value is None else str(value)
    return table


def timeliness_words(days) -> str:
    """In words from the signed days past the last day (recommendations.dates.judge_timeliness)."""
    if days is None:
        return _("Date not known")
    if days > 0:
        return ngettext("Late by %(days)d day", "Late by %(days)d days", days) % {"days": days}
    if days < 0:
        return ngettext("On time (%(days)d day early)", "On time (%(days)d days early)", -days) % {
            "days": -days
        }
    return _("On time (on the last day)")


def pack_docx(pack) -> bytes:
    from docx import Document

    doc = Document()
    who = pack.force.local_name if pack.force else _("All forces")
    doc.add_heading(_("Quarterly pack: %(who)s") % {"who": who}, level=0)
    doc.add_paragraph(str(pack.quarter.label))

    doc.add_heading(_("Records by status at the end of the quarter"), level=1)
    _table(doc, [_("Status"), _("Records")], [(label, n) for _v, label, n in pack.status_counts])
    doc.add_paragraph(_("%(total)d records in all.") % {"total": pack.total})

    doc.add_heading(_("Closure stages"), level=1)
    _table(
        doc,
        [_("Closure event"), _("Reached by the end of the quarter"), _("Reached in the quarter")],
        [(label, by_end, in_quarter) for _k, label, by_end, in_quarter in pack.closure_stages],
    )

    doc.add_heading(_("Closed in the quarter"), level=1)
    if pack.closed:
        _table(
            doc,
            [_("Force"), _("Inspection"), _("Recommendation"), _("How"), _("Date")],
            [(i.force_name, i.inspection, i.label, i.kind, _d(i.dated)) for i in pack.closed],
        )
    else:
        doc.add_paragraph(_("Nothing was closed in the quarter."))

    doc.add_heading(_("Extended in the quarter"), level=1)
    if pack.extended:
        _table(
            doc,
            [_("Force"), _("Inspection"), _("Recommendation"), _("Date")],
            [(i.force_name, i.inspection, i.label, _d(i.dated)) for i in pack.extended],
        )
    else:
        doc.add_paragraph(_("No due date was extended in the quarter."))

    doc.add_heading(_("Overdue at the end of the quarter"), level=1)
    _table(doc, [_("Age"), _("Items")], pack.ageing)
    if pack.overdue:
        if not pack.overdue_listed_all:
            doc.add_paragraph(
                _("The %(listed)d oldest of %(total)d overdue items:")
                % {"listed": len(pack.overdue), "total": pack.overdue_total}
            )
        _table(
            doc,
            [_("Force"), _("Inspection"), _("Recommendation"), _("Due on"), _("Days overdue")],
            [(i.force_name, i.inspection, i.label, _d(i.dated), i.age) for i in pack.overdue],
        )

    doc.add_heading(_("Responses published in the quarter"), level=1)
    if pack.responses:
        _table(
            doc,
            [_("Force"), _("Inspection"), _("Published on"), _("Last day to publish"), _("Timeliness")],
            [
                (
                    r["force"],
                    r["inspection"],
                    _d(r["published_on"]),
                    _d(r["due_on"]),
                    timeliness_words(r["days"]),
                )
                for r in pack.responses
            ],
        )
    else:
        doc.add_paragraph(_("No response was published in the quarter."))

    doc.add_heading(_("Status at the end of each quarter"), level=1)
    labels = [label for _v, label in pack.status_labels]
    _table(
        doc,
        [_("Quarter"), *labels],
        [(q.short_label, *[counts.get(v, 0) for v, _l in pack.status_labels]) for q, counts in pack.history],
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
