"""Writes about a team's people: invitations, roles, deactivation. Every door calls these.

A team is a force, or the national team (`force` None). A force's OPCC administrators manage
their own force's staff and chief officers; administrators (superusers) manage every force,
grant the OPCC administrator role, and manage the national team. A refusal changes nothing and
leaves an audit entry; every change leaves one too, with the force it belongs to, so the force's
audit page lists them.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import get_user_perms
from rest_framework.authtoken.models import Token

from audit.models import AuditEvent
from audit.services import record_event
from forces.models import Force, Membership
from forces.services import set_membership

from .models import Invitation

User = get_user_model()

# The audit entries of this module carry data["area"] == AREA, so the people audit page finds them.
AREA = "people"


class Refused(ValidationError):
    """A request the rules refuse: shown as the form's error, recorded in the audit trail."""


# --- Who may do what ------------------------------------------------------------------------------


def can_manage(user, force: Force | None) -> bool:
    """May `user` manage the people of `force` (None: the national team)?"""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    return force is not None and "manage_people" in get_user_perms(user, force)


def grantable_roles(user, force: Force | None) -> list[tuple[str, str]]:
    """The (value, label) roles `user` may give in this team: never above their own."""
    if force is None:
        return [(Invitation.NATIONAL_TEAM, _("National team"))] if user.is_superuser else []
    roles = [Membership.Role.OPCC_STAFF, Membership.Role.CHIEF_OFFICER]
    if user.is_superuser:
        roles.append(Membership.Role.OPCC_ADMIN)
    return [(role.value, str(role.label)) for role in roles]


def _may_grant(user, force, role: str) -> bool:
    return role in {value for value, _label in grantable_roles(user, force)}


# --- Reads ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    user: object
    role: str
    role_label: str
    two_factor: bool

    @property
    def last_login(self):
        return self.user.last_login


def team_members(force: Force | None):
    """The users of a force (by membership) or of the national team, active ones first."""
    if force is None:
        return User.objects.filter(is_national_team=True).order_by("-is_active", "username")
    return (
        User.objects.filter(memberships__force=force)
        .distinct()
        .order_by("-is_active", "last_name", "first_name", "username")
    )


def people(force: Force | None) -> list[Person]:
    """Each member with their role and two-factor state, in a fixed number of queries."""
    users = list(team_members(force))
    with_device = set(
        TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list("user_id", flat=True)
    )
    roles = {}
    if force is not None:
        roles = dict(Membership.objects.filter(force=force, user__in=users).values_list("user_id", "role"))
    result = []
    for user in users:
        role = roles.get(user.pk, Invitation.NATIONAL_TEAM)
        label = (
            str(Membership.Role(role).label) if role in Membership.Role.values else str(_("National team"))
        )
        result.append(Person(user, role, label, user.pk in with_device))
    return result


def member(force: Force | None, pk: int):
    """One member of the team, or None (another force's user is not found)."""
    return team_members(force).filter(pk=pk).first()


def role_of(user, force: Force | None) -> str:
    if force is None:
        return Invitation.NATIONAL_TEAM
    return Membership.objects.filter(user=user, force=force).values_list("role", flat=True).first() or ""


def audit_trail(force: Force | None, limit: int = 200):
    events = AuditEvent.objects.filter(data__area=AREA)
    events = events.filter(force=force) if force is not None else events.filter(force__isnull=True)
    return events.order_by("-at", "-pk")[:limit]


# --- Audit ----------------------------------------------------------------------------------------


def _audit(request, force, summary: str, *, acting_user=None, obj=None, **data):
    return record_event(
        request,
        AuditEvent.Action.OTHER,
        summary=summary,
        user=acting_user,
        force=force,
        obj=obj,
        area=AREA,
        team=force.slug if force is not None else "national",
        **data,
    )


def record_refusal(request, force, message: str, *, acting_user=None, **data) -> None:
    """Record a refusal in the team's audit trail (in its own transaction, so it stays)."""
    with transaction.atomic():
        _audit(request, force, f"Refused: {message}", acting_user=acting_user, refused=True, **data)


def refuse(request, force, message: str, *, acting_user=None, field: str | None = None, **data):
    """Record the refusal and raise it for the form to show."""
    record_refusal(request, force, message, acting_user=acting_user, **data)
    raise Refused({field: message} if field else message)


