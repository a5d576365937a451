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
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from simple_history.models import HistoricalRecords

from forces.models import Force
from mappa_tracker.choices import ChoiceLabels
from recommendations.dates import judge_timeliness
from recommendations.models import Inspection, Recommendation


class Response(ChoiceLabels, models.Model):
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
    # The s55 ledger: each step dated (and where it matters, by whom); empty means "not recorded".
    chief_invited_on = models.DateField(_("chief officer invited to comment on"), null=True, blank=True)
    chief_comments_received_on = models.DateField(
        _("chief officer's comments received on"), null=True, blank=True
    )
    chief_comments_received_from = models.CharField(
        _("chief officer's comments given by"),
        max_length=200,
        blank=True,
        help_text=_("For example T/ACC Richard Ocone, for the Chief Constable."),
    )
    pcc_signed_on = models.DateField(_("commissioner's comments signed on"), null=True, blank=True)
    published_url = models.URLField(_("web address where the commissioner published it"), blank=True)
    copy_hmicfrs_sent_on = models.DateField(_("copy sent to HMICFRS on"), null=True, blank=True)
    copy_home_secretary_sent_on = models.DateField(
        _("copy sent to the Home Secretary on"), null=True, blank=True
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

    def judged(self) -> tuple[str, int | None]:
        """(state, days late) on the publication date only: see recommendations.dates.judge_timeliness."""
        return judge_timeliness(
            is_published=self.is_published, published_on=self.published_on, last_day=self.statutory_due_on
        )

    @property
    def timeliness_state(self) -> str:
        return self.judged()[0]

    def days_late(self) -> int | None:
        """Days after the last day it was published (0 or less: on time); None if not judged."""
        return self.judged()[1]

    @property
    def published_on_time(self) -> bool | None:
        late = self.days_late()
        return None if late is None else late <= 0

    @property
    def office_date(self):
        """The day whose office-holders the response names: its own date; a draft not dated yet,
        today. None for a response published on a date no document gives: who held office for it
        is then not known, and no day of our own (such as the last day) stands in for it."""
        if self.response_date:
            return self.response_date
        return None if self.is_published else timezone.localdate()

    @cached_property
    def office_holders(self):
        """Who held office on `office_date` (forces.services.Holders), or None when it is not known."""
        from forces.services import holders_on

        day = self.office_date
        if day is None:
            return None
        # Through the relation, so that a list that prefetched the force's holdings asks nothing more.
        return holders_on(self.force, day, holdings=list(self.force.office_holdings.all()))

    @property
    def response_date(self):
        """The date that decides who held office for this response: publication, else the letter's."""
        version = self.published_version or self.current_version
        return self.published_on or (version.letter_date if version else None)

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
                return {"kind": "date_not_known", "days": None}
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


def refuse_if_signed(versions: models.QuerySet) -> None:
    """The one signed-version guard: refuse if any of `versions` (ResponseVersion rows) is signed off.

    Row saves and deletes of versions and sections, and bulk updates and deletes of either, all
    come here, so a signed version never changes whoever calls what.
    """
    if versions.filter(signed_off_at__isnull=False).exists():
        raise SignedVersionError(_("This version has been signed off and cannot be changed."))


class SignedGuardQuerySet(models.QuerySet):
    """Bulk update/delete may not reach a signed version (or a signed version's sections)."""

    version_field = "pk"

    def _refuse_signed(self):
        refuse_if_signed(ResponseVersion._base_manager.filter(pk__in=self.values(self.version_field)))

    def update(self, **kwargs):
        self._refuse_signed()
        return super().update(**kwargs)

    def delete(self):
        self._refuse_signed()
        return super().delete()


class SectionQuerySet(SignedGuardQuerySet):
    version_field = "version_id"


class SignedGuardMixin:
    """save() and delete() of a row of a version refuse once that version is signed off."""

    def guarded_version_id(self) -> int | None:
        raise NotImplementedError

    def _refuse_signed(self):
        version_id = self.guarded_version_id()
        if version_id:
            refuse_if_signed(ResponseVersion._base_manager.filter(pk=version_id))

    def save(self, *args, **kwargs):
        self._refuse_signed()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self._refuse_signed()
        return super().delete(*args, **kwargs)


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
    "salutation_cy",
)


