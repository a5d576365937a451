"""The PCC's section 55 response to an inspection, per force, in versions.

A version is the text of the response at one time. Signing off freezes a version (with a SHA-256
of exactly what was signed); any later change starts a new version that needs a new sign-off.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
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

    def get_absolute_url(self):
        return reverse("responses:detail", kwargs={"force_slug": self.force.slug, "pk": self.pk})

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

    def chief_comments_days_left(self, today=None) -> int | None:
        if not self.chief_comments_due_on:
            return None
        return (self.chief_comments_due_on - (today or timezone.localdate())).days

    def timeliness(self, today=None) -> dict:
        """What the page says about the statutory date: on time / late by N / N days left / overdue by N."""
        if self.is_published:
            if not self.published_on:
                return {"kind": "published_undated", "days": None}
            late = self.days_late()
            return {"kind": "on_time", "days": -late} if late <= 0 else {"kind": "late", "days": late}
        left = self.days_left(today)
        return {"kind": "days_left", "days": left} if left >= 0 else {"kind": "overdue", "days": -left}

    @property
    def is_published(self) -> bool:
        return self.published_version_id is not None

    def get_public_url(self):
        return reverse("responses:public-detail", kwargs={"slug": self.force.slug, "pk": self.pk})


class SignedVersionError(ValidationError):
    """A change to a signed-off version (or its sections): refused, start a new version instead."""


class SignedGuardQuerySet(models.QuerySet):
    """Bulk update/delete may not reach a signed version (or a signed version's sections)."""

    signed_lookup = "signed_off_at__isnull"

    def _refuse_signed(self):
        if self.filter(**{self.signed_lookup: False}).exists():
            raise SignedVersionError(_("This version has been signed off and cannot be changed."))

    def update(self, **kwargs):
        self._refuse_signed()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_signed()
        return super().delete()


class SectionQuerySet(SignedGuardQuerySet):
    signed_lookup = "version__signed_off_at__isnull"


class LetterLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh")
    BILINGUAL = "bilingual", _("Bilingual: Welsh and English")


class BilingualLayout(models.TextChoices):
    SIDE_BY_SIDE = "side_by_side", _("Side by side, Welsh on the left")
    SEQUENTIAL = "sequential", _("One after the other, Welsh first")


# The Welsh twins of a version's own text (forces under the Welsh Language Standards). The signatory's
# name and the date have no Welsh twin: a name is the same in both languages, a date is formatted.
WELSH_VERSION_FIELDS = (
    "pcc_initial_comments_cy",
    "chief_officer_comments_cy",
    "pcc_overall_comments_cy",
    "addressee_cy",
    "signatory_title_cy",
)


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
    # Welsh Language Standards (issue 9): the same parts in Welsh, and the language of the letter. Both
    # are part of what the chief officer signs.
    pcc_initial_comments_cy = models.TextField(_("commissioner's initial comments (Welsh)"), blank=True)
    chief_officer_comments_cy = models.TextField(_("chief officer's comments (Welsh)"), blank=True)
    pcc_overall_comments_cy = models.TextField(_("commissioner's overall comments (Welsh)"), blank=True)
    addressee_cy = models.TextField(_("addressee (Welsh)"), blank=True)
    signatory_title_cy = models.CharField(_("signatory's title (Welsh)"), max_length=300, blank=True)
    letter_language = models.CharField(
        _("language of the letter"),
        max_length=12,
        choices=LetterLanguage.choices,
        default=LetterLanguage.ENGLISH,
    )
    bilingual_layout = models.CharField(
        _("layout of a bilingual letter"),
        max_length=12,
        choices=BilingualLayout.choices,
        default=BilingualLayout.SIDE_BY_SIDE,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)

    objects = ScopedManager(force="force", _manager_class=models.Manager.from_queryset(SignedGuardQuerySet))

    class Meta:
        ordering = ["response", "-number"]
        constraints = [models.UniqueConstraint(fields=["response", "number"], name="unique_version_number")]
        verbose_name = _("response version")

    def __str__(self):
        return f"{self.response} v{self.number}"

    def save(self, *args, **kwargs):
        # The one place that guarantees a signed version never changes, whoever calls save().
        if self.pk and ResponseVersion.objects.filter(pk=self.pk, signed_off_at__isnull=False).exists():
            raise SignedVersionError(_("This version has been signed off and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and ResponseVersion.objects.filter(pk=self.pk, signed_off_at__isnull=False).exists():
            raise SignedVersionError(_("This version has been signed off and cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_signed(self) -> bool:
        return self.signed_off_at is not None

    @property
    def letter_languages(self) -> list[str]:
        """The languages the letter is written in, in their order on the page (Welsh first)."""
        if self.letter_language == LetterLanguage.BILINGUAL:
            return ["cy", "en"]
        return [self.letter_language]

    @property
    def has_welsh(self) -> bool:
        return self.letter_language != LetterLanguage.ENGLISH

    def canonical_content(self, sections=None) -> dict:
        """Exactly what a chief officer signs: the letter's words, parties and date, nothing else.

        The Welsh parts (issue 9) are added only when they are used, so the hash of an English-only
        version, signed before Welsh letters existed, stays the same.
        """
        sections = self.sections.select_related("recommendation") if sections is None else sections
        content = {
            "response": self.response_id,
            "force": self.force_id,
            "inspection": self.response.inspection_id,
            "version": self.number,
            "addressee": self.addressee,
            "letter_date": self.letter_date.isoformat() if self.letter_date else None,
            "pcc_initial_comments": self.pcc_initial_comments,
            "chief_officer_comments": self.chief_officer_comments,
            "pcc_overall_comments": self.pcc_overall_comments,
            "signatory_name": self.signatory_name,
            "signatory_title": self.signatory_title,
            "sections": sorted(self._canonical_section(s) for s in sections),
        }
        content.update({name: getattr(self, name) for name in WELSH_VERSION_FIELDS if getattr(self, name)})
        if self.has_welsh:
            content["letter_language"] = self.letter_language
            if self.letter_language == LetterLanguage.BILINGUAL:
                content["bilingual_layout"] = self.bilingual_layout
        return content

    def _canonical_section(self, section) -> list:
        rec = section.recommendation
        row = [rec.kind, rec.number, rec.text, section.text]
        welsh = {}
        if section.text_cy:
            welsh["text_cy"] = section.text_cy
        if self.has_welsh and rec.text_cy:
            welsh["recommendation_text_cy"] = rec.text_cy  # printed in the Welsh part of the letter
        if welsh:
            row.append(welsh)
        return row

    def content_sha256(self, sections=None) -> str:
        canonical = json.dumps(
            self.canonical_content(sections), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def signature_matches(self) -> bool:
        return bool(self.signed_sha256) and self.content_sha256() == self.signed_sha256


class ResponseSection(models.Model):
    """The response's text on one recommendation addressed to police."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ResponseVersion, on_delete=models.CASCADE, related_name="sections")
    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.PROTECT, related_name="response_sections"
    )
    text = models.TextField(_("response"), blank=True)
    text_cy = models.TextField(_("response (Welsh)"), blank=True)

    objects = ScopedManager(force="force", _manager_class=models.Manager.from_queryset(SectionQuerySet))

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

    def save(self, *args, **kwargs):
        if ResponseVersion.objects.filter(pk=self.version_id, signed_off_at__isnull=False).exists():
            raise SignedVersionError(_("This version has been signed off and cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if ResponseVersion.objects.filter(pk=self.version_id, signed_off_at__isnull=False).exists():
            raise SignedVersionError(_("This version has been signed off and cannot be changed."))
        return super().delete(*args, **kwargs)


class LetterRender(models.Model):
    """One attempt to render a version's PDF letter in a Celery task.

    Only a finished render can be current, and at most one per version (a partial unique index),
    so a retry after a failure or a killed worker never leaves two current PDFs.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(ResponseVersion, on_delete=models.CASCADE, related_name="renders")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    file = models.CharField(max_length=300, blank=True, help_text="Path under MEDIA_ROOT.")
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    is_current = models.BooleanField(default=False)

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version"], condition=Q(is_current=True), name="one_current_letter_per_version"
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(status="done"), name="only_done_letter_is_current"
            ),
        ]
        verbose_name = _("letter render")

    def __str__(self):
        return f"{self.version} PDF #{self.pk} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    def is_stale(self, now=None) -> bool:
        """Queued or rendering for so long that the worker must have died: offer a retry."""
        if not self.is_pending:
            return False
        since = self.started_at or self.created_at
        return ((now or timezone.now()) - since).total_seconds() > settings.LETTER_RENDER_STALE_SECONDS

    @property
    def filename(self) -> str:
        return f"{self.force.slug}-response-v{self.version.number}.pdf"


class ResponseCopy(models.Model):
    """The copies of a published response sent to HMICFRS and the Home Secretary (s55 as amended)."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="copies")
    version = models.ForeignKey(ResponseVersion, on_delete=models.PROTECT, related_name="copies")
    recipients = models.JSONField(default=list)
    letter = models.ForeignKey(
        LetterRender, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["version"], name="one_copy_per_published_version")]
        verbose_name = _("copy of a response")
        verbose_name_plural = _("copies of responses")

    def __str__(self):
        return f"{self.version} to {', '.join(self.recipients)}"
