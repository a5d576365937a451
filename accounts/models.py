from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person who signs in. Their forces and roles come from forces.Membership."""

    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_national_team = models.BooleanField(
        _("national team"),
        default=False,
        help_text=_("Reads every force's records and compares forces; changes nothing."),
    )
    email_reminders = models.BooleanField(
        _("e-mail reminders"),
        default=True,
        help_text=_("Receive reminder digests. Chief officers still receive escalations."),
    )

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username


class PasswordResetRequest(models.Model):
    """One request for a password reset e-mail, kept for an hour to limit how many are sent.

    The address is stored as a SHA-256 digest, never as typed: the table answers "how many for
    this address lately" and nothing else.
    """

    email_sha256 = models.CharField(max_length=64, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"password reset request {self.pk}"


class InvitationQuerySet(models.QuerySet):
    def for_team(self, force):
        """A force's invitations, or the national team's (force None)."""
        return self.filter(force=force) if force is not None else self.filter(force__isnull=True)

    def pending(self):
        from django.utils import timezone

        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation by e-mail to join a force (or the national team, force empty) in a role.

    Only a SHA-256 digest of the link's secret is kept; the link is made when the e-mail is sent
    (accounts.tasks.send_invitation), so no secret waits in the outbox. Sending again makes a new
    secret, which replaces the old link. Accepting sets `accepted_at` once, under a row lock.
    """

    NATIONAL_TEAM = "national_team"

    force = models.ForeignKey(
        "forces.Force", on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20)
    token_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["token_sha256"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")

    def __str__(self):
        return f"{self.email} ({self.role})"

    @property
    def role_label(self) -> str:
        from forces.models import Membership

        if self.role == self.NATIONAL_TEAM:
            return str(_("National team"))
        return str(Membership.Role(self.role).label) if self.role in Membership.Role.values else self.role

    @property
    def team_name(self) -> str:
        return self.force.local_name if self.force_id else str(_("the national team"))

    @property
    def is_pending(self) -> bool:
        from django.utils import timezone

        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class IdentityProvider(models.Model):
    """A force's OpenID Connect identity provider (e.g. Microsoft Entra ID), kept by administrators.

    The client secret never sits in the database: `client_secret_env` names the environment
    variable (or secret-store mount exported as one) that holds it. Endpoints are discovered from
    the issuer's /.well-known/openid-configuration. Roles are never read from the provider's claims.
    """

    force = models.OneToOneField("forces.Force", on_delete=models.CASCADE, related_name="identity_provider")
    display_name = models.CharField(
        _("name shown on the sign-in button"),
        max_length=120,
        help_text=_("For example, Gwent Police account"),
    )
    issuer = models.URLField(_("issuer"), max_length=300)
    client_id = models.CharField(_("client ID"), max_length=200)
    client_secret_env = models.CharField(
        _("environment variable holding the client secret"), max_length=100, blank=True
    )
    allowed_domains = models.CharField(
        _("allowed e-mail domains"),
        max_length=500,
        help_text=_("Comma-separated, for example gwent.police.uk, gwent.pcc.police.uk"),
    )
    enabled = models.BooleanField(_("single sign-on on"), default=True)
    password_sign_in = models.BooleanField(
        _("password sign-in allowed"),
        default=True,
        help_text=_("Turn off to make the force's users sign in through the identity provider only."),
    )
    two_factor_amr = models.CharField(
        _("amr values that mean two-factor was done"),
        max_length=200,
        default="mfa",
        blank=True,
        help_text=_(
            "Comma-separated; the provider's two-factor replaces this service's own when one is present."
        ),
    )
    two_factor_acr = models.CharField(
        _("acr values that mean two-factor was done"), max_length=300, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("identity provider")

    def __str__(self):
        return f"{self.force}: {self.issuer}"

    @staticmethod
    def _split(value: str) -> set[str]:
        return {item.strip().lower() for item in value.split(",") if item.strip()}

    @property
    def domains(self) -> set[str]:
        return self._split(self.allowed_domains)

    @property
    def amr_values(self) -> set[str]:
        return self._split(self.two_factor_amr)

    @property
    def acr_values(self) -> set[str]:
        return self._split(self.two_factor_acr)

    @property
    def client_secret(self) -> str:
        import os

        return os.environ.get(self.client_secret_env, "") if self.client_secret_env else ""
