"""Writes about forces and who belongs to them."""

from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from .models import ROLE_PERMISSIONS, Force, Membership


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
