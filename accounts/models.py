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
