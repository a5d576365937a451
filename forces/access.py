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
    # The force's OPCC administrators: invite, change and deactivate its users (accounts.people).
    can_manage_people: bool = False
    # Administrators change no force's records, with one exception: they may bring in any force's
    # published history (its published responses, read from their documents), as its OPCC may.
    is_administrator: bool = False

    @property
    def read_only(self) -> bool:
        return self.can_read and not self.can_edit

    @property
    def can_publish(self) -> bool:
        """OPCC staff publish on behalf of the PCC; a chief officer signs but does not publish."""
        return self.can_edit and not self.can_sign_off

    @property
    def can_import_history(self) -> bool:
        return self.can_edit or self.is_administrator

    def for_history_import(self) -> "ForceAccess":
        """The access a history import writes with: the force's own, or an administrator's import
        of published documents (edit access for that import only, never a sign-off)."""
        if self.can_edit or not self.is_administrator:
            return self
        return ForceAccess(self.force, can_read=True, can_edit=True, is_administrator=True)


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
        can_manage_people=member and "manage_people" in perms,
        is_administrator=bool(user.is_superuser),
    )


def member_forces(user):
    """The forces the user belongs to (never every force, whatever global permissions say)."""
    if not user.is_authenticated:
        return Force.objects.none()
    return get_objects_for_user(user, "forces.view_force", klass=Force, accept_global_perms=False)
