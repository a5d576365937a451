"""Writes for the statutory record: an inspection's last day to publish, and HMICFRS's own closure.

Kept beside services.py (same rules: one transaction, permission checked here, history written)
because these are administrator and HMICFRS-notice acts rather than the force's progress workflow.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from forces.access import access_for

from .models import Inspection, ProgressUpdate, Record
from .services import _timeline_key


def set_last_day_override(
    inspection: Inspection, *, user, override_on: date | None, reason: str
) -> Inspection:
    """Set (or clear, with `override_on=None`) a different last day to publish, with its reason.

    Administrators only. A reason is required so that every page showing the date can say why.
    """
    if not getattr(user, "is_superuser", False):
        raise PermissionDenied(_("Only an administrator can change an inspection's last day."))
    reason = (reason or "").strip()
    if override_on is not None:
        errors = {}
        if not reason:
            errors["response_due_override_reason"] = _("Enter the reason for the different last day")
        if override_on < inspection.published_on:
            errors["response_due_override_on"] = _("The last day cannot be before the report was published")
        if errors:
            raise ValidationError(errors)
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        locked.response_due_override_on = override_on
        locked.response_due_override_reason = reason if override_on else ""
        locked.save()
    return locked


def _require_edit(user, record: Record) -> None:
    if not access_for(user, record.force).can_edit:
        raise PermissionDenied(_("You cannot update this force's records."))


def set_hmicfrs_reference(record: Record, *, user, reference: str) -> Record:
    """The reference HMICFRS's register gives this recommendation for this force."""
    _require_edit(user, record)
    with transaction.atomic():
        locked = Record.objects.select_for_update().get(pk=record.pk)
        locked.hmicfrs_reference = (reference or "").strip()[:60]
        locked.version += 1
        locked.save()
    return locked


def record_hmicfrs_closure(
    record: Record, *, user, closed_on: date, reference: str, basis: str, expected_version: int | None = None
) -> Record:
    """OPCC staff record HMICFRS's notice that it authorised closure (a third event, not a status).

    The force's "implemented" and the chief officer's sign-off stay as they are; this adds HMICFRS's
    own decision with its date, its reference and the basis it quoted, and a timeline entry.
    """
    _require_edit(user, record)
    basis = (basis or "").strip()
    reference = (reference or "").strip()
    errors = {}
    if closed_on is None:
        errors["closed_on"] = _("Enter the date HMICFRS authorised closure")
    elif closed_on < record.recommendation.inspection.published_on:
        errors["closed_on"] = _("The date cannot be before the report was published")
    if not basis:
        errors["basis"] = _("Enter the basis of closure as HMICFRS gave it")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Record.objects.select_for_update().select_related("force").get(pk=record.pk)
        if expected_version is not None and expected_version != locked.version:
            raise ValidationError(_("Someone else changed this record while you were editing. Try again."))
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
            kind=ProgressUpdate.Kind.HMICFRS_CLOSED,
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