# --- Invitations ----------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(*, force: Force | None, email: str, role: str, acting_user, request=None) -> Invitation:
    """Invite `email` to the team in `role`; a pending invitation to the same address is replaced."""
    email = (email or "").strip().lower()
    if not can_manage(acting_user, force):
        raise PermissionDenied
    if not _may_grant(acting_user, force, role):
        refuse(
            request,
            force,
            _("You cannot give that role."),
            acting_user=acting_user,
            field="role",
            email=email,
            role=role,
        )
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        in_this_team = team_members(force).filter(pk=existing.pk).exists()
        message = (
            _("%(email)s already has an account here: change their role instead.")
            if in_this_team
            else _("%(email)s already has an account with another force or team. Ask an administrator.")
        ) % {"email": email}
        refuse(request, force, message, acting_user=acting_user, field="email", email=email, role=role)
    with transaction.atomic():
        now = timezone.now()
        Invitation.objects.for_team(force).filter(email=email, accepted_at__isnull=True).update(
            revoked_at=now, token_sha256=""
        )
        invitation = Invitation.objects.create(
            force=force,
            email=email,
            role=role,
            invited_by=acting_user,
            expires_at=now + timedelta(days=settings.INVITATION_DAYS),
        )
        _audit(
            request,
            force,
            f"Invited {email} as {invitation.role_label}",
            acting_user=acting_user,
            obj=invitation,
            email=email,
            role=role,
        )
        _queue_invitation_email(invitation)
    return invitation


def resend(invitation: Invitation, *, acting_user, request=None) -> Invitation:
    """Send a new link with a new expiry; the old link stops working now."""
    force = invitation.force
    if not can_manage(acting_user, force) or not _may_grant(acting_user, force, invitation.role):
        raise PermissionDenied
    if invitation.accepted_at is not None:
        refuse(request, force, _("This invitation has already been accepted."), acting_user=acting_user)
    if invitation.revoked_at is not None:
        refuse(
            request,
            force,
            _("This invitation was cancelled or replaced. Invite the person again."),
            acting_user=acting_user,
        )
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        locked.token_sha256 = ""
        locked.revoked_at = None
        locked.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
        locked.save(update_fields=["token_sha256", "revoked_at", "expires_at"])
        _audit(
            request,
            force,
            f"Sent the invitation to {locked.email} again",
            acting_user=acting_user,
            obj=locked,
            email=locked.email,
        )
        _queue_invitation_email(locked)
    return locked


def cancel(invitation: Invitation, *, acting_user, request=None) -> None:
    force = invitation.force
    if not can_manage(acting_user, force) or not _may_grant(acting_user, force, invitation.role):
        raise PermissionDenied
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            revoked_at=timezone.now(), token_sha256=""
        )
        _audit(
            request,
            force,
            f"Cancelled the invitation to {invitation.email}",
            acting_user=acting_user,
            obj=invitation,
            email=invitation.email,
        )


def _queue_invitation_email(invitation: Invitation) -> None:
    from outbox.services import enqueue

    enqueue("accounts.send_invitation", invitation_id=invitation.pk)


