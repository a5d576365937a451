"""Writes for imported history: upload, reading (in a task), corrections, confirm, delete.

Nothing outside this app's own rows is written before `confirm_import`, which writes everything
(the published response, its progress updates, the imported answers) in one transaction or
nothing. Records change only through recommendations.services and responses through
responses.services.
"""

import contextlib
import hashlib
import os
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from forces.access import ForceAccess, access_for
from forces.models import Force
from outbox.services import enqueue
from recommendations import evidence
from recommendations.models import Inspection, ProgressUpdate, Recommendation, Record
from recommendations.services import add_progress_update
from responses.services import import_published_response, record_ledger

from . import batch as batch_reading
from . import mapping, reading
from .models import DocumentBatch, DocumentImport, ImportedAnswer

READ_TASK = "history.read_document"

# extension -> content type; the bytes are checked against the extension before anything is kept.
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "htm": "text/html",
    "txt": "text/plain",
}


@dataclass(frozen=True)
class CheckedDocument:
    upload: object
    name: str
    kind: str
    size: int


def _require_importer(user, force: Force) -> ForceAccess:
    """The access a history import of this force writes with: its own people's, or an administrator's."""
    access = access_for(user, force)
    if not access.can_import_history:
        raise PermissionDenied(_("You cannot import documents for this force."))
    return access.for_history_import()


def check_document(upload) -> CheckedDocument:
    """Refuse a file that is empty, too big, of another type, or whose bytes lie about its type."""
    name = os.path.basename(upload.name or "")
    ext = os.path.splitext(name)[1].lower().lstrip(".")
    if ext not in DOCUMENT_TYPES:
        raise ValidationError(
            _("%(name)s must be a PDF, Word (DOCX), HTML or text file") % {"name": name}, code="type"
        )
    if not upload.size:
        raise ValidationError(_("%(name)s is empty") % {"name": name}, code="empty")
    if upload.size > settings.HISTORY_MAX_BYTES:
        raise ValidationError(
            _("%(name)s must be smaller than %(limit)s")
            % {"name": name, "limit": filesizeformat(settings.HISTORY_MAX_BYTES)},
            code="size",
        )
    if ext == "pdf":
        upload.seek(0)
        ok = upload.read(5) == b"%PDF-"
        upload.seek(0)
    elif ext == "docx":
        ok = evidence._is_ooxml(upload, "word/document.xml")
    else:
        ok = evidence._is_text(upload)
    if not ok:
        raise ValidationError(
            _("%(name)s is not a real .%(ext)s file: its content does not match its name")
            % {"name": name, "ext": ext},
            code="content",
        )
    return CheckedDocument(
        upload=upload, name=name[:255], kind="html" if ext == "htm" else ext, size=upload.size
    )


