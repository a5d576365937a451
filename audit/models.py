"""The audit trail beyond model saves, and history for guardian's permission rows.

Model changes are recorded by django-simple-history (HistoricalRecords on each model). What is
not a model save (sign-in, exports, token creation) is an AuditEvent. Both are append-only.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history import register

from forces.models import ForceUserObjectPermission
from mappa_tracker.choices import ChoiceLabels

# Permission changes: set_membership adds and removes these rows; their history shows who did it.
register(ForceUserObjectPermission, app="audit", excluded_fields=[])


class AppendOnlyError(PermissionError):
    """The audit trail is never edited or deleted."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit trail cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The audit trail cannot be deleted.")


class AuditEvent(ChoiceLabels, models.Model):
    class Action(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        SIGNED_OUT = "signed_out", _("Signed out")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out")
        TWO_FACTOR_VERIFIED = "two_factor_verified", _("Two-factor check passed")
        TWO_FACTOR_SET_UP = "two_factor_set_up", _("Two-factor device set up")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        OTHER = "other", _("Other")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(_("who"), max_length=150, blank=True)
    force = models.ForeignKey(
        "forces.Force", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("action"), max_length=40, choices=Action.choices)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = _("audit event")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit trail cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit trail cannot be deleted.")
