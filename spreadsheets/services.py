"""Imports: check every row, then apply all rows or none.

A preview and a confirmed import run the same code: the preview applies the rows inside a
transaction and rolls it back, so what the preview promises is exactly what confirming does.
Confirming reads the kept file again and re-checks every row (the data may have moved on).
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_scopes import scope
from import_export.widgets import DateWidget, IntegerWidget

from forces.access import access_for
from outbox.services import enqueue
from recommendations.dates import add_months
from recommendations.models import Addressee, Inspection, Owner, ProgressUpdate, Recommendation, Record
from recommendations.services import CHIEF_ONLY_STEPS, STAFF_STEPS, add_progress_update, create_force_records

from .columns import COLUMNS, INSPECTION_COLUMNS, PROGRESS_COLUMNS
from .models import ImportJob
from .reading import FileRefused, Formula, Table, normalise_header, read_table, unescape

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
MENTION = re.compile(
    r"\b(recommendation|area for improvement|afi|cause of concern)s?\s*(?:no\.?\s*)?(\d{1,3})\b",
    re.IGNORECASE,
)
BARE_NUMBER = re.compile(r"^\s*(?:(?:r|rec|afi)\s*\.?\s*)?(\d{1,3})\s*\.?\s*$", re.IGNORECASE)
MONTHS = re.compile(r"(\d{1,3})\s*months?", re.IGNORECASE)


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


def _where(row, column):
    if column:
        return _("Row %(row)s, column “%(column)s”") % {"row": row, "column": column}
    return _("Row %(row)s") % {"row": row}


def _words(text) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", str(text).lower()))


def _fingerprint(text) -> str:
    """The first dozen words of a recommendation: enough to spot it quoted in another row."""
    return " ".join(_words(text).split()[:12])


def match_headers(table: Table, columns) -> tuple[dict, list[str]]:
    """Map each column key to its index in the file; missing and unknown columns are errors."""
    index, errors, seen = {}, [], {}
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
            seen[column.key] = header
    for column in columns:
        if column.required and column.key not in index:
            errors.append(_("The file has no “%(header)s” column.") % {"header": column.header})
    return index, errors


class _Row:
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
        return unescape(value)

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


def _kind(row, key) -> str | None:
    text = row.text(key)
    if not text:
        return None
    kind = KIND_NAMES.get(normalise_header(text))
    if kind is None:
        raise RowError(
            row.headers[key],
            _("“%(value)s” is not a kind. Use Recommendation, Area for improvement or Cause of concern.")
            % {"value": text},
        )
    return kind


def _mentions(text) -> list[tuple[str, int]]:
    return [
        (KIND_NAMES.get(normalise_header(word), Kind.RECOMMENDATION), int(n))
        for word, n in MENTION.findall(text)
    ]


# ---------------------------------------------------------------------------------------------
# Files and jobs


def store_upload(*, kind, user, upload, force=None, inspection=None, options=None) -> tuple[ImportJob, Table]:
    """Read the upload (refusing bad files) and keep it privately for the confirmation."""
    data = upload.read(settings.SPREADSHEET_MAX_BYTES + 1)
    table = read_table(data, upload.name)
    digest = hashlib.sha256(data).hexdigest()
    job = ImportJob(
        force=force,
        kind=kind,
        user=user,
        inspection=inspection,
        options=options or {},
        original_name=upload.name[:200],
        sha256=digest,
        row_count=len(table.rows),
    )
    job.file.save(digest, ContentFile(data), save=False)
    job.save()
    return job, table


def load_table(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != job.sha256:
        raise ValidationError(_("The kept file has changed since it was uploaded. Upload it again."))
    return read_table(data, job.original_name)


def is_large(job: ImportJob) -> bool:
    return job.row_count > settings.SPREADSHEET_ASYNC_ROWS


def start(job: ImportJob, *, commit: bool, table: Table | None = None) -> ImportJob:
    """Check (commit=False) or apply (commit=True) now, or in a Celery task when the file is large."""
    job.status = ImportJob.Status.APPLYING if commit else ImportJob.Status.PREVIEWING
    job.processed = 0
    if is_large(job):
        job.status = ImportJob.Status.QUEUED if not commit else ImportJob.Status.APPLYING
        job.save(update_fields=["status", "processed", "updated_at"])
        from . import tasks

        with transaction.atomic():
            if job.force_id:
                enqueue(tasks.run_progress_import, job_id=job.pk, commit=commit, force_id=job.force_id)
            else:
                enqueue(tasks.run_inspection_import, job_id=job.pk, commit=commit)
        return job
    job.save(update_fields=["status", "processed", "updated_at"])
    return run(job, commit=commit, table=table)


def run(job: ImportJob, *, commit: bool, table: Table | None = None) -> ImportJob:
    """Check or apply a job here and now, and record the outcome on it. Never raises for bad data."""
    try:
        table = table or load_table(job)
        if job.kind == ImportJob.Kind.PROGRESS:
            outcome = import_progress(job, table, commit=commit)
        else:
            outcome = import_inspection(job, table, commit=commit)
    except (ValidationError, OSError, FileRefused) as exc:  # the kept file is gone or changed
        job.status = ImportJob.Status.FAILED
        job.error = "; ".join(getattr(exc, "messages", None) or [str(exc)])
        job.save(update_fields=["status", "error", "updated_at"])
        return job
    outcome["warnings"] = table.warnings
    job.result = outcome
    job.processed = len(outcome["rows"])
    job.error = ""
    if outcome["errors"] or any(r["errors"] for r in outcome["rows"]):
        job.status = ImportJob.Status.INVALID if not commit else ImportJob.Status.FAILED
    else:
        job.status = ImportJob.Status.APPLIED if commit else ImportJob.Status.PREVIEWED
    job.save(update_fields=["result", "processed", "error", "status", "updated_at"])
    return job


def _progress_callback(job) -> Callable[[int], None]:
    """Every 50 rows, note the count in the cache: the job row cannot show it, since the rows are
    applied in one transaction that nobody else sees until it commits."""
    from django.core.cache import cache

    def report(done):
        if done % 50 == 0:
            cache.set(f"spreadsheets:job:{job.pk}:processed", done, 3600)

    return report


def _run_rows(table, handle_row, *, commit, progress, at_end=None) -> tuple[list[RowReport], bool]:
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
                    report.errors.append(f"{_where(number, exc.column)}: {exc.message}")
                except (ValidationError, PermissionDenied) as exc:
                    messages = getattr(exc, "messages", None) or [str(exc)]
                    report.errors.extend(f"{_where(number, '')}: {m}" for m in messages)
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


# ---------------------------------------------------------------------------------------------
# A force's progress


def external_ref(force, inspection, kind, number, text) -> str:
    """Stable key of an imported update: the same row imported twice adds nothing the second time."""
    key = "|".join([force.slug, inspection.slug, kind, str(number), _words(text)])
    return "import:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def import_progress(job: ImportJob, table: Table, *, commit: bool) -> dict:
    force, inspection, user = job.force, job.inspection, job.user
    index, errors = match_headers(table, PROGRESS_COLUMNS)
    if errors:
        return {"errors": errors, "rows": [], "applied": False}
    with scope(force=force.pk):
        recs = {(r.kind, r.number): r for r in Recommendation.objects.filter(inspection=inspection)}
        fingerprints = {key: _fingerprint(r.text) for key, r in recs.items()}
        record_ids = dict(
            Record.objects.filter(recommendation__inspection=inspection).values_list(
                "recommendation_id", "pk"
            )
        )
        owners = {str(o).casefold(): o for o in Owner.objects.all()}
        # What is recorded already, read once: a row whose words match an update on the same
        # record (imported or typed in) adds nothing, so an export re-imports as a no-op.
        recorded = {
            (record_id, _words(text))
            for record_id, text in ProgressUpdate.objects.filter(
                record__recommendation__inspection=inspection
            ).values_list("record_id", "text")
        }
        refs = set(
            ProgressUpdate.objects.filter(record__recommendation__inspection=inspection)
            .exclude(external_ref="")
            .values_list("record_id", "external_ref")
        )
        # The user's rights, read once (add_progress_update would ask guardian on every row).
        access = access_for(user, force)
        owned = set(
            Record.owners.through.objects.filter(record_id__in=record_ids.values()).values_list(
                "record_id", "owner_id"
            )
        )
        # Records are locked on first use and kept for the rest of the import (inside its transaction).
        locked: dict[int, Record] = {}
        if not access.can_edit:
            raise PermissionDenied
        seen: dict = {}
        force_names = {_words(force.name), _words(force.slug.replace("-", " "))}
        force_names |= {n.removesuffix(" police").removesuffix(" constabulary") for n in force_names}

        def handle(report, number, cells):
            row = _Row(number, cells, index, table, PROGRESS_COLUMNS)
            named = row.text("force")
            if (
                named
                and _words(named).removesuffix(" police").removesuffix(" constabulary") not in force_names
            ):
                raise RowError(
                    row.headers["force"],
                    _(
                        "names “%(named)s”, but this import is for %(force)s. Import each force's rows on its own page."
                    )
                    % {"named": named, "force": force.name},
                )
            key = _recommendation_key(row, recs, fingerprints, inspection)
            rec = recs[key]
            report.label = rec.label
            record_id = record_ids.get(rec.pk)
            if record_id is None:
                raise RowError(
                    row.headers["recommendation"],
                    _("%(label)s is not addressed to police forces, so %(force)s has no record of it.")
                    % {"label": rec.label, "force": force.name},
                )
            text = row.text("progress")
            dup_key = (key, _words(text), row.text("owner"), str(row.raw("due_date")), row.text("timescale"))
            if dup_key in seen:
                raise RowError("", _("repeats row %(row)s.") % {"row": seen[dup_key]})
            seen[dup_key] = number
            status = _status(row)
            dated = row.date("date")
            due = row.date("due_date") if row.text("due_date") else _timescale(row, inspection)
            record = locked.get(record_id)
            if record is None:
                record = locked[record_id] = Record.objects.select_for_update().get(pk=record_id)
            changed = False
            for name in filter(None, (part.strip() for part in re.split(r"[;\n]", row.text("owner")))):
                if len(name) > 200:
                    raise RowError(row.headers["owner"], _("is longer than 200 characters."))
                owner = owners.get(name.casefold())
                is_new = owner is None
                if is_new:
                    owner = Owner.objects.create(force=force, role_title=name)
                    owners[name.casefold()] = owner
                if (record.pk, owner.pk) not in owned:
                    record.owners.add(owner)
                    owned.add((record.pk, owner.pk))
                    message = _("Adds new owner “%(name)s”") if is_new else _("Adds owner “%(name)s”")
                    report.actions.append(message % {"name": owner})
                    changed = True
            if due and due != record.current_due_on:
                report.actions.append(
                    _("Due date from %(old)s to %(new)s")
                    % {
                        "old": record.current_due_on.strftime("%d/%m/%Y") if record.current_due_on else "–",
                        "new": due.strftime("%d/%m/%Y"),
                    }
                )
                record.current_due_on = due
                record.original_due_on = record.original_due_on or due
                changed = True
            if changed:
                record.version += 1
                record.save()
            if not text:
                if status and status != record.status:
                    raise RowError(
                        row.headers.get("status", ""),
                        _("a status can only change with a progress update: write the progress too."),
                    )
                return
            ref = external_ref(force, inspection, rec.kind, rec.number, text)
            if (record.pk, ref) in refs or (record.pk, _words(text)) in recorded:
                return
            if status and status != record.status and status not in _allowed(record, access):
                raise RowError(
                    row.headers["status"],
                    _("You cannot move this record from “%(from)s” to “%(to)s”.")
                    % {"from": record.get_status_display(), "to": Status(status).label},
                )
            result = add_progress_update(
                record,
                author=user,
                text=text,
                dated=dated,
                status=status,
                kind=ProgressUpdate.Kind.IMPORTED,
                external_ref=ref,
                check_permission=False,  # checked above with the rights read once
            )
            refs.add((record.pk, ref))
            locked[record.pk] = result.record
            recorded.add((record.pk, _words(text)))
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

        reports, applied = _run_rows(table, handle, commit=commit, progress=_progress_callback(job))
    return {"errors": [], "rows": [asdict(r) for r in reports], "applied": applied}


def _recommendation_key(row, recs, fingerprints, inspection):
    column = row.headers["recommendation"]
    cell = row.text("recommendation")
    kind = _kind(row, "kind") if "kind" in row.index else None
    bare = BARE_NUMBER.match(cell)
    mentions = _mentions(cell)
    if bare:
        key = (kind or Kind.RECOMMENDATION, int(bare.group(1)))
    elif len({n for _k, n in mentions}) == 1:
        key = (kind or mentions[0][0], mentions[0][1])
    elif mentions:
        raise RowError(
            column,
            _("mentions %(numbers)s; put each in its own row.")
            % {"numbers": ", ".join(sorted({str(n) for _k, n in mentions}))},
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
    cells = {col: _words(row.text(col)) for col in ("recommendation", "progress")}
    for other_key, print_ in fingerprints.items():
        if other_key == key or not print_ or len(print_.split()) < 6:
            continue
        for col, words in cells.items():
            if print_ in words and fingerprints[key] not in words:
                raise RowError(
                    row.headers.get(col, column),
                    _(
                        "quotes the text of %(other)s, but the row is numbered %(number)s. Check which recommendation it is."
                    )
                    % {"other": recs[other_key].label, "number": key[1]},
                )
    start = MENTION.match(_words(row.text("progress")))
    if start:
        other = (KIND_NAMES.get(normalise_header(start.group(1)), Kind.RECOMMENDATION), int(start.group(2)))
        if other != key:
            raise RowError(
                row.headers["progress"],
                _(
                    "starts with “%(label)s %(other)s”, but the row is numbered %(number)s. Check which recommendation it is."
                )
                % {"label": Kind(other[0]).label, "other": other[1], "number": key[1]},
            )
    return key


def _allowed(record, access) -> set:
    """recommendations.services.allowed_statuses, with the user's rights already in hand."""
    steps = set(STAFF_STEPS.get(record.status, set()))
    if access.can_sign_off:
        steps |= CHIEF_ONLY_STEPS.get(record.status, set())
    return steps