def _digest(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def already_imported(force: Force, sha256: str) -> DocumentImport | None:
    return DocumentImport.objects.filter(
        force=force, sha256=sha256, status=DocumentImport.Status.CONFIRMED
    ).first()


def start_import(force: Force, inspection: Inspection, upload, *, user) -> DocumentImport:
    """Keep the upload and queue its reading; the same file imported before is refused by its hash."""
    _require_importer(user, force)
    if not Record.objects.filter(force=force, recommendation__inspection=inspection).exists():
        raise ValidationError(
            _("This inspection has no recommendations for %(force)s.") % {"force": force.local_name}
        )
    checked = check_document(upload)
    sha256 = _digest(upload)
    earlier = already_imported(force, sha256)
    if earlier is not None:
        raise ValidationError(
            _("This file was imported already, on %(when)s. It has not been imported again.")
            % {"when": timezone.localtime(earlier.confirmed_at).strftime("%d %B %Y")},
            code="duplicate",
        )
    return _keep(
        force,
        inspection,
        upload,
        user=user,
        name=checked.name,
        kind=checked.kind,
        size=checked.size,
        sha256=sha256,
    )


def _keep(force, inspection, content, *, user, name, kind, size, sha256, batch=None) -> DocumentImport:
    """Store the file and its import row; a single upload's reading is queued, a batch reads its own."""
    stored = evidence.evidence_storage().save(f"history/{force.slug}/{uuid.uuid4().hex}.{kind}", content)
    try:
        with transaction.atomic():
            document = DocumentImport.objects.create(
                force=force,
                inspection=inspection,
                uploaded_by=user,
                original_name=name,
                kind=kind,
                content_type=DOCUMENT_TYPES[kind],
                file=stored,
                size=size,
                sha256=sha256,
                batch=batch,
            )
            if batch is None:
                enqueue(READ_TASK, force_id=force.pk, import_id=document.pk)
    except BaseException:
        evidence.remove([stored])
        raise
    return document


def _recs(inspection: Inspection) -> list[mapping.RecRef]:
    rows = (
        Recommendation.objects.filter(inspection=inspection, kind=Recommendation.Kind.RECOMMENDATION)
        .prefetch_related("addressees")
        .order_by("number")
    )
    return [
        mapping.RecRef(r.number, r.text, r.lead_in, any(a.is_police for a in r.addressees.all()))
        for r in rows
    ]


def _set_progress(pk: int, progress: int, status=DocumentImport.Status.READING) -> None:
    DocumentImport.objects.filter(pk=pk).update(progress=progress, status=status)


def _other_force_named(force: Force, text: str) -> Force | None:
    """A document that names another force and never this one (by any of its names) is for that
    other force."""

    def named(f: Force) -> bool:
        return any(re.search(rf"\b{re.escape(name)}\b", text, re.I) for name in f.names)

    if named(force):
        return None
    with scopes_disabled():
        others = Force.objects.exclude(pk=force.pk).only("name", "name_cy", "slug")
        return next((f for f in others if named(f)), None)


def run_reading(import_id: int) -> DocumentImport:
    """Read the kept file and store the preview (called in the task). A failure is recorded, not raised."""
    document = DocumentImport.objects.select_related("force", "inspection").get(pk=import_id)
    if document.status not in (DocumentImport.Status.QUEUED, DocumentImport.Status.READING):
        return document  # a redelivered message: the work is done already
    DocumentImport.objects.filter(pk=document.pk).update(
        progress=10, status=DocumentImport.Status.READING, started_at=timezone.now()
    )
    try:
        with evidence.evidence_storage().open(document.file, "rb") as handle:
            data = handle.read()
        lines = reading.read_lines(data, document.kind)
        _set_progress(document.pk, 50)
        recs = _recs(document.inspection)
        result = mapping.read(lines, recs, inspection_published=document.inspection.published_on)
        _set_progress(document.pk, 80)
        full_text = "\n".join(line.text for line in lines)
        other = _other_force_named(document.force, full_text)
        police = [r.number for r in recs if r.is_police]
        if not any(result.answers.get(n) and result.answers[n].lines for n in police):
            raise reading.UnreadableDocument(
                _(
                    "No answer to any of this inspection's recommendations for police was found in the document."
                )
            )
        if another_inspection(result, police):
            raise reading.UnreadableDocument(
                _(
                    "The recommendations quoted in this document are not this inspection's: it looks like "
                    "a response to another inspection. Check the inspection chosen, or upload the right document."
                )
            )
        if other is not None:
            raise reading.UnreadableDocument(
                _("This document is about %(other)s, not %(force)s.")
                % {"other": other.local_name, "force": document.force.local_name}
            )
        payload = serialise(result, police)
        payload["warnings"] = inspection_warnings(result, police)
    except reading.UnreadableDocument as exc:
        DocumentImport.objects.filter(pk=import_id).update(
            status=DocumentImport.Status.FAILED, error=str(exc), progress=100
        )
        document.refresh_from_db()
        return document
    DocumentImport.objects.filter(pk=import_id).update(
        status=DocumentImport.Status.READY, reading=payload, progress=100, error=""
    )
    document.refresh_from_db()
    return document


def _answered(result: mapping.Reading, police: list[int]) -> list[mapping.Answer]:
    return [a for n, a in result.answers.items() if n in police and a.lines]


def another_inspection(result: mapping.Reading, police: list[int]) -> bool:
    """The document quotes recommendation texts that contradict this inspection's, and few match.

    Numbers alone prove little (every report has a recommendation 14): when the headings quote
    texts and at most a third of the answers match this inspection's own text, the document is
    for another inspection.
    """
    answered = _answered(result, police)
    contradicted = [a for a in answered if any(f.startswith("text_differs:") for f in a.flags)]
    by_text = [a for a in answered if a.matched_by in ("text", "both")]
    return bool(contradicted) and len(by_text) * 3 <= len(answered)


def inspection_warnings(result: mapping.Reading, police: list[int]) -> list[str]:
    """Document-wide doubts for the preview: answers found by number only, never by their text."""
    answered = _answered(result, police)
    if answered and not any(a.matched_by in ("text", "both") for a in answered):
        return ["number_only"]
    return []


def _voice_json(voice: mapping.Voice | None) -> dict:
    if voice is None:
        return {"name": "", "title": "", "dated": None, "comments": [], "overall": [], "signed": False}
    return {
        "name": voice.name,
        "title": voice.title,
        "dated": voice.dated.isoformat() if voice.dated else None,
        "comments": voice.comments,
        "overall": voice.overall,
        "signed": voice.signed,
    }


def serialise(result: mapping.Reading, police: list[int]) -> dict:
    """The preview as JSON: every line, where each went, how each answer was found."""
    assign: dict[str, int | None] = {}
    # Lines the engine put aside, with why, so the preview can show them and the user rescue them:
    # an answer to a recommendation for other agencies, or text taken as not an answer (headings,
    # the recommendations' own text, lead-ins, signatures, letterheads).
    set_aside: dict[str, str] = {}
    for number, answer in result.answers.items():
        for i in answer.lines:
            if number in police:
                assign[str(i)] = number
            else:
                set_aside.setdefault(str(i), f"other_agency:{number}")
    for i in result.ignored:
        set_aside.setdefault(str(i), "set_aside")
    for i in result.unassigned:
        assign.setdefault(str(i), None)
    for i in set_aside:
        assign.setdefault(i, None)
    set_aside = {i: why for i, why in set_aside.items() if assign[i] is None}
    return {
        "lines": [
            {"text": line.text, "para": line.para, "row": line.row, "col": line.col} for line in result.lines
        ],
        "assign": assign,
        "set_aside": set_aside,
        "police": police,
        "answers": {
            str(n): {
                "matched_by": a.matched_by,
                "confidence": a.confidence,
                "flags": a.flags,
                "owner": a.owner,
                "timescale": a.timescale,
                "voice": a.voice,
            }
            for n, a in result.answers.items()
            if n in police
        },
        "response_date": result.response_date.isoformat() if result.response_date else None,
        "addressee": result.addressee,
        "published_url": result.published_url,
        "pcc": _voice_json(result.voices.get("pcc")),
        "chief_officer": _voice_json(result.voices.get("chief_officer"))
        if "chief_officer" in result.voices
        else None,
    }


# --- reading the stored preview ------------------------------------------------------------------


def _lines(payload: dict) -> list[reading.Line]:
    return [reading.Line(row["text"], row["para"], row["row"], row["col"]) for row in payload["lines"]]


def answer_lines(payload: dict, number: int) -> list[int]:
    return sorted(int(i) for i, n in payload["assign"].items() if n == number)


def answer_text(payload: dict, number: int) -> str:
    lines = _lines(payload)
    return mapping.join_lines([lines[i] for i in answer_lines(payload, number)])


def unassigned_lines(payload: dict) -> list[int]:
    """Paragraphs the engine could not place (not those it put aside on purpose)."""
    aside = payload.get("set_aside", {})
    return sorted(int(i) for i, n in payload["assign"].items() if n is None and i not in aside)


def set_aside_lines(payload: dict) -> list[tuple[int, str]]:
    """Paragraphs put aside on purpose, with why: "set_aside" or "other_agency:<number>"."""
    aside = payload.get("set_aside", {})
    return sorted((int(i), why) for i, why in aside.items() if payload["assign"].get(i) is None)


def comments_text(payload: dict, role: str, part: str = "comments") -> str:
    """A voice's own comments ("comments"; the commissioner's closing ones are "overall"), less any
    paragraph the user gave to a recommendation."""
    voice = payload.get(role) or {}
    lines = _lines(payload)
    taken = {int(i) for i, n in payload["assign"].items() if n is not None}
    return mapping.join_lines([lines[i] for i in voice.get(part, []) if i not in taken])


def _parse_date(value) -> date | None:
    return date.fromisoformat(value) if value else None


# --- corrections ---------------------------------------------------------------------------------


def _ready(document: DocumentImport, user) -> DocumentImport:
    _require_importer(user, document.force)
    locked = DocumentImport.objects.select_for_update().get(pk=document.pk)
    if locked.status != DocumentImport.Status.READY:
        raise ValidationError(_("This document is not waiting to be checked."))
    return locked


@transaction.atomic
def correct_preview(
    document: DocumentImport,
    *,
    user,
    assignments: dict[int, int | None],
    response_date: date | None = None,
    date_known: bool = True,
    authors: dict[str, dict] | None = None,
) -> DocumentImport:
    """Move paragraphs between recommendations (or out: not an answer), correct the date and authors."""
    locked = _ready(document, user)
    payload = locked.reading
    police = set(payload["police"])
    for index, number in assignments.items():
        if str(index) not in payload["assign"]:
            raise ValidationError(_("That paragraph is not part of this document."))
        if number is not None and number not in police:
            raise ValidationError(_("That recommendation is not addressed to police forces."))
        payload["assign"][str(index)] = number
    payload["response_date"] = response_date.isoformat() if (date_known and response_date) else None
    for role, values in (authors or {}).items():
        if role not in ("pcc", "chief_officer"):
            continue
        voice = payload.get(role) or {"name": "", "title": "", "dated": None, "comments": []}
        voice["name"] = (values.get("name") or "").strip()[:200]
        voice["title"] = (values.get("title") or "").strip()[:300]
        if "dated" in values:
            voice["dated"] = values["dated"].isoformat() if values["dated"] else None
        payload[role] = voice
    for number, answer in payload["answers"].items():
        if "voice" in (authors or {}).get(f"answer:{number}", {}):
            answer["voice"] = authors[f"answer:{number}"]["voice"]
    locked.reading = payload
    locked.save(update_fields=["reading"])
    return locked


# --- confirm -------------------------------------------------------------------------------------


def progress_attribution(payload: dict, number: int, document: DocumentImport) -> dict:
    """Who wrote the answer and when, as add_progress_update takes it.

    The one place that maps the document's author and date onto a progress update: the voice
    (the commissioner, the chief officer, or an officer writing for them), the document it came
    from and its date. An undated document gives an undated update ("date not known"), never a
    made-up date.
    """
    role = payload["answers"].get(str(number), {}).get("voice", "pcc")
    voice = payload.get(role) or payload.get("pcc") or {}
    dated = _parse_date(voice.get("dated")) or _parse_date(payload.get("response_date"))
    if role == "pcc":
        dated = _parse_date(payload.get("response_date")) or _parse_date(voice.get("dated"))
    title = voice.get("title", "")
    if role == "chief_officer":
        # A T/ACC or deputy signing for the chief officer is named as acting for them.
        update_voice = (
            ProgressUpdate.Voice.OFFICER_FOR_CHIEF
            if writes_for_chief(title)
            else ProgressUpdate.Voice.CHIEF_OFFICER
        )
    else:
        update_voice = ProgressUpdate.Voice.PCC
    shown = ", ".join(part for part in (voice.get("name"), title) if part)
    return {
        "role": role,
        "name": voice.get("name", ""),
        "title": title,
        "dated": dated,
        "update_kwargs": {
            "author": None,
            "author_name": (shown or _("Unknown author"))[:200],
            "dated": dated,
            "date_not_known": dated is None,
            "voice": update_voice,
            "source_document": document.original_name[:300],
            "source_dated": _parse_date(payload.get("response_date")),
        },
    }


CHIEF_ITSELF_RE = re.compile(
    r"^\s*(?:the\s+)?(?:chief\s+(?:constable|officer)|commissioner\s+of\s+(?:police|the))\b", re.I
)
ACTING_RE = re.compile(
    r"(?:^|[\s(])(?:t/|a/|temporary|temp\.|acting|deputy|assistant|dcc|acc|t/acc|t/dcc)\b", re.I
)


def writes_for_chief(title: str) -> bool:
    """Is the title an officer's writing for the chief officer (T/ACC, Deputy, Acting Chief Constable)?

    Only the chief officer's own title ("Chief Constable", "Chief Constable of Gwent Police",
    "Commissioner of Police of the Metropolis") is theirs; any rank qualifier, or another post,
    writes for them. An unknown title is taken as the chief officer's own.
    """
    title = (title or "").strip()
    if not title:
        return False
    return bool(ACTING_RE.search(title)) or not CHIEF_ITSELF_RE.search(title)


def s55_ledger_entries(payload: dict) -> dict:
    """What the document proves of the section 55 steps: the chief officer's comments, the publication.

    Kept with the import; the one place to hand them to the response's own ledger when it has one.
    """
    chief = payload.get("chief_officer") or {}
    pcc = payload.get("pcc") or {}
    return {
        "chief_comments_received_on": chief.get("dated"),
        "chief_comments_by": ", ".join(p for p in (chief.get("name"), chief.get("title")) if p),
        # A note or letter the commissioner signed, dated: signed on that date. An unsigned
        # statement proves a publication, not a signature.
        "pcc_signed_on": (pcc.get("dated") or payload.get("response_date")) if pcc.get("signed") else None,
        "published_on": payload.get("response_date"),
        "published_at": payload.get("published_url", ""),
    }


def _record_ledger(response, entries: dict, *, user, access) -> None:
    """Hand the s55 steps the document proves to the response's own ledger (its one writer)."""
    values = {}
    received = _parse_date(entries.get("chief_comments_received_on"))
    if received is not None:
        values["chief_comments_received_on"] = received
        values["chief_comments_received_from"] = entries.get("chief_comments_by", "")[:200]
    signed = _parse_date(entries.get("pcc_signed_on"))
    if signed is not None:
        values["pcc_signed_on"] = signed
    if entries.get("published_at"):
        values["published_url"] = entries["published_at"][:200]
    if values:
        record_ledger(response, user=user, values=values, access=access)


@transaction.atomic
def confirm_import(document: DocumentImport, *, user) -> DocumentImport:
    """Write the published response and one attributed progress update per answer, all or nothing."""

    locked = _ready(document, user)
    access = _require_importer(user, locked.force)
    if already_imported(locked.force, locked.sha256) is not None:
        raise ValidationError(_("This file was imported already. It has not been imported again."))
    payload = locked.reading
    inspection, force = locked.inspection, locked.force
    records = {
        r.recommendation.number: r
        for r in Record.objects.filter(force=force, recommendation__inspection=inspection).select_related(
            "recommendation"
        )
    }
    answered = [n for n in payload["police"] if answer_text(payload, n) and n in records]
    if not answered:
        raise ValidationError(_("No paragraph is given to any recommendation: there is nothing to import."))
    pcc = payload.get("pcc") or {}
    response = import_published_response(
        force,
        inspection,
        user=user,
        published_on=_parse_date(payload.get("response_date")),
        fields={
            "addressee": payload.get("addressee", ""),
            "letter_date": _parse_date(payload.get("response_date")),
            "signatory_name": pcc.get("name", ""),
            "signatory_title": pcc.get("title", ""),
            "pcc_initial_comments": comments_text(payload, "pcc"),
            "chief_officer_comments": comments_text(payload, "chief_officer"),
            "pcc_overall_comments": comments_text(payload, "pcc", "overall"),
        },
        sections={records[n].recommendation_id: answer_text(payload, n) for n in answered},
        access=access,
    )
    for number in answered:
        who = progress_attribution(payload, number, locked)
        result = add_progress_update(
            records[number],
            text=answer_text(payload, number),
            plain_kind=ProgressUpdate.Kind.IMPORTED,
            external_ref=f"document:{locked.sha256[:32]}:{number}",
            access=access,
            **who["update_kwargs"],
        )
        meta = payload["answers"].get(str(number), {})
        ImportedAnswer.objects.create(
            force=force,
            document=locked,
            recommendation=records[number].recommendation,
            progress_update=result.update,
            voice=who["role"],
            author_name=who["name"],
            author_title=who["title"],
            dated=who["dated"],
            matched_by=meta.get("matched_by", "manual") or "manual",
            confidence=meta.get("confidence", 0),
            flags=meta.get("flags", []),
        )
    payload["s55"] = s55_ledger_entries(payload)
    _record_ledger(response, payload["s55"], user=user, access=access)
    locked.reading = payload
    locked.status = DocumentImport.Status.CONFIRMED
    locked.response = response
    locked.confirmed_by = user
    locked.confirmed_at = timezone.now()
    locked.save(update_fields=["reading", "status", "response", "confirmed_by", "confirmed_at"])
    return locked


def delete_import(document: DocumentImport, *, user) -> None:
    """Remove an upload that was not imported, and its kept file."""
    _require_importer(user, document.force)
    with transaction.atomic():
        locked = DocumentImport.objects.select_for_update().get(pk=document.pk)
        if locked.status == DocumentImport.Status.CONFIRMED:
            raise ValidationError(_("An imported document is the published response's source and is kept."))
        name = locked.file
        locked.delete()
    with contextlib.suppress(OSError):
        evidence.remove([name])


# --- many letters at once: a zip for one inspection (administrators) ------------------------------

BATCH_TASK = "history.read_batch"


def _require_administrator(user) -> None:
    if not (user.is_authenticated and user.is_active and user.is_superuser):
        raise PermissionDenied(_("Only administrators can upload a zip of responses."))


def inspection_forces(inspection: Inspection) -> list[Force]:
    """The forces the inspection has records for: the only forces a letter in its zip can be from."""
    with scopes_disabled():
        return list(
            Force.objects.filter(records__recommendation__inspection=inspection).distinct().order_by("name")
        )


def start_batch(inspection: Inspection, upload, *, user) -> DocumentBatch:
    """Keep an administrator's zip of letters and queue its reading; nothing else is written yet."""
    _require_administrator(user)
    name = os.path.basename(upload.name or "")[:255]
    if not name.lower().endswith(".zip"):
        raise ValidationError(_("%(name)s must be a zip file") % {"name": name}, code="type")
    if not upload.size:
        raise ValidationError(_("%(name)s is empty") % {"name": name}, code="empty")
    if upload.size > settings.HISTORY_BATCH_MAX_BYTES:
        raise ValidationError(
            _("%(name)s must be smaller than %(limit)s")
            % {"name": name, "limit": filesizeformat(settings.HISTORY_BATCH_MAX_BYTES)},
            code="size",
        )
    upload.seek(0)
    is_zip = zipfile.is_zipfile(upload)
    upload.seek(0)
    if not is_zip:
        raise ValidationError(
            _("%(name)s is not a real zip file: its content does not match its name") % {"name": name},
            code="content",
        )
    if not inspection_forces(inspection):
        raise ValidationError(_("This inspection has no recommendations for any force."))
    sha256 = _digest(upload)
    stored = evidence.evidence_storage().save(f"history/batches/{uuid.uuid4().hex}.zip", upload)
    try:
        with transaction.atomic():
            batch = DocumentBatch.objects.create(
                inspection=inspection,
                uploaded_by=user,
                original_name=name,
                file=stored,
                size=upload.size,
                sha256=sha256,
            )
            enqueue(BATCH_TASK, batch_id=batch.pk)
    except BaseException:
        evidence.remove([stored])
        raise
    return batch


def _letter_entry(batch: DocumentBatch, letter, forces: list[Force], kept: dict) -> dict:
    """Read one letter of the zip, find its force and make it that force's import (read at once)."""
    entry = {"name": letter.name, "force": "", "document": None, "problem": ""}
    sha256 = hashlib.sha256(letter.data).hexdigest()
    if sha256 in kept:  # a redelivered task: this letter was kept already
        slug, pk = kept[sha256]
        return {**entry, "force": slug, "document": pk}
    try:
        lines = reading.read_lines(letter.data, letter.kind)
    except reading.UnreadableDocument as exc:
        return {**entry, "problem": str(exc)}
    named = batch_reading.forces_named("\n".join(line.text for line in lines), forces)
    if not named:
        return {**entry, "problem": _("No force with this inspection's recommendations is named in it.")}
    if len(named) > 1:
        return {
            **entry,
            "problem": _("It names more than one force (%(forces)s): upload it on its force's own page.")
            % {"forces": ", ".join(force.local_name for force in named)},
        }
    force = named[0]
    with scope(force=force.pk):
        if already_imported(force, sha256) is not None:
            return {**entry, "force": force.slug, "problem": _("This file was imported already.")}
        document = _keep(
            force,
            batch.inspection,
            ContentFile(letter.data),
            user=batch.uploaded_by,
            name=letter.name[:255],
            kind=letter.kind,
            size=len(letter.data),
            sha256=sha256,
            batch=batch,
        )
        run_reading(document.pk)
    return {**entry, "force": force.slug, "document": document.pk}


def run_batch(batch_id: int) -> DocumentBatch:
    """Read every letter of the zip (called in the task), recording progress and each letter's force."""
    batch = DocumentBatch.objects.select_related("inspection", "uploaded_by").get(pk=batch_id)
    # Claimed in one conditional update, so two workers given the same message cannot both read
    # it. A batch done, or being read by another worker, is left alone (if that worker died, the
    # stuck-work sweep marks the batch failed: fail_stopped_readings).
    claimed = DocumentBatch.objects.filter(pk=batch_id, status=DocumentBatch.Status.QUEUED).update(
        status=DocumentBatch.Status.READING, progress=5, started_at=timezone.now()
    )
    if not claimed:
        return batch
    try:
        with evidence.evidence_storage().open(batch.file, "rb") as handle:
            letters = batch_reading.letters_in_zip(handle.read())
        if not letters:
            raise reading.UnreadableDocument(_("The zip holds no PDF, Word, HTML or text file."))
    except (reading.UnreadableDocument, OSError) as exc:
        DocumentBatch.objects.filter(pk=batch_id).update(
            status=DocumentBatch.Status.FAILED, error=str(exc), progress=100
        )
        batch.refresh_from_db()
        return batch
    forces = inspection_forces(batch.inspection)
    with scopes_disabled():
        kept = {
            sha256: (slug, pk)
            for sha256, slug, pk in DocumentImport.objects.filter(batch=batch).values_list(
                "sha256", "force__slug", "pk"
            )
        }
    entries = []
    for index, letter in enumerate(letters, start=1):
        entries.append(_letter_entry(batch, letter, forces, kept))
        DocumentBatch.objects.filter(pk=batch_id).update(
            letters=entries, progress=5 + (95 * index) // len(letters)
        )
    DocumentBatch.objects.filter(pk=batch_id).update(status=DocumentBatch.Status.DONE, progress=100)
    batch.refresh_from_db()
    return batch


def fail_batch(batch_id: int, reason: str) -> DocumentBatch:
    """Record that the batch's run was stopped (a time or memory limit): the letters kept so far stay."""
    DocumentBatch.objects.filter(pk=batch_id).update(
        status=DocumentBatch.Status.FAILED, error=reason, progress=100
    )
    return DocumentBatch.objects.get(pk=batch_id)


def fail_reading(import_id: int, reason: str) -> DocumentImport:
    """Record that a document's reading was stopped (a time or memory limit), never left "being read"."""
    DocumentImport.objects.filter(pk=import_id).update(
        status=DocumentImport.Status.FAILED, error=reason, progress=100
    )
    return DocumentImport.objects.get(pk=import_id)


def fail_stopped_readings(now=None) -> dict:
    """Readings whose worker died: still "being read" well past the task's hard time limit (which
    would have stopped a live one). Marked failed with the reason, so the page says what happened
    and the file can be deleted and uploaded again; nothing was imported."""
    now = now or timezone.now()
    slack = timedelta(seconds=settings.STUCK_WORK_AFTER_SECONDS)
    document_cutoff = now - timedelta(seconds=settings.IMPORT_TASK_TIME_LIMIT) - slack
    batch_cutoff = now - timedelta(seconds=settings.HISTORY_BATCH_SOFT_TIME_LIMIT + 60) - slack
    with scopes_disabled():
        documents = DocumentImport.objects.filter(
            status=DocumentImport.Status.READING, started_at__lt=document_cutoff
        ).update(
            status=DocumentImport.Status.FAILED,
            progress=100,
            error=_(
                "The worker reading this document stopped before it finished. Nothing was imported: "
                "delete the file and upload it again."
            ),
        )
    batches = DocumentBatch.objects.filter(
        status=DocumentBatch.Status.READING, started_at__lt=batch_cutoff
    ).update(
        status=DocumentBatch.Status.FAILED,
        progress=100,
        error=_(
            "The worker reading this zip stopped before it finished. The letters read so far are "
            "listed; upload a zip of the others again."
        ),
    )
    return {"documents": documents, "batches": batches}


def delete_batch_file(batch: DocumentBatch, *, user) -> DocumentBatch:
    """Remove a read zip's kept file: its letters were kept one by one as their forces' imports.

    The batch's row (its list of letters and what became of each) stays; a zip still being read
    is refused, as its worker needs the file.
    """
    _require_administrator(user)
    with transaction.atomic():
        locked = DocumentBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.is_pending:
            raise ValidationError(_("The zip is still being read: it can be deleted once it is read."))
        name = locked.file
        if not name:
            raise ValidationError(_("The zip's file is deleted already."))
        locked.file = ""
        locked.save(update_fields=["file"])
    evidence.remove([name])
    return locked


def open_kept_file(document: DocumentImport, *, user):
    """The kept original document, opened for reading (its force's importers only)."""
    _require_importer(user, document.force)
    return evidence.evidence_storage().open(document.file, "rb")


def batch_documents(batch: DocumentBatch):
    """The imports the batch made, across forces (the batch's pages are administrators' only)."""
    with scopes_disabled():
        return list(
            DocumentImport.objects.filter(batch=batch).select_related("force", "response").order_by("pk")
        )


def confirm_batch(
    batch: DocumentBatch, *, user
) -> tuple[list[DocumentImport], list[tuple[DocumentImport, str]]]:
    """Confirm every letter of the batch that is ready to check, each on its own (all or nothing per
    letter, as a single confirm is): a letter that cannot be confirmed is reported and left as it was."""
    _require_administrator(user)
    confirmed, refused = [], []
    for document in batch_documents(batch):
        if document.status != DocumentImport.Status.READY:
            continue
        with scope(force=document.force_id):
            try:
                confirmed.append(confirm_import(document, user=user))
            except ValidationError as exc:
                refused.append((document, " ".join(exc.messages)))
    return confirmed, refused


# --- an inspection report in (administrators) -----------------------------------------------------

KIND_LABELS = {
    "recommendation": "Recommendation",
    "area_for_improvement": "Area for improvement",
    "cause_of_concern": "Cause of concern",
}


def read_report_document(upload=None, pasted: str = ""):
    """The report's findings, from its file (checked as any upload) or from pasted text."""
    from recommendations.models import Addressee

    from .report import read_report

    if upload is not None:
        checked = check_document(upload)
        upload.seek(0)
        lines = reading.read_lines(upload.read(), checked.kind)
    else:
        lines = reading.lines_from_text(pasted)
    return read_report(lines, addressees=list(Addressee.objects.values_list("slug", "name")))


def findings_as_lines(result) -> str:
    """One finding a line: kind | number | addressed to | lead-in | text | timescale (months) | due date."""
    return "\n".join(
        " | ".join(
            [
                KIND_LABELS[f.kind],
                str(f.number),
                "; ".join(f.addressees),
                f.lead_in.replace("|", "/"),
                f.text.replace("|", "/"),
                str(f.timescale_months or ""),
                f.due_on.isoformat() if f.due_on else "",
            ]
        )
        for f in result.findings
    )


_MONTHS_PART = re.compile(r"^\d{0,3}$")
_DUE_PART = re.compile(r"^(?:\d{4}-\d{2}-\d{2})?$")


def findings_table_csv(findings: str) -> bytes:
    """The corrected findings as the inspection import's CSV, so that import's preview and confirm apply."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Number", "Kind", "Lead-in", "Text", "Addressed to", "Timescale (months)", "Due date"])
    for line in findings.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 5:
            raise ValidationError(
                _("Each finding needs five parts separated by |: “%(line)s”") % {"line": line.strip()[:80]}
            )
        months, due = "", ""
        if len(parts) >= 7 and _MONTHS_PART.match(parts[-2]) and _DUE_PART.match(parts[-1]):
            parts, months, due = parts[:-2], parts[-2], parts[-1]
        kind, number, addressees, lead_in, text = (
            parts[0],
            parts[1],
            parts[2],
            parts[3],
            " | ".join(parts[4:]),
        )
        writer.writerow([number, kind, lead_in, text, addressees, months, due])
    return out.getvalue().encode("utf-8")


def start_report_check(*, user, options: dict, findings: str):
    """Hand the corrected findings to the inspection import, which previews and then confirms them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from spreadsheets import services as spreadsheet_services
    from spreadsheets.models import ImportJob

    if not user.is_superuser:
        raise PermissionDenied(_("Only administrators can load inspections."))
    data = findings_table_csv(findings)
    job, table = spreadsheet_services.store_upload(
        kind=ImportJob.Kind.INSPECTION,
        user=user,
        upload=SimpleUploadedFile("report-findings.csv", data),
        options=options,
    )
    spreadsheet_services.start(job, commit=False, table=table)
    return job
