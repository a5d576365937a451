"""The inspection import: an administrator's file of an inspection's recommendations.

Every change goes through recommendations.services (save_inspection, save_recommendation,
create_force_records); this module reads the rows and says what each one does.
"""

import re
from dataclasses import asdict
from datetime import date

from django.utils.text import slugify
from django.utils.translation import gettext as _

from recommendations.models import Addressee, Inspection, Recommendation
from recommendations.services import create_force_records, save_inspection, save_recommendation

from .columns import INSPECTION_COLUMNS
from .models import ImportJob
from .reading import Table
from .rows import BARE_NUMBER, INT_WIDGET, MENTION, Row, RowError, match_headers, progress_callback, run_rows

Kind = Recommendation.Kind


class InspectionImport:
    """One run of an inspection import: the inspection (from the job's options) and its rows."""

    def __init__(self, job: ImportJob, table: Table):
        self.job, self.table = job, table
        self.inspection: Inspection | None = None
        self.seen: dict = {}
        self.summary = {"errors": [], "rows": [], "applied": False, "inspection": [], "records_created": 0}

    def run(self, *, commit: bool) -> dict:
        self.index, errors = match_headers(self.table, INSPECTION_COLUMNS)
        if errors:
            return {"errors": errors, "rows": [], "applied": False}
        self.addressees = {}
        for a in Addressee.objects.all():
            self.addressees[a.slug.casefold()] = a
            self.addressees[a.name.casefold()] = a
            self.addressees[slugify(a.name)] = a
        reports, applied = run_rows(
            self.table,
            self.handle,
            commit=commit,
            progress=progress_callback(self.job),
            at_end=self.create_records,
        )
        self.summary["rows"] = [asdict(r) for r in reports]
        self.summary["applied"] = applied
        if applied and self.inspection is not None:
            self.summary["inspection_slug"] = self.inspection.slug
        return self.summary

    def save_inspection(self) -> Inspection:
        options = dict(self.job.options)
        slug = options.pop("slug", "") or slugify(options["title"])[:80]
        options["published_on"] = date.fromisoformat(options["published_on"])
        inspection, changed = save_inspection(slug, options)
        if changed is None:
            self.summary["inspection"].append(
                _("Creates the inspection “%(title)s”") % {"title": inspection.title}
            )
        elif changed:
            self.summary["inspection"].append(
                _("Changes the inspection's %(fields)s")
                % {"fields": ", ".join(str(Inspection._meta.get_field(n).verbose_name) for n in changed)}
            )
        self.inspection = inspection
        return inspection

    def handle(self, report, number, cells):
        inspection = self.inspection or self.save_inspection()
        row = Row(number, cells, self.index, self.table, INSPECTION_COLUMNS)
        kind = row.kind("kind") or Kind.RECOMMENDATION
        raw_number = row.text("number")
        bare = BARE_NUMBER.match(raw_number) or (
            MENTION.search(raw_number) and re.search(r"(\d{1,3})", raw_number)
        )
        if not bare:
            raise RowError(row.headers["number"], _("“%(value)s” is not a number.") % {"value": raw_number})
        num = int(bare.group(1))
        report.label = f"{Kind(kind).label} {num}"
        if (kind, num) in self.seen:
            raise RowError(row.headers["number"], _("repeats row %(row)s.") % {"row": self.seen[(kind, num)]})
        self.seen[(kind, num)] = number
        text = row.text("text")
        if not text:
            raise RowError(row.headers["text"], _("is blank. Enter the recommendation as published."))
        addressees = self.wanted_addressees(row)
        values = {
            "lead_in": row.text("lead_in"),
            "text": text,
            "timescale_months": self.months(row),
            "due_on": row.date("due_date"),
        }
        for key in ("lead_in_cy", "text_cy"):
            if key in row.index:  # a file without the Welsh columns leaves the Welsh text as it is
                values[key] = row.text(key)
        _rec, changed = save_recommendation(
            inspection, kind=kind, number=num, values=values, addressees=addressees
        )
        if changed is None:
            report.actions.append(_("Adds it"))
        elif changed:
            report.actions.append(_("Changes %(fields)s") % {"fields": ", ".join(changed)})

    def wanted_addressees(self, row) -> list[Addressee]:
        wanted = []
        for part in filter(None, (p.strip() for p in re.split(r"[;\n]", row.text("addressees")))):
            found = self.addressees.get(part.casefold()) or self.addressees.get(slugify(part))
            if found is None:
                raise RowError(
                    row.headers["addressees"],
                    _("“%(value)s” is not an addressee. Use one of: %(known)s.")
                    % {"value": part, "known": ", ".join(sorted({a.name for a in self.addressees.values()}))},
                )
            wanted.append(found)
        if not wanted:
            raise RowError(row.headers["addressees"], _("is blank. Say who the recommendation is for."))
        return wanted

    @staticmethod
    def months(row) -> int | None:
        months = row.text("timescale_months")
        try:
            return INT_WIDGET.clean(months) if months else None
        except ValueError:
            raise RowError(
                row.headers["timescale_months"],
                _("“%(value)s” is not a whole number of months.") % {"value": row.text("timescale_months")},
            ) from None

    def create_records(self):
        # In the same transaction: a preview counts the records a confirmation would create.
        if self.inspection is not None:
            self.summary["records_created"] = create_force_records(self.inspection)
