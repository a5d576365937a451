"""The progress import: a force's spreadsheet of progress, owners and due dates, row by row.

Every change goes through recommendations.services, as it does from the record's pages: an
update (its kind decided by the status step it takes), owners (with the page's timeline entry),
and a new due date, which becomes an extension request for a chief officer to decide; the due
date itself is left alone. The user's rights are read once and given to each service.
"""

import hashlib
import re
from dataclasses import asdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django_scopes import scope

from forces.access import access_for
from recommendations.dates import add_months
from recommendations.models import RAG_SHORT, DueDateExtension, Owner, ProgressUpdate, Recommendation, Record
from recommendations.services import (
    add_progress_update,
    allowed_statuses,
    request_extension,
    save_owner,
    set_record_owners,
)

from .columns import PROGRESS_COLUMNS, Column
from .models import ImportJob
from .reading import Table, normalise_header
from .rows import (
    BARE_NUMBER,
    DATE_WIDGET,
    KIND_NAMES,
    MENTION,
    RAG_NAMES,
    STATUS_NAMES,
    Row,
    RowError,
    fingerprint,
    match_headers,
    mentions,
    progress_callback,
    run_rows,
    words,
)

Kind = Recommendation.Kind
Status = Record.Status
Voice = ProgressUpdate.Voice
MONTHS = re.compile(r"(\d{1,3})\s*months?", re.IGNORECASE)

# Whose words a row's progress is and which document it comes from: optional columns of the import
# only (the exports write what the app recorded, in PROGRESS_COLUMNS).
SOURCE_COLUMNS = [
    Column(
        "voice",
        "Whose words",
        _("Optional: Commissioner, Chief officer, or Officer for the chief officer. Blank: yours."),
        aliases=("voice", "words of"),
        example="Chief officer",
    ),
    Column(
        "author_name",
        "Named person",
        _("Optional: the name and role of the person whose words they are, e.g. “T/ACC Richard Ocone”."),
        aliases=("author", "written by"),
    ),
    Column(
        "source_document",
        "Source document",
        _("Optional: the document the words come from."),
        aliases=("source", "document"),
    ),
    Column(
        "source_dated",
        "Document date",
        _("Optional: the date of that document. Blank if the document gives none."),
        aliases=("source date", "date of document"),
    ),
]
IMPORT_COLUMNS = [*PROGRESS_COLUMNS, *SOURCE_COLUMNS]
VOICE_NAMES = {
    **{normalise_header(str(label)): value for value, label in Voice.choices},
    **{normalise_header(value): value for value in Voice.values},
    "commissioner": Voice.PCC,
    "pcc": Voice.PCC,
    "pfcc": Voice.PCC,
    "police and crime commissioner": Voice.PCC,
    "chief officer": Voice.CHIEF_OFFICER,
    "chief constable": Voice.CHIEF_OFFICER,
    "commissioner of police": Voice.CHIEF_OFFICER,
    "officer for the chief officer": Voice.OFFICER_FOR_CHIEF,
    "officer for the chief constable": Voice.OFFICER_FOR_CHIEF,
}


def external_ref(force, inspection, kind, number, text) -> str:
    """Stable key of an imported update: the same row imported twice adds nothing the second time."""
    key = "|".join([force.slug, inspection.slug, kind, str(number), words(text)])
    return "import:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "–"