class ResponseVersion(ChoiceLabels, SignedGuardMixin, models.Model):
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
    # Welsh Language Standards: the same parts in Welsh, and the language of the letter. Both
    # are part of what the chief officer signs.
    pcc_initial_comments_cy = models.TextField(_("commissioner's initial comments (Welsh)"), blank=True)
    chief_officer_comments_cy = models.TextField(_("chief officer's comments (Welsh)"), blank=True)
    pcc_overall_comments_cy = models.TextField(_("commissioner's overall comments (Welsh)"), blank=True)
    addressee_cy = models.TextField(_("addressee (Welsh)"), blank=True)
    signatory_title_cy = models.CharField(_("signatory's title (Welsh)"), max_length=300, blank=True)
    # "Dear …": empty means the greeting that goes with the addressee (the Home Secretary, HM Chief
    # Inspector); filled in, it is used as written.
    salutation = models.CharField(_("salutation"), max_length=200, blank=True)
    salutation_cy = models.CharField(_("salutation (Welsh)"), max_length=200, blank=True)
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
    # False for a version loaded from a published document that gives no sign-off date: signed_off_at
    # then only says when the sign-off was recorded here, and pages say "date not known".
    signed_date_known = models.BooleanField(default=True)
    signed_sha256 = models.CharField(max_length=64, blank=True)
    # Who wrote or changed this version's text (user ids): none of them may sign it off.
    editor_ids = models.JSONField(default=list, blank=True, editable=False)
    # The force's letterhead as it was at sign-off: signed with the text, printed on the letter.
    letterhead_address = models.TextField(_("letterhead address"), blank=True, editable=False)
    # The rest of the letterhead and the signature image, frozen at sign-off and signed with the
    # text (`responses.letterheads.freeze`): office names, contacts, footer, reference prefix, and
    # the logo's and signature's stored files with their SHA-256.
    letterhead_frozen = models.JSONField(default=dict, blank=True, editable=False)

    objects = ScopedManager(force="force", _manager_class=models.Manager.from_queryset(SignedGuardQuerySet))

    class Meta:
        ordering = ["response", "-number"]
        constraints = [models.UniqueConstraint(fields=["response", "number"], name="unique_version_number")]
        verbose_name = _("response version")

    def __str__(self):
        return f"{self.response} v{self.number}"

    def guarded_version_id(self) -> int | None:
        return self.pk

    @property
    def is_signed(self) -> bool:
        return self.signed_off_at is not None

    @property
    def known_signed_off_at(self):
        """When it was signed off, or None: not signed off, or signed on a day no document gives (a
        version loaded as published keeps a stand-in time only so that it counts as signed)."""
        return self.signed_off_at if self.signed_date_known else None

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

        The Welsh parts are added only when they are used, so the hash of an English-only
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
        if self.letterhead_address:  # frozen at sign-off; absent from versions signed before it was
            content["letterhead_address"] = self.letterhead_address
        if self.letterhead_frozen:  # absent from versions signed before the whole letterhead was
            content["letterhead"] = self.letterhead_frozen
        if self.salutation:  # only when written: versions signed before salutations keep their hash
            content["salutation"] = self.salutation
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


class ResponseSection(SignedGuardMixin, models.Model):
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

    def guarded_version_id(self) -> int | None:
        return self.version_id


class LetterRender(ChoiceLabels, models.Model):
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


class CopySent(models.Model):
    """One copy of a published response sent to one recipient: the claim that it went, once.

    The task inserts this row (INSERT ... ON CONFLICT DO NOTHING) in the same transaction as it
    sends the e-mail: a redelivered or doubled task finds the row taken and sends nothing, and a
    mail server failure rolls the claim back so the retry sends it.
    """

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    copy = models.ForeignKey(ResponseCopy, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.EmailField()
    sent_at = models.DateTimeField()

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["copy", "recipient"]
        constraints = [models.UniqueConstraint(fields=["copy", "recipient"], name="one_copy_per_recipient")]
        verbose_name = _("copy sent")
        verbose_name_plural = _("copies sent")

    def __str__(self):
        return f"{self.copy.version} to {self.recipient}"


class Letterhead(models.Model):
    """The top and foot of a force's letters, kept by its OPCC staff on the letterhead page.

    The logo is a checked PNG or sanitised SVG stored under MEDIA_ROOT like evidence files
    (`responses.images`); the letter loads it through the renderer's fetcher, which reads only
    the files this letter names.
    """

    force = models.OneToOneField(Force, on_delete=models.CASCADE, related_name="letterhead")
    office_name = models.CharField(_("office name"), max_length=200, blank=True)
    office_name_cy = models.CharField(_("office name (Welsh)"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    telephone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    reference_prefix = models.CharField(_("reference prefix"), max_length=20, blank=True)
    footer = models.TextField(_("footer"), blank=True)
    footer_cy = models.TextField(_("footer (Welsh)"), blank=True)
    logo = models.CharField(max_length=300, blank=True, help_text="Path under MEDIA_ROOT.")
    logo_content_type = models.CharField(max_length=40, blank=True)
    logo_sha256 = models.CharField(max_length=64, blank=True)
    logo_alt = models.CharField(_("logo description"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ScopedManager(force="force")
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("letterhead")

    def __str__(self):
        return f"{self.force} letterhead"


class Signature(models.Model):
    """A signatory's signature image (PNG or SVG), printed only on a signed letter of theirs."""

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    signatory_name = models.CharField(_("signatory"), max_length=200)
    file = models.CharField(max_length=300, help_text="Path under MEDIA_ROOT.")
    content_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["force", "signatory_name"], name="one_signature_per_signatory")
        ]
        verbose_name = _("signature")

    def __str__(self):
        return f"{self.signatory_name} ({self.force})"


def current_letterhead_address(force) -> str:
    """The address the force's letters carry now: its letterhead's, else the force's own."""
    letterhead = Letterhead.objects.filter(force=force).only("address").first()
    return (letterhead.address if letterhead and letterhead.address else "") or force.letterhead_address
