"""Writes to recommendations and force records. Each runs in one transaction.

Reads live on the QuerySets (RecordQuerySet); views call these functions and render.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from simple_history.utils import bulk_create_with_history

from forces.access import ForceAccess, access_for
from forces.models import Force
from forces.separation import check_not_own_extension

from . import evidence
from .date_rules import check_update_date
from .models import Attachment, DueDateExtension, Inspection, Owner, ProgressUpdate, Recommendation, Record

Status = Record.Status
Kind = ProgressUpdate.Kind
Decision = DueDateExtension.Decision

# Status steps OPCC staff may take. Closing (complete, no further action) needs a chief officer.
STAFF_STEPS = {
    Status.NOT_STARTED: {Status.IN_PROGRESS, Status.AWAITING_SIGN_OFF},
    Status.IN_PROGRESS: {Status.NOT_STARTED, Status.AWAITING_SIGN_OFF},
    Status.AWAITING_SIGN_OFF: {Status.IN_PROGRESS},
}
CHIEF_ONLY_STEPS = {
    Status.AWAITING_SIGN_OFF: {Status.COMPLETE, Status.IN_PROGRESS},
    Status.NOT_STARTED: {Status.NO_FURTHER_ACTION},
    Status.IN_PROGRESS: {Status.NO_FURTHER_ACTION},
    # A chief officer can reopen a closed record; OPCC staff cannot.
    Status.COMPLETE: {Status.IN_PROGRESS},
    Status.NO_FURTHER_ACTION: {Status.IN_PROGRESS},
}


class StaleRecord(ValidationError):
    """The record changed since the form was shown."""


@dataclass(frozen=True)
class SystemAccess(ForceAccess):
    """The service itself recording history as a document gives it (seed loaders): no one signed
    in took a step here, so any status may be recorded and the entry keeps its plain kind."""


def system_access(force: Force) -> SystemAccess:
    return SystemAccess(force, can_read=True, can_edit=True, can_sign_off=True)


def allowed_statuses(record: Record, user=None, *, access: ForceAccess | None = None) -> set[str]:
    """The statuses the actor may move `record` to from where it is now.

    Give `access` when the caller has the actor's rights in hand (an import reads them once).
    """
    access = access or access_for(user, record.force)
    if isinstance(access, SystemAccess):
        return set(Status.values) - {record.status}
    if not access.can_edit:
        return set()
    steps = set(STAFF_STEPS.get(record.status, set()))
    if access.can_sign_off:
        steps |= CHIEF_ONLY_STEPS.get(record.status, set())
    return steps


def kind_for_step(record: Record, status: str | None, access: ForceAccess, *, plain: str = "update") -> str:
    """The timeline kind of an entry that moves `record` to `status`, decided here for every door.

    `plain` is the kind of an entry that takes no status step (an import's entries are "imported").
    Moving a record awaiting sign-off back to in progress is a chief officer's return, or OPCC
    staff withdrawing their own request.
    """
    if not status or status == record.status or isinstance(access, SystemAccess):
        return plain
    if status == Status.AWAITING_SIGN_OFF:
        return Kind.CLOSURE_REQUESTED
    if status == Status.COMPLETE:
        return Kind.SIGNED_OFF
    if status == Status.NO_FURTHER_ACTION:
        return Kind.NO_FURTHER_ACTION
    if record.status == Status.AWAITING_SIGN_OFF:
        return Kind.RETURNED if access.can_sign_off else Kind.WITHDRAWN
    return plain


@dataclass
class UpdateResult:
    update: ProgressUpdate
    record: Record


def add_progress_update(
    record: Record,
    *,
    attachments=(),
    **kwargs,
) -> UpdateResult:
    """Append a dated progress update, optionally moving status and RAG and attaching evidence.

    `attachments` are `evidence.CheckedFile`s (validated before this is called). The entry and its
    files are saved in one transaction; files already written are removed if it rolls back.
    """
    written: list[str] = []
    try:
        with transaction.atomic():
            result = _add_progress_update(record, **kwargs)
            for checked in attachments:
                name, sha256 = evidence.store(result.record.force, checked)
                written.append(name)
                Attachment.objects.create(
                    force=result.record.force,
                    update=result.update,
                    file=name,
                    original_name=checked.original_name,
                    content_type=checked.content_type,
                    size=checked.size,
                    sha256=sha256,
                )
    except BaseException:
        evidence.remove(written)
        raise
    return result


def _add_progress_update(
    record: Record,
    *,
    author,
    text: str,
    access: ForceAccess | None = None,
    dated: date | None = None,
    status: str | None = None,
    rag: str | None = None,
    plain_kind: str = "update",
    corrects: ProgressUpdate | None = None,
    reason: str = "",
    expected_version: int | None = None,
    author_name: str = "",
    external_ref: str = "",
    voice: str = "",
    source_document: str = "",
    source_dated: date | None = None,
    date_not_known: bool = False,
) -> UpdateResult:
    """Append the entry itself, the record row locked (runs inside add_progress_update's transaction).

    The record row is locked so two people saving at once cannot both win; a form posted for an
    older version of the record is refused as stale rather than silently overwriting. The entry's
    kind follows from its status step (kind_for_step); a correction is always a correction.
    """
    # Only the record's row is locked (of=self): without it PostgreSQL locks every joined row, the
    # force's too, and every change in the force would wait for any other, a long import's included.
    locked = (
        Record.objects.select_for_update(of=("self",))
        .select_related("force", "latest_update")
        .get(pk=record.pk)
    )
    access = access or access_for(author, locked.force)
    if access.force.pk != locked.force_id or not access.can_edit:
        raise PermissionDenied(_("You cannot update this force's records."))
    if expected_version is not None and expected_version != locked.version:
        raise StaleRecord(
            _(
                "Someone else changed this record while you were editing. Check the latest entry and try again."
            )
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Enter the progress update")})
    check_update_date(locked, dated)
    voice, author_name, source_document = _check_source(
        locked,
        voice=voice,
        author_name=author_name,
        source_document=source_document,
        source_dated=source_dated,
    )
    if corrects is not None and corrects.record_id != locked.pk:
        raise ValidationError({"corrects": _("A correction must point at an update on the same record.")})

    status_before = locked.status
    kind = (
        Kind.CORRECTION if corrects is not None else kind_for_step(locked, status, access, plain=plain_kind)
    )
    if status and status != locked.status:
        if status not in allowed_statuses(locked, access=access):
            raise PermissionDenied(
                _("You cannot move this record from “%(from)s” to “%(to)s”.")
                % {"from": locked.get_status_display(), "to": Status(status).label}
            )
        if status == Status.NO_FURTHER_ACTION:
            if not reason.strip():
                raise ValidationError({"reason": _("Enter the reason for no further action")})
            locked.no_further_action_reason = reason.strip()
        locked.status = status
    if rag is not None:
        locked.rag = rag

    update = ProgressUpdate.objects.create(
        force=locked.force,
        record=locked,
        kind=kind,
        # An entry from an undated document stays undated: a made-up date would make it look
        # fresh or stale by a day no document gives.
        dated=None if date_not_known else (dated or timezone.localdate()),
        text=text,
        status_before=status_before,
        status_after=locked.status if locked.status != status_before else "",
        rag=locked.rag if rag is not None else "",
        author=author if getattr(author, "pk", None) else None,
        author_name=author_name,
        corrects=corrects,
        external_ref=external_ref,
        voice=voice,
        source_document=source_document,
        source_dated=None if date_not_known else source_dated,
    )
    # The newest entry by date is "latest"; an entry back-dated behind it does not displace it, and
    # an undated entry only becomes latest when nothing dated is there.
    current = locked.latest_update
    if current is None or _timeline_key(update) >= _timeline_key(current):
        locked.latest_update = update
    locked.version += 1
    locked.save()
    return UpdateResult(update=update, record=locked)


def _check_source(
    record: Record, *, voice: str, author_name: str, source_document: str, source_dated: date | None
) -> tuple[str, str, str]:
    """Whose words an entry is and which document it comes from, checked the same for every door.

    An officer speaking for the chief officer must be named; the document's date cannot be after
    today or before the report it answers. Returns the values stripped.
    """
    voice = (voice or "").strip()
    author_name = (author_name or "").strip()
    source_document = (source_document or "").strip()
    errors = {}
    if voice and voice not in ProgressUpdate.Voice.values:
        errors["voice"] = _("Select whose words these are")
    if voice == ProgressUpdate.Voice.OFFICER_FOR_CHIEF and not author_name:
        errors["author_name"] = _("Enter the name and role of the officer who wrote it")
    if len(author_name) > 200:
        errors["author_name"] = _("The name must be 200 characters or fewer")
    if len(source_document) > 300:
        errors["source_document"] = _("The document's name must be 300 characters or fewer")
    if source_dated is not None:
        published = record.recommendation.inspection.published_on
        if source_dated > timezone.localdate():
            errors["source_dated"] = _("The document's date cannot be in the future")
        elif published and source_dated < published:
            errors["source_dated"] = _("The document's date cannot be before the report was published")
    if errors:
        raise ValidationError(errors)
    return voice, author_name, source_document


def _timeline_key(update: ProgressUpdate) -> tuple:
    return (update.dated is not None, update.dated or date.min, update.created_at)


@transaction.atomic
def save_inspection(slug: str, values: dict) -> tuple[Inspection, list[str] | None]:
    """An administrator's act (the inspection import): create the inspection `slug` or change it
    to `values`. Returns it and the names of the fields changed (None: it was created)."""
    inspection = Inspection.objects.filter(slug=slug).first()
    if inspection is None:
        return Inspection.objects.create(slug=slug, **values), None
    changed = [name for name, value in values.items() if getattr(inspection, name) != value]
    if changed:
        for name in changed:
            setattr(inspection, name, values[name])
        inspection.save()
    return inspection, changed


@transaction.atomic
def save_recommendation(
    inspection: Inspection, *, kind: str, number: int, values: dict, addressees
) -> tuple[Recommendation, list[str] | None]:
    """An administrator's act: add a recommendation as published, or change its text, dates and
    addressees. Returns it and the names of what changed (None: it was added)."""
    rec = Recommendation.objects.filter(inspection=inspection, kind=kind, number=number).first()
    if rec is None:
        rec = Recommendation.objects.create(inspection=inspection, kind=kind, number=number, **values)
        rec.addressees.set(addressees)
        return rec, None
    changed = [name for name, value in values.items() if getattr(rec, name) != value]
    if changed:
        for name in changed:
            setattr(rec, name, values[name])
        rec.save()
    if set(rec.addressees.all()) != set(addressees):
        rec.addressees.set(addressees)
        changed.append("addressees")
    return rec, changed


@transaction.atomic
def create_force_records(inspection: Inspection, forces=None) -> int:
    """Create a record per force for every recommendation of `inspection` addressed to police.

    An administrator's act across forces, so it lifts the force scope explicitly. Safe to repeat.
    """
    with scopes_disabled():
        forces = list(forces if forces is not None else Force.objects.all())
        police = list(
            Recommendation.objects.filter(inspection=inspection, addressees__is_police=True)
            .select_related("inspection")
            .distinct()
        )
        existing = set(
            Record.objects.filter(recommendation__in=police).values_list("force_id", "recommendation_id")
        )
        new = []
        for rec in police:
            due = rec.default_due_on()
            for force in forces:
                if (force.pk, rec.pk) not in existing:
                    new.append(
                        Record(force=force, recommendation=rec, original_due_on=due, current_due_on=due)
                    )
        # With history, so the audit trail starts at the record's creation.
        bulk_create_with_history(new, Record, batch_size=500)
    return len(new)


# Owners, closure and sign-off, due-date extensions. Each writes its timeline entry.


def _require(user, force: Force, *, sign_off: bool = False, access: ForceAccess | None = None) -> ForceAccess:
    """The actor's rights in `force` (read once per call, or given), refused unless they may act."""
    access = access or access_for(user, force)
    if access.force.pk != force.pk:
        raise PermissionDenied(_("You cannot update this force's records."))
    if not access.can_edit or (sign_off and not access.can_sign_off):
        if sign_off:
            raise PermissionDenied(_("Only a chief officer of this force can do this."))
        raise PermissionDenied(_("You cannot update this force's records."))
    return access


@transaction.atomic
def save_owner(
    force: Force,
    *,
    acting_user,
    name: str = "",
    role_title: str = "",
    email: str = "",
    owner=None,
    access: ForceAccess | None = None,
) -> Owner:
    """Add a person or role who leads on records, or change one (the e-mail gets reminders)."""
    _require(acting_user, force, access=access)
    name, role_title = (name or "").strip(), (role_title or "").strip()
    if not name and not role_title:
        raise ValidationError({"name": _("Enter a name or a role")})
    if owner is None:
        owner = Owner(force=force)
    elif owner.force_id != force.pk:
        raise PermissionDenied(_("You cannot update this force's records."))
    owner.name, owner.role_title, owner.email = name, role_title, (email or "").strip()
    owner.save()
    return owner


@transaction.atomic
def set_record_owners(
    record: Record,
    *,
    acting_user,
    owners,
    expected_version: int | None = None,
    access: ForceAccess | None = None,
    dated: date | None = None,
    date_not_known: bool = False,
    author_name: str = "",
) -> UpdateResult | None:
    """Choose a record's owners; the change goes on the timeline. None when nothing changed.

    `dated` and `date_not_known` are for owners taken from a document (the seed loader): the entry
    carries the document's date, or none, never the day it was loaded.
    """
    access = _require(acting_user, record.force, access=access)
    owners = list(owners)
    if any(owner.force_id != record.force_id for owner in owners):
        raise PermissionDenied(_("An owner must belong to the same force."))
    before = set(record.owners.values_list("pk", flat=True))
    if before == {owner.pk for owner in owners}:
        if expected_version is not None and expected_version != record.version:
            raise StaleRecord(
                _("Someone else changed this record while you were editing. Check it and try again.")
            )
        return None
    names = ", ".join(sorted(str(owner) for owner in owners)) or _("nobody")
    result = _add_progress_update(
        record,
        author=acting_user,
        text=_("Owners: %(names)s") % {"names": names},
        access=access,
        plain_kind=Kind.OWNERS_CHANGED,
        expected_version=expected_version,
        dated=dated,
        date_not_known=date_not_known,
        author_name=author_name,
    )
    result.record.owners.set(owners)
    return result


def request_closure(
    record: Record, *, acting_user, text: str, expected_version: int | None = None, attachments=()
):
    """OPCC staff say a recommendation is implemented; a chief officer then signs it off."""
    if record.status == Status.AWAITING_SIGN_OFF:
        raise ValidationError(_("This record is already awaiting sign-off."))
    return add_progress_update(
        record,
        author=acting_user,
        text=text,
        status=Status.AWAITING_SIGN_OFF,
        expected_version=expected_version,
        attachments=attachments,
    )


def _chief_step(record, *, acting_user, status, text, expected_version, reason=""):
    access = _require(acting_user, record.force, sign_off=True)
    return add_progress_update(
        record,
        author=acting_user,
        access=access,
        text=text,
        status=status,
        reason=reason,
        expected_version=expected_version,
    )


def sign_off(record: Record, *, acting_user, text: str = "", expected_version: int | None = None):
    """A chief officer of the force marks an implemented record complete."""
    if record.status != Status.AWAITING_SIGN_OFF:
        raise ValidationError(_("Only a record awaiting sign-off can be signed off."))
    return _chief_step(
        record,
        acting_user=acting_user,
        status=Status.COMPLETE,
        text=(text or "").strip() or _("Signed off as complete."),
        expected_version=expected_version,
    )


def return_record(record: Record, *, acting_user, reason: str, expected_version: int | None = None):
    """A chief officer sends an implemented record back to OPCC staff, saying why."""
    if record.status != Status.AWAITING_SIGN_OFF:
        raise ValidationError(_("Only a record awaiting sign-off can be returned."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Enter the reason for returning it")})
    return _chief_step(
        record,
        acting_user=acting_user,
        status=Status.IN_PROGRESS,
        text=reason,
        expected_version=expected_version,
    )


def close_no_further_action(record: Record, *, acting_user, reason: str, expected_version: int | None = None):
    """A chief officer closes a record with no further action; the reason is kept on the record."""
    if record.is_closed:
        raise ValidationError(_("This record is already closed."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Enter the reason for no further action")})
    return _chief_step(
        record,
        acting_user=acting_user,
        status=Status.NO_FURTHER_ACTION,
        text=reason,
        reason=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def request_extension(
    record: Record,
    *,
    requested_by,
    new_due_on: date,
    reason: str,
    expected_version: int | None = None,
    access: ForceAccess | None = None,
) -> DueDateExtension:
    """OPCC staff ask for a later due date; the original date is never changed (a chief officer
    approves or refuses it in decide_extension)."""
    access = _require(requested_by, record.force, access=access)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Enter the reason for the extension")})
    if new_due_on is None or new_due_on <= timezone.localdate():
        raise ValidationError({"new_due_on": _("The new due date must be in the future")})
    if record.current_due_on and new_due_on <= record.current_due_on:
        raise ValidationError({"new_due_on": _("The new due date must be after the current due date")})
    if record.is_closed:
        raise ValidationError(_("This record is closed."))
    if DueDateExtension.objects.filter(record=record, decision=Decision.PENDING).exists():
        raise ValidationError(_("An extension for this record is already awaiting a decision."))
    result = _add_progress_update(
        record,
        author=requested_by,
        text=_("New due date requested: %(date)s. %(reason)s")
        % {"date": f"{new_due_on:%d/%m/%Y}", "reason": reason},
        access=access,
        plain_kind=Kind.EXTENSION_REQUESTED,
        expected_version=expected_version,
    )
    return DueDateExtension.objects.create(
        force=result.record.force,
        record=result.record,
        requested_by=requested_by,
        previous_due_on=result.record.current_due_on,
        new_due_on=new_due_on,
        reason=reason,
    )


@transaction.atomic
def decide_extension(
    extension: DueDateExtension, *, decided_by, approve: bool, reason: str = ""
) -> DueDateExtension:
    """A chief officer approves (the current due date moves) or refuses (a reason is needed)."""
    access = _require(decided_by, extension.force, sign_off=True)
    extension = DueDateExtension.objects.select_for_update().get(pk=extension.pk)
    if not extension.is_pending:
        raise ValidationError(_("This extension has already been decided."))
    check_not_own_extension(extension, decided_by)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"decision_reason": _("Enter the reason for refusing the extension")})
    when = f"{extension.new_due_on:%d/%m/%Y}"
    text = (
        _("Due date moved to %(date)s.") % {"date": when}
        if approve
        else _("Extension to %(date)s refused.") % {"date": when}
    )
    result = _add_progress_update(
        extension.record,
        author=decided_by,
        text=f"{text} {reason}".strip(),
        access=access,
        plain_kind=Kind.EXTENSION_APPROVED if approve else Kind.EXTENSION_REFUSED,
    )
    if approve:
        record = result.record
        if record.original_due_on is None:
            record.original_due_on = record.current_due_on
        record.current_due_on = extension.new_due_on
        record.save(update_fields=["original_due_on", "current_due_on", "updated_at"])
    extension.decision = Decision.APPROVED if approve else Decision.REFUSED
    extension.decided_by = decided_by
    extension.decided_at = timezone.now()
    extension.decision_reason = reason
    extension.save()
    return extension


# The statutory record: an inspection's last day to publish, HMICFRS's register reference and its
# own closure. Administrator and HMICFRS-notice acts, kept here so that the record has one writer.


def check_last_day_override(inspection: Inspection, *, override_on: date | None, reason: str) -> str:
    """The reason, stripped, or ValidationError: a different last day needs a reason and cannot be
    before the report. Shared with the Django admin's form so that no door saves one without."""
    reason = (reason or "").strip()
    if override_on is None:
        return ""
    errors = {}
    if not reason:
        errors["response_due_override_reason"] = _("Enter the reason for the different last day")
    if inspection.published_on and override_on < inspection.published_on:
        errors["response_due_override_on"] = _("The last day cannot be before the report was published")
    if errors:
        raise ValidationError(errors)
    return reason


def set_last_day_override(
    inspection: Inspection, *, user, override_on: date | None, reason: str
) -> Inspection:
    """Set (or clear, with `override_on=None`) a different last day to publish, with its reason.

    Administrators only. A reason is required so that every page showing the date can say why.
    """
    if not getattr(user, "is_superuser", False):
        raise PermissionDenied(_("Only an administrator can change an inspection's last day."))
    reason = check_last_day_override(inspection, override_on=override_on, reason=reason)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        locked.response_due_override_on = override_on
        locked.response_due_override_reason = reason
        locked.save()
    return locked


def set_hmicfrs_reference(
    record: Record,
    *,
    user,
    reference: str,
    expected_version: int | None = None,
    access: ForceAccess | None = None,
) -> Record:
    """The reference HMICFRS's register gives this recommendation for this force.

    A form posted for an older version of the record is refused as stale, as for any change.
    """
    _require(user, record.force, access=access)
    reference = (reference or "").strip()
    if len(reference) > 60:
        raise ValidationError({"hmicfrs_reference": _("The reference must be 60 characters or fewer")})
    with transaction.atomic():
        locked = Record.objects.select_for_update().get(pk=record.pk)
        if expected_version is not None and expected_version != locked.version:
            raise StaleRecord(
                _("Someone else changed this record while you were editing. Check it and try again.")
            )
        if locked.hmicfrs_reference != reference:
            locked.hmicfrs_reference = reference
            locked.version += 1
            locked.save()
    return locked


def record_hmicfrs_closure(
    record: Record,
    *,
    user,
    closed_on: date,
    reference: str,
    basis: str,
    expected_version: int | None = None,
    access: ForceAccess | None = None,
) -> Record:
    """OPCC staff record HMICFRS's notice that it authorised closure (a third event, not a status).

    The force's "implemented" and the chief officer's sign-off stay as they are; this adds HMICFRS's
    own decision with its date, its reference and the basis it quoted, and a timeline entry.
    """
    _require(user, record.force, access=access)
    basis = (basis or "").strip()
    reference = (reference or "").strip()
    errors = {}
    if closed_on is None:
        errors["closed_on"] = _("Enter the date HMICFRS authorised closure")
    elif closed_on < record.recommendation.inspection.published_on:
        errors["closed_on"] = _("The date cannot be before the report was published")
    elif closed_on > timezone.localdate():
        errors["closed_on"] = _("The date HMICFRS authorised closure cannot be in the future")
    if not basis:
        errors["basis"] = _("Enter the basis of closure as HMICFRS gave it")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Record.objects.select_for_update(of=("self",)).select_related("force").get(pk=record.pk)
        if expected_version is not None and expected_version != locked.version:
            raise StaleRecord(_("Someone else changed this record while you were editing. Try again."))
        locked.hmicfrs_closed_on = closed_on
        locked.hmicfrs_closure_reference = reference[:120]
        locked.hmicfrs_closure_basis = basis
        locked.hmicfrs_closure_recorded_by = user
        text = _("HMICFRS authorised closure on the basis of: %(basis)s") % {"basis": basis}
        if reference:
            text += "\n" + _("HMICFRS reference: %(reference)s") % {"reference": reference}
        update = ProgressUpdate.objects.create(
            force=locked.force,
            record=locked,
            kind=Kind.HMICFRS_CLOSED,
            dated=closed_on,
            text=text,
            status_before=locked.status,
            author=user,
            source_document=_("HMICFRS notice"),
            source_dated=closed_on,
        )
        current = locked.latest_update
        if current is None or _timeline_key(update) >= _timeline_key(current):
            locked.latest_update = update
        locked.version += 1
        locked.save()
    return locked
