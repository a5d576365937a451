"""Writes to recommendations and force records. Each runs in one transaction.

Reads live on the QuerySets (RecordQuerySet); views call these functions and render.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from forces.access import access_for
from forces.models import Force

from .models import Inspection, ProgressUpdate, Recommendation, Record

Status = Record.Status

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


def allowed_statuses(record: Record, user) -> set[str]:
    """The statuses `user` may move `record` to from where it is now."""
    access = access_for(user, record.force)
    if not access.can_edit:
        return set()
    steps = set(STAFF_STEPS.get(record.status, set()))
    if access.can_sign_off:
        steps |= CHIEF_ONLY_STEPS.get(record.status, set())
    return steps


@dataclass
class UpdateResult:
    update: ProgressUpdate
    record: Record


@transaction.atomic
def add_progress_update(
    record: Record,
    *,
    author,
    text: str,
    dated: date | None = None,
    status: str | None = None,
    rag: str | None = None,
    kind: str = ProgressUpdate.Kind.UPDATE,
    corrects: ProgressUpdate | None = None,
    reason: str = "",
    expected_version: int | None = None,
    author_name: str = "",
    external_ref: str = "",
    check_permission: bool = True,
) -> UpdateResult:
    """Append a dated progress update, optionally moving the record's status and RAG.

    The record row is locked so two people saving at once cannot both win; a form posted for an
    older version of the record is refused as stale rather than silently overwriting.
    """
    locked = Record.objects.select_for_update().select_related("force").get(pk=record.pk)
    if check_permission and not access_for(author, locked.force).can_edit:
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
    if corrects is not None and corrects.record_id != locked.pk:
        raise ValidationError({"corrects": _("A correction must point at an update on the same record.")})

    status_before = locked.status
    if status and status != locked.status:
        if check_permission and status not in allowed_statuses(locked, author):
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
        dated=dated or timezone.localdate(),
        text=text,
        status_before=status_before,
        status_after=locked.status if locked.status != status_before else "",
        rag=locked.rag if rag is not None else "",
        author=author if getattr(author, "pk", None) else None,
        author_name=author_name,
        corrects=corrects,
        external_ref=external_ref,
    )
    # The newest entry by date is "latest"; an entry back-dated behind it does not displace it.
    current = locked.latest_update
    if current is None or (update.dated, update.created_at) >= (current.dated, current.created_at):
        locked.latest_update = update
    locked.version += 1
    locked.save()
    return UpdateResult(update=update, record=locked)


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
        from simple_history.utils import bulk_create_with_history

        bulk_create_with_history(new, Record, batch_size=500)
    return len(new)


def record_for(force: Force, recommendation: Recommendation) -> Record:
    with scope(force=force.pk):
        return Record.objects.get(recommendation=recommendation)
