"""The PCC's section 55 response to an inspection, per force, in versions.

A version is the text of the response at one time. Signing off freezes a version (with a SHA-256
of exactly what was signed); any later change starts a new version that needs a new sign-off.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from forces.models import Force
from recommendations.models import Inspection, Recommendation


class Response(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_SIGN_OFF = "awaiting_sign_off", _("Awaiting chief officer sign-off")
        SIGNED_OFF = "signed_off", _("Signed off")
        PUBLISHED = "published", _("Published")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="responses")
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="responses")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    chief_comments_due_on = models.DateField(_("chief officer's comments due"), null=True, blank=True)
    current_version = models.ForeignKey(
        "ResponseVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_version = models.ForeignKey(
        "ResponseVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(force="force")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-inspection__published_on", "force__name"]
        constraints = [
            models.UniqueConstraint(fields=["force", "inspection"], name="one_response_per_inspection")
        ]
        verbose_name = _("response")

    def __str__(self):
        return f"{self.force}: {self.inspection}"

    @property
    def statutory_due_on(self):
        return self.inspection.response_due_on

    def days_late(self) -> int | None:
        """Days after the statutory date it was published (0 or less: on time); None if unpublished."""
        if not self.published_on:
            return None
        return (self.published_on - self.statutory_due_on).days

    @property
    def published_on_time(self) -> bool | None:
        late = self.days_late()
        return None if late is None else late <= 0

    def days_left(self, today=None) -> int:
        return (self.statutory_due_on - (today or timezone.localdate())).days


class ResponseVersion(models.Model):
    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    pcc_initial_comments = models.TextField(_("commissioner's initial comments"), blank=True)
    chief_officer_comments = models.TextField(_("chief officer's comments"), blank=True)
    pcc_overall_comments = models.TextField(_("commissioner's overall comments"), blank=True)
    addressee = models.TextField(_("addressee"), blank=True)
    letter_date = models.DateField(_("date of the letter"), null=True, blank=True)
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_title = models.CharField(_("signatory's title"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["response", "-number"]
        constraints = [models.UniqueConstraint(fields=["response", "number"], name="unique_version_number")]
        verbose_name = _("response version")

    def __str__(self):
        return f"{self.response} v{self.number}"

    @property
    def is_signed(self) -> bool:
        return self.signed_off_at is not None


class ResponseSection(models.Model):
    """The response's text on one recommendation addressed to police."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ResponseVersion, on_delete=models.CASCADE, related_name="sections")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="response_sections"
    )
    text = models.TextField(_("response"), blank=True)

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["version", "recommendation__kind", "recommendation__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "recommendation"], name="one_section_per_recommendation"
            )
        ]
        verbose_name = _("response section")

    def __str__(self):
        return f"{self.version}: {self.recommendation.label}"