class ProgressImport:
    """One run of a force's progress import over one inspection's records."""

    def __init__(self, job: ImportJob, table: Table):
        self.job, self.table = job, table
        self.force, self.inspection, self.user = job.force, job.inspection, job.user

    def run(self, *, commit: bool) -> dict:
        self.index, errors = match_headers(self.table, IMPORT_COLUMNS)
        if errors:
            return {"errors": errors, "rows": [], "applied": False}
        with scope(force=self.force.pk):
            self.read_state()
            reports, applied = run_rows(
                self.table, self.handle, commit=commit, progress=progress_callback(self.job)
            )
        return {"errors": [], "rows": [asdict(r) for r in reports], "applied": applied}

    def read_state(self):
        """What the rows are checked against, read once (not once per row)."""
        inspection = self.inspection
        # The user's rights, read once and given to every service call.
        self.access = access_for(self.user, self.force)
        if not self.access.can_edit:
            raise PermissionDenied
        self.recs = {(r.kind, r.number): r for r in Recommendation.objects.filter(inspection=inspection)}
        self.fingerprints = {key: fingerprint(r.text) for key, r in self.recs.items()}
        self.record_ids = dict(
            Record.objects.filter(recommendation__inspection=inspection).values_list(
                "recommendation_id", "pk"
            )
        )
        self.owners = {str(o).casefold(): o for o in Owner.objects.all()}
        self.owners_by_pk = {o.pk: o for o in self.owners.values()}
        # What is recorded already: a row whose words match an update on the same record (imported
        # or typed in) adds nothing, so an export re-imports as a no-op.
        updates = ProgressUpdate.objects.filter(record__recommendation__inspection=inspection)
        self.recorded = {
            (record_id, words(text)) for record_id, text in updates.values_list("record_id", "text")
        }
        self.refs = set(updates.exclude(external_ref="").values_list("record_id", "external_ref"))
        self.owned = set(
            Record.owners.through.objects.filter(record_id__in=self.record_ids.values()).values_list(
                "record_id", "owner_id"
            )
        )
        self.pending_due = dict(
            DueDateExtension.objects.filter(
                record_id__in=self.record_ids.values(), decision=DueDateExtension.Decision.PENDING
            ).values_list("record_id", "new_due_on")
        )
        self.records: dict[int, Record] = {}
        self.seen: dict = {}
        # "Heddlu Gwent" names Gwent as well as "Gwent Police" and "gwent" do.
        names = {words(name) for name in (*self.force.names, self.force.slug.replace("-", " "))}
        self.force_names = names | {n.removesuffix(" police").removesuffix(" constabulary") for n in names}

    def handle(self, report, number, cells):
        row = Row(number, cells, self.index, self.table, IMPORT_COLUMNS)
        self.check_force(row)
        rec = self.recs[self.recommendation_key(row)]
        report.label = rec.label
        record_id = self.record_ids.get(rec.pk)
        if record_id is None:
            raise RowError(
                row.headers["recommendation"],
                _("%(label)s is not addressed to police forces, so %(force)s has no record of it.")
                % {"label": rec.label, "force": self.force.local_name},
            )
        text = row.text("progress")
        dup_key = (
            rec.kind,
            rec.number,
            words(text),
            row.text("owner"),
            str(row.raw("due_date")),
            row.text("timescale"),
        )
        if dup_key in self.seen:
            raise RowError("", _("repeats row %(row)s.") % {"row": self.seen[dup_key]})
        self.seen[dup_key] = number
        status = self.status(row)
        rag = self.rag(row)
        dated = row.date("date")
        due = row.date("due_date") if row.text("due_date") else self.timescale(row)
        record = self.records.get(record_id)
        if record is None:
            record = self.records[record_id] = Record.objects.select_related("force").get(pk=record_id)
        self.add_owners(row, record, report)
        self.ask_for_due_date(due, self.records[record_id], report)
        if text:
            self.add_update(row, rec, self.records[record_id], text, dated, (status, rag), report)
        elif status and status != record.status:
            raise RowError(
                row.headers.get("status", ""),
                _("a status can only change with a progress update: write the progress too."),
            )
        elif rag and rag != record.rag:
            raise RowError(
                row.headers.get("rag", ""),
                _("a RAG rating can only change with a progress update: write the progress too."),
            )

    def check_force(self, row):
        named = row.text("force")
        if (
            named
            and words(named).removesuffix(" police").removesuffix(" constabulary") not in self.force_names
        ):
            raise RowError(
                row.headers["force"],
                _(
                    "names “%(named)s”, but this import is for %(force)s. Import each force's rows on its own page."
                )
                % {"named": named, "force": self.force.local_name},
            )

    def add_owners(self, row, record: Record, report):
        """Owners the row names that the record lacks, added as on the record's owners page."""
        added = []
        for name in filter(None, (part.strip() for part in re.split(r"[;\n]", row.text("owner")))):
            if len(name) > 200:
                raise RowError(row.headers["owner"], _("is longer than 200 characters."))
            owner = self.owners.get(name.casefold())
            is_new = owner is None
            if is_new:
                owner = save_owner(self.force, acting_user=self.user, role_title=name, access=self.access)
                self.owners[name.casefold()] = self.owners_by_pk[owner.pk] = owner
            if (record.pk, owner.pk) not in self.owned and owner not in added:
                added.append(owner)
                message = _("Adds new owner “%(name)s”") if is_new else _("Adds owner “%(name)s”")
                report.actions.append(message % {"name": owner})
        if not added:
            return
        current = [
            self.owners_by_pk[owner_id] for record_id, owner_id in self.owned if record_id == record.pk
        ]
        result = set_record_owners(record, acting_user=self.user, owners=current + added, access=self.access)
        self.owned |= {(record.pk, owner.pk) for owner in added}
        if result is not None:
            self.records[record.pk] = result.record

    def ask_for_due_date(self, due: date | None, record: Record, report):
        """A due date that differs from the record's is a request for a chief officer to decide."""
        if not due or due == record.current_due_on or self.pending_due.get(record.pk) == due:
            return
        extension = request_extension(
            record,
            requested_by=self.user,
            new_due_on=due,
            reason=_("Due date in the imported file “%(name)s”.") % {"name": self.job.original_name},
            access=self.access,
        )
        self.pending_due[record.pk] = due
        self.records[record.pk] = extension.record
        report.actions.append(
            _("Asks a chief officer to move the due date from %(old)s to %(new)s")
            % {"old": _day(record.current_due_on), "new": _day(due)}
        )

    def add_update(self, row, rec, record: Record, text, dated, steps, report):
        """The row's progress update, with the status and RAG rating it moves the record to (if any)."""
        status, rag = steps
        rag_before = record.rag
        ref = external_ref(self.force, self.inspection, rec.kind, rec.number, text)
        if (record.pk, ref) in self.refs or (record.pk, words(text)) in self.recorded:
            return
        if status and status != record.status and status not in allowed_statuses(record, access=self.access):
            raise RowError(
                row.headers["status"],
                _("You cannot move this record from “%(from)s” to “%(to)s”.")
                % {"from": record.get_status_display(), "to": Status(status).label},
            )
        result = add_progress_update(
            record,
            author=self.user,
            access=self.access,
            text=text,
            dated=dated,
            status=status,
            rag=rag,
            plain_kind=ProgressUpdate.Kind.IMPORTED,
            external_ref=ref,
            **self.source(row),
        )
        self.refs.add((record.pk, ref))
        self.records[record.pk] = result.record
        self.recorded.add((record.pk, words(text)))
        report.actions.append(
            _("Adds a progress update: “%(first)s”")
            % {"first": text if len(text) <= 80 else text[:79].rstrip() + "…"}
        )
        if result.update.status_changed:
            report.actions.append(
                _("Status from “%(old)s” to “%(new)s”")
                % {
                    "old": Status(result.update.status_before).label,
                    "new": Status(result.update.status_after).label,
                }
            )
        if rag and rag != rag_before:
            report.actions.append(_("RAG rating: %(rag)s") % {"rag": RAG_SHORT[rag]})

    def recommendation_key(self, row):
        """The (kind, number) the row is about; a row that looks like another recommendation is refused."""
        recs, inspection = self.recs, self.inspection
        column = row.headers["recommendation"]
        cell = row.text("recommendation")
        kind = row.kind("kind") if "kind" in row.index else None
        bare = BARE_NUMBER.match(cell)
        found = mentions(cell)
        if bare:
            key = (kind or Kind.RECOMMENDATION, int(bare.group(1)))
        elif len({n for _k, n in found}) == 1:
            key = (kind or found[0][0], found[0][1])
        elif found:
            raise RowError(
                column,
                _("mentions %(numbers)s; put each in its own row.")
                % {"numbers": ", ".join(sorted({str(n) for _k, n in found}))},
            )
        elif not cell:
            raise RowError(column, _("is blank. Enter the recommendation's number as published."))
        else:
            raise RowError(column, _("“%(value)s” has no recommendation number.") % {"value": cell[:60]})
        if key not in recs:
            raise RowError(
                column,
                _("there is no %(kind)s %(number)s in “%(inspection)s”.")
                % {"kind": Kind(key[0]).label.lower(), "number": key[1], "inspection": inspection},
            )
        # A row that quotes another recommendation's text is reported, not guessed.
        cells = {col: words(row.text(col)) for col in ("recommendation", "progress")}
        for other_key, print_ in self.fingerprints.items():
            if other_key == key or not print_ or len(print_.split()) < 6:
                continue
            for col, text in cells.items():
                if print_ in text and self.fingerprints[key] not in text:
                    raise RowError(
                        row.headers.get(col, column),
                        _(
                            "quotes the text of %(other)s, but the row is numbered %(number)s. Check which recommendation it is."
                        )
                        % {"other": recs[other_key].label, "number": key[1]},
                    )
        start = MENTION.match(words(row.text("progress")))
        if start:
            other = (
                KIND_NAMES.get(normalise_header(start.group(1)), Kind.RECOMMENDATION),
                int(start.group(2)),
            )
            if other != key:
                raise RowError(
                    row.headers["progress"],
                    _(
                        "starts with “%(label)s %(other)s”, but the row is numbered %(number)s. Check which recommendation it is."
                    )
                    % {"label": Kind(other[0]).label, "other": other[1], "number": key[1]},
                )
        return key

    @staticmethod
    def source(row) -> dict:
        """Whose words and which document, as the row gives them (checked again by the service)."""
        text = row.text("voice") if "voice" in row.index else ""
        voice = ""
        if text:
            voice = VOICE_NAMES.get(normalise_header(text), "")
            if not voice:
                raise RowError(
                    row.headers["voice"],
                    _("“%(value)s” is not whose words they are. Use one of: %(choices)s.")
                    % {"value": text[:60], "choices": ", ".join(str(label) for label in Voice.labels)},
                )
        return {
            "voice": voice,
            "author_name": row.text("author_name") if "author_name" in row.index else "",
            "source_document": row.text("source_document") if "source_document" in row.index else "",
            "source_dated": row.date("source_dated") if "source_dated" in row.index else None,
        }

    @staticmethod
    def _named(row, key, names, message, labels):
        """The value a cell names (None if blank); a name not in `names` is a row error listing `labels`."""
        text = row.text(key)
        if not text:
            return None
        value = names.get(normalise_header(text))
        if value is None:
            raise RowError(
                row.headers[key], message % {"value": text[:60], "choices": ", ".join(str(x) for x in labels)}
            )
        return value

    @classmethod
    def rag(cls, row):
        message = _("“%(value)s” is not a RAG rating. Use one of: %(choices)s.")
        return cls._named(row, "rag", RAG_NAMES, message, [RAG_SHORT[value] for value in Record.Rag.values])

    @classmethod
    def status(cls, row):
        message = _("“%(value)s” is not a status. Use one of: %(choices)s.")
        return cls._named(row, "status", STATUS_NAMES, message, Status.labels)

    def timescale(self, row):
        if isinstance(row.raw("timescale"), date):
            return row.raw("timescale")
        text = row.text("timescale")
        if not text:
            return None
        months = MONTHS.search(text)
        if months:
            return add_months(self.inspection.published_on, int(months.group(1)))
        try:
            return DATE_WIDGET.clean(text)
        except ValueError:
            raise RowError(
                row.headers["timescale"],
                _("“%(value)s” is not a timescale. Write e.g. “Within 12 months” or a date like 31/08/2023.")
                % {"value": text},
            ) from None
