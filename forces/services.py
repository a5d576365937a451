"""Writes about forces and who belongs to them."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from .models import ROLE_PERMISSIONS, Force, Membership, OfficeHolding


@transaction.atomic
def set_membership(user, force: Force, role: str) -> Membership:
    """Give `user` exactly `role` in `force`, and the guardian permissions that go with it."""
    membership, _ = Membership.objects.update_or_create(user=user, force=force, defaults={"role": role})
    wanted = ROLE_PERMISSIONS[Membership.Role(role)]
    for codename in {p for perms in ROLE_PERMISSIONS.values() for p in perms} - wanted:
        remove_perm(f"forces.{codename}", user, force)
    for codename in wanted:
        assign_perm(f"forces.{codename}", user, force)
    return membership


@transaction.atomic
def remove_membership(user, force: Force) -> None:
    for codename in {p for perms in ROLE_PERMISSIONS.values() for p in perms}:
        remove_perm(f"forces.{codename}", user, force)
    Membership.objects.filter(user=user, force=force).delete()


# --- Office-holders by date -----------------------------------------------------------------------


@dataclass(frozen=True)
class Holders:
    """Who held the force's offices on one day (from OfficeHolding, else the force's current fields)."""

    day: date
    commissioner_type: str
    commissioner_type_label: str
    commissioner_title: str
    commissioner_name: str
    chief_officer_title: str
    chief_officer_name: str


def holders_on(force: Force, day: date | None = None, holdings=None) -> Holders:
    """The arrangement and office-holders of `force` on `day` (today if not given).

    `holdings` may be passed in (already fetched for many forces) to keep list pages at a fixed
    number of queries. A force with no recorded holdings answers with its current fields.
    """
    day = day or timezone.localdate()
    if holdings is None:
        holdings = list(OfficeHolding.objects.filter(force=force))
    on_day = {h.office: h for h in holdings if h.held_on(day)}
    commissioner = on_day.get(OfficeHolding.Office.COMMISSIONER)
    chief = on_day.get(OfficeHolding.Office.CHIEF_OFFICER)
    recorded = bool(holdings)
    ctype = (commissioner.commissioner_type if commissioner else "") or (
        "" if recorded else force.commissioner_type
    )
    return Holders(
        day=day,
        commissioner_type=ctype,
        commissioner_type_label=str(Force.CommissionerType(ctype).label) if ctype else "",
        commissioner_title=commissioner.title
        if commissioner
        else ("" if recorded else force.commissioner_title),
        commissioner_name=commissioner.name
        if commissioner
        else ("" if recorded else force.commissioner_name),
        chief_officer_title=chief.title if chief else "",
        chief_officer_name=chief.name if chief else ("" if recorded else force.chief_constable_name),
    )


HOLDING_FIELDS = ("office", "commissioner_type", "title", "name", "starts_on", "ends_on", "source")


def save_office_holding(
    force: Force, *, user, data: dict, holding: OfficeHolding | None = None, check_permission: bool = True
) -> OfficeHolding:
    """Add or change one office-holding; refuses an end before the start and two holders of one office.

    Administrators only. The force's current fields (used where no date applies) follow today's
    holders, so there is one source for who holds office.
    """
    if check_permission and not getattr(user, "is_superuser", False):
        raise PermissionDenied(_("Only an administrator can keep office-holders."))
    values = {
        name: data.get(name) or ("" if name not in ("starts_on", "ends_on") else None)
        for name in HOLDING_FIELDS
    }
    errors = {}
    if values["office"] not in OfficeHolding.Office.values:
        errors["office"] = _("Choose the office")
    if values["office"] == OfficeHolding.Office.COMMISSIONER and not values["commissioner_type"]:
        errors["commissioner_type"] = _("Choose the commissioner type")
    if values["office"] == OfficeHolding.Office.CHIEF_OFFICER:
        values["commissioner_type"] = ""
    if values["starts_on"] and values["ends_on"] and values["ends_on"] < values["starts_on"]:
        errors["ends_on"] = _("The end date must be the same as or after the start date")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Force.objects.select_for_update().get(pk=force.pk)  # one writer of a force's holdings at a time
        candidate = holding or OfficeHolding(force=force)
        for name, value in values.items():
            setattr(candidate, name, value)
        others = OfficeHolding.objects.filter(force=force, office=candidate.office).exclude(pk=candidate.pk)
        clash = next((other for other in others if candidate.overlaps(other)), None)
        if clash is not None:
            raise ValidationError(
                {
                    "starts_on": _(
                        "These dates overlap another holder of the same office (%(other)s): one office has one holder on any day"
                    )
                    % {"other": clash.name or clash.title or clash.get_office_display()}
                }
            )
        candidate.save()
        _sync_current_fields(force)
    return candidate


def _sync_current_fields(force: Force) -> None:
    now = holders_on(force)
    force.commissioner_type = now.commissioner_type or force.commissioner_type
    force.commissioner_title = now.commissioner_title
    force.commissioner_name = now.commissioner_name
    force.chief_constable_name = now.chief_officer_name
    force.save(
        update_fields=["commissioner_type", "commissioner_title", "commissioner_name", "chief_constable_name"]
    )