def issue_link_secret(invitation_id: int) -> tuple[Invitation, str] | tuple[None, None]:
    """Make the link's secret for a pending invitation (replacing any earlier one) and return it."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("force")
            .filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True)
            .first()
        )
        if invitation is None or not invitation.is_pending:
            return None, None
        invitation.token_sha256 = _digest(token)
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["token_sha256", "sent_at"])
    return invitation, token


def invitation_for_link(token: str) -> Invitation | None:
    """The pending invitation this link opens, or None (unknown, used, replaced, cancelled, expired)."""
    if not token or len(token) > 200:
        return None
    invitation = Invitation.objects.select_related("force").filter(token_sha256=_digest(token)).first()
    return invitation if invitation is not None and invitation.is_pending else None


def refuse_link(request, token: str) -> None:
    """Record that a link that opens nothing was used (expired, used, replaced or made up)."""
    found = Invitation.objects.filter(token_sha256=_digest(token or "")).first() if token else None
    _audit(
        request,
        found.force if found else None,
        "Refused: invitation link expired, used or unknown",
        refused=True,
        invitation=found.pk if found else None,
    )


def _grant(user, invitation: Invitation) -> None:
    if invitation.force_id is None:
        user.is_national_team = True
        user.save(update_fields=["is_national_team"])
    else:
        set_membership(user, invitation.force, invitation.role)


def accept_with_password(token: str, *, first_name: str, last_name: str, password: str, request=None):
    """Create the invited person's account (username and e-mail: the invited address) and grant the role.

    Locks the invitation row, so two tabs posting the same link make one account; the second
    gets a refusal.
    """
    with transaction.atomic():
        invitation = invitation_for_link(token)
        invitation = (
            Invitation.objects.select_for_update().filter(pk=invitation.pk).first() if invitation else None
        )
        if (
            invitation is None
            or not invitation.is_pending
            or User.objects.filter(username__iexact=invitation.email).exists()
            or User.objects.filter(email__iexact=invitation.email).exists()
        ):
            transaction.set_rollback(True)
            invitation = None
        else:
            user = User.objects.create_user(
                username=invitation.email,
                email=invitation.email,
                password=password,
                first_name=first_name,
                last_name=last_name,
            )
            _accept(invitation, user, request, how="password")
    if invitation is None:
        refuse_link(request, token)
        raise Refused(_("This invitation link has expired or has already been used."))
    return user


def accept_for_single_sign_on(
    invitation: Invitation, *, email: str, first_name: str, last_name: str, request
):
    """The identity provider vouched for the invited address: make the account (no password)."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not locked.is_pending or locked.email != email.lower():
            return None
        user = User(username=email.lower(), email=email.lower(), first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.save()
        _accept(locked, user, request, how="single sign-on")
    return user


def _accept(invitation: Invitation, user, request, *, how: str) -> None:
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    # The digest stays: a second use of the link is then refused in the force's own audit trail.
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    _grant(user, invitation)
    _audit(
        request,
        invitation.force,
        f"{invitation.email} accepted the invitation ({how})",
        acting_user=user,
        obj=invitation,
        email=invitation.email,
        role=invitation.role,
    )


# --- Roles and deactivation -----------------------------------------------------------------------


def _check_target(acting_user, force, target, request, own_message: str) -> str:
    """Refuse changing oneself, someone outside the team, or someone above the actor's grant."""
    if not can_manage(acting_user, force):
        raise PermissionDenied
    current = role_of(target, force)
    if target.pk == acting_user.pk:
        refuse(request, force, own_message, acting_user=acting_user, target=target.pk)
    if not acting_user.is_superuser and (
        not _may_grant(acting_user, force, current)
        or target.is_superuser
        or target.is_national_team
        or target.memberships.exclude(force=force).exists()
    ):
        refuse(
            request,
            force,
            _("Only an administrator can change this person's account."),
            acting_user=acting_user,
            target=target.pk,
        )
    return current


def change_role(target, *, force: Force, role: str, acting_user, request=None) -> None:
    current = _check_target(
        acting_user, force, target, request, _("You cannot change the role of your own account.")
    )
    if not _may_grant(acting_user, force, role):
        refuse(
            request,
            force,
            _("You cannot give that role."),
            acting_user=acting_user,
            field="role",
            target=target.pk,
            role=role,
        )
    if role == current:
        return
    with transaction.atomic():
        set_membership(target, force, role)
        _audit(
            request,
            force,
            f"Changed the role of {target.get_username()} from {current} to {role}",
            acting_user=acting_user,
            obj=target,
            before=current,
            after=role,
        )


def deactivate(target, *, force: Force | None, acting_user, request=None) -> None:
    """Stop the person signing in, at once and everywhere.

    Every open session stops working on its next request (no authentication back end returns an
    inactive user) and so does every API token (DRF refuses an inactive user's token). Sessions
    and tokens are kept until then so that their next use is refused with a message and an audit
    entry (accounts.middleware.DeactivatedAccountMiddleware). The membership stays, shown as
    deactivated, so the record of who did what keeps its names.
    """
    _check_target(acting_user, force, target, request, _("You cannot deactivate your own account."))
    with transaction.atomic():
        target.is_active = False
        target.save(update_fields=["is_active"])
        tokens = Token.objects.filter(user=target).count()
        _audit(
            request,
            force,
            f"Deactivated {target.get_username()}",
            acting_user=acting_user,
            obj=target,
            tokens_stopped=tokens,
        )
