"""Writes the API makes that the pages' services do not (yet) offer."""

from django.db import transaction

from recommendations.models import Owner, ProgressUpdate, Record

Kind = ProgressUpdate.Kind
Status = Record.Status


def update_kind(record: Record, status: str | None, corrects) -> str:
    """The timeline kind of a new entry, from the status step it takes (the page's wording)."""
    if corrects is not None:
        return Kind.CORRECTION
    if not status or status == record.status:
        return Kind.UPDATE
    if status == Status.AWAITING_SIGN_OFF:
        return Kind.CLOSURE_REQUESTED
    if status == Status.COMPLETE:
        return Kind.SIGNED_OFF
    if status == Status.NO_FURTHER_ACTION:
        return Kind.NO_FURTHER_ACTION
    if record.status == Status.AWAITING_SIGN_OFF:
        return Kind.RETURNED
    return Kind.UPDATE


@transaction.atomic
def create_owner(force, *, actor, name: str = "", role_title: str = "", email: str = "") -> Owner:
    """A new owner in `force`. The caller has checked `can_edit`; history records who did it."""
    return Owner.objects.create(force=force, name=name.strip(), role_title=role_title.strip(), email=email)
