"""Who may read, change and sign off a force's records: the one place that decides.

Permissions come from guardian's direct foreign-key table (forces.ForceUserObjectPermission),
read with get_user_perms so that a superuser's blanket "yes" never turns into write access to a
force's record. The national team and administrators read every force and change nothing.
"""

from dataclasses import dataclass

from guardian.shortcuts import get_objects_for_user, get_user_perms

from .models import Force


@dataclass(frozen=True)
class ForceAccess:
    force: Force
    can_read: bool = False
    can_edit: bool = False
    can_sign_off: bool = False
    is_member: bool = False

    @property
    def read_only(self) -> bool:
        return self.can_read and not self.can_edit


def is_national(user) -> bool:
    return bool(user.is_authenticated and (user.is_national_team or user.is_superuser))


def access_for(user, force: Force) -> ForceAccess:
    if not user.is_authenticated or not user.is_active:
        return ForceAccess(force)
    perms = set(get_user_perms(user, force))
    member = "view_force" in perms
    return ForceAccess(
        force,
        can_read=member or is_national(user),
        can_edit=member and "edit_records" in perms,
        can_sign_off=member and "sign_off" in perms,
        is_member=member,
    )


def member_forces(user):
    """The forces the user belongs to (never every force, whatever global permissions say)."""
    if not user.is_authenticated:
        return Force.objects.none()
    return get_objects_for_user(user, "forces.view_force", klass=Force, accept_global_perms=False)