def _status(row):
    text = row.text("status")
    if not text:
        return None
    status = STATUS_NAMES.get(normalise_header(text))
    if status is None:
        raise RowError(
            row.headers["status"],
            _("“%(value)s” is not a status. Use one of: %(choices)s.")
            % {"value": text, "choices": ", ".join(str(label) for label in Status.labels)},
        )
    return status


def _timescale(row, inspection):
    if isinstance(row.raw("timescale"), date):
        return row.raw("timescale")
    text = row.text("timescale")
    if not text:
        return None
    months = MONTHS.search(text)
    if months:
        return add_months(inspection.published_on, int(months.group(1)))
    try:
        return DATE_WIDGET.clean(text)
    except ValueError:
        raise RowError(
            row.headers["timescale"],
            _("“%(value)s” is not a timescale. Write e.g. “Within 12 months” or a date like 31/08/2023.")
            % {"value": text},
        ) from None


# ---------------------------------------------------------------------------------------------
# An inspection's recommendations


INSPECTION_FIELDS = ("title", "kind", "published_on", "url", "timescale_months", "lead_inspectorate")


def import_inspection(job: ImportJob, table: Table, *, commit: bool) -> dict:
    index, errors = match_headers(table, INSPECTION_COLUMNS)
    if errors:
        return {"errors": errors, "rows": [], "applied": False}
    addressees = {}
    for a in Addressee.objects.all():
        addressees[a.slug.casefold()] = a
        addressees[a.name.casefold()] = a
        addressees[slugify(a.name)] = a
    summary = {"errors": [], "rows": [], "applied": False, "inspection": [], "records_created": 0}
    holder = {}

    def handle_inspection():
        options = dict(job.options)
        slug = options.pop("slug", "") or slugify(options["title"])[:80]
        options["published_on"] = date.fromisoformat(options["published_on"])
        inspection = Inspection.objects.filter(slug=slug).first()
        if inspection is None:
            inspection = Inspection.objects.create(slug=slug, **options)
            summary["inspection"].append(
                _("Creates the inspection “%(title)s”") % {"title": inspection.title}
            )
        else:
            changed = [name for name, value in options.items() if getattr(inspection, name) != value]
            if changed:
                for name in changed:
                    setattr(inspection, name, options[name])
                inspection.save()
                summary["inspection"].append(
                    _("Changes the inspection's %(fields)s")
                    % {"fields": ", ".join(str(Inspection._meta.get_field(n).verbose_name) for n in changed)}
                )
        holder["inspection"] = inspection
        return inspection

    seen = {}

    def handle(report, number, cells):
        inspection = holder.get("inspection") or handle_inspection()
        row = _Row(number, cells, index, table, INSPECTION_COLUMNS)
        kind = _kind(row, "kind") or Kind.RECOMMENDATION
        raw_number = row.text("number")
        bare = BARE_NUMBER.match(raw_number) or (
            MENTION.search(raw_number) and re.search(r"(\d{1,3})", raw_number)
        )
        if not bare:
            raise RowError(row.headers["number"], _("“%(value)s” is not a number.") % {"value": raw_number})
        num = int(bare.group(1))
        report.label = f"{Kind(kind).label} {num}"
        if (kind, num) in seen:
            raise RowError(row.headers["number"], _("repeats row %(row)s.") % {"row": seen[(kind, num)]})
        seen[(kind, num)] = number
        text = row.text("text")
        if not text:
            raise RowError(row.headers["text"], _("is blank. Enter the recommendation as published."))
        wanted = []
        for part in filter(None, (p.strip() for p in re.split(r"[;\n]", row.text("addressees")))):
            found = addressees.get(part.casefold()) or addressees.get(slugify(part))
            if found is None:
                raise RowError(
                    row.headers["addressees"],
                    _("“%(value)s” is not an addressee. Use one of: %(known)s.")
                    % {"value": part, "known": ", ".join(sorted({a.name for a in addressees.values()}))},
                )
            wanted.append(found)
        if not wanted:
            raise RowError(row.headers["addressees"], _("is blank. Say who the recommendation is for."))
        months = row.text("timescale_months")
        try:
            months = INT_WIDGET.clean(months) if months else None
        except ValueError:
            months = None
            raise RowError(
                row.headers["timescale_months"],
                _("“%(value)s” is not a whole number of months.") % {"value": row.text("timescale_months")},
            ) from None
        values = {
            "lead_in": row.text("lead_in"),
            "text": text,
            "timescale_months": months,
            "due_on": row.date("due_date"),
        }
        rec = Recommendation.objects.filter(inspection=inspection, kind=kind, number=num).first()
        if rec is None:
            rec = Recommendation.objects.create(inspection=inspection, kind=kind, number=num, **values)
            rec.addressees.set(wanted)
            report.actions.append(_("Adds it"))
            return
        changed = [name for name, value in values.items() if getattr(rec, name) != value]
        for name in changed:
            setattr(rec, name, values[name])
        if changed:
            rec.save()
        if set(rec.addressees.all()) != set(wanted):
            rec.addressees.set(wanted)
            changed.append("addressees")
        if changed:
            report.actions.append(_("Changes %(fields)s") % {"fields": ", ".join(changed)})

    def create_records():
        # In the same transaction: a preview counts the records a confirmation would create.
        if "inspection" in holder:
            summary["records_created"] = create_force_records(holder["inspection"])

    reports, applied = _run_rows(
        table, handle, commit=commit, progress=_progress_callback(job), at_end=create_records
    )
    summary["rows"] = [asdict(r) for r in reports]
    summary["applied"] = applied
    if applied and "inspection" in holder:
        summary["inspection_slug"] = holder["inspection"].slug
        job.inspection = holder["inspection"]
        job.save(update_fields=["inspection"])
    return summary


def columns_for(kind):
    return COLUMNS[kind]
