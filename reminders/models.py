"""What reminders a force wants and which ones went out.

`ReminderSent` is the ledger that makes reminders exactly-once: one row per (item, milestone, due
date, recipient), unique in the database and written in the same transaction that sends the
e-mail. A due date that moves gives new keys, so the new date's milestones apply and the old
date's stop.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from forces.models import Force
from mappa_tracker.choices import ChoiceLabels

from .milestones import milestone_label, parse_days


class ForceReminderSettings(models.Model):
    """A force OPCC's own reminder offsets. Blank fields fall back to the service's defaults."""

    force = models.OneToOneField(Force, on_delete=models.CASCADE, related_name="reminder_settings")
    days_before_due = models.CharField(
        _("days before a recommendation is due"),
        max_length=100,
        blank=True,
        help_text=_("Separate with commas, for example 90, 30, 7, 1. Leave blank for the default."),
    )
    response_days_before = models.CharField(
        _("days before a response or chief officer's comments are due"),
        max_length=100,
        blank=True,
        help_text=_("Separate with commas, for example 28, 14, 7, 1. Leave blank for the default."),
    )
    overdue_every_days = models.PositiveSmallIntegerField(
        _("remind every this many days while overdue"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("tell chief officers once overdue by this many days"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(366)],
    )
    stale_after_days = models.PositiveSmallIntegerField(
        _("ask owners for an update after this many days without one"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(999)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(force="force")

    class Meta:
        verbose_name = _("force reminder settings")
        verbose_name_plural = _("force reminder settings")

    def __str__(self):
        return f"{self.force}: reminder settings"

    def clean(self):
        errors = {}
        for name in ("days_before_due", "response_days_before"):
            try:
                parse_days(getattr(self, name))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)


class ReminderSent(ChoiceLabels, models.Model):
    """One reminder that went to one address: the exactly-once ledger and the visible log."""

    class Kind(models.TextChoices):
        RECORD_DUE = "record_due", _("Recommendation due")
        RECORD_OVERDUE = "record_overdue", _("Recommendation overdue")
        STALE = "stale", _("Please update")
        RESPONSE_DUE = "response_due", _("Response due")
        RESPONSE_OVERDUE = "response_overdue", _("Response overdue")
        CHIEF_COMMENTS_DUE = "chief_comments_due", _("Chief officer's comments due")

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        OPCC_STAFF = "opcc_staff", _("OPCC staff")
        CHIEF_OFFICER = "chief_officer", _("Chief officer")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="reminders_sent")
    # "record:12", "response:3:statutory", "response:3:chief": one key column, because NULLs in
    # a unique constraint never collide and the constraint must hold for both kinds of item.
    item_key = models.CharField(max_length=60)
    record = models.ForeignKey(
        "recommendations.Record",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders_sent",
    )
    response = models.ForeignKey(
        "responses.Response", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders_sent"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    milestone = models.CharField(_("milestone"), max_length=30)
    due_on = models.DateField(_("due date"))
    recipient = models.EmailField(_("sent to"), max_length=254)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    role = models.CharField(_("as"), max_length=20, choices=Role.choices)
    sweep_date = models.DateField(_("sweep date"))
    sent_at = models.DateTimeField(_("sent at"))

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item_key", "milestone", "due_on", "recipient"], name="reminder_sent_once"
            ),
        ]
        indexes = [
            models.Index(fields=["force", "-sent_at"]),
            models.Index(fields=["record", "-sent_at"]),
        ]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self):
        return f"{self.item_key} {self.milestone} ({self.due_on}) to {self.recipient}"

    @property
    def milestone_label(self) -> str:
        return milestone_label(self.milestone)
