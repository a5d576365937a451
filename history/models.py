"""An uploaded published response, its reading (the preview) and what confirming it wrote.

The preview lives in `DocumentImport.reading` (JSON) until it is confirmed: nothing else is written
before then, so an abandoned preview leaves only its own row and the kept upload, which the user
can delete.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from forces.models import Force
from mappa_tracker.choices import ChoiceLabels
from recommendations.models import Inspection, ProgressUpdate, Recommendation


class DocumentBatch(ChoiceLabels, models.Model):
    """A zip of published responses to one inspection, uploaded by an administrator.

    The worker reads each letter, finds the force it names and makes it an ordinary
    DocumentImport of that force (previewed, corrected and confirmed as a single upload is);
    `letters` records, per file in the zip, the force found or why none was. Not a force's data
    (it spans forces): only administrators see it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        READING = "reading", _("Being read")
        DONE = "done", _("Read")
        FAILED = "failed", _("Could not be read")

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="document_batches")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.CharField(max_length=300, help_text="Name in private storage, random.")
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # When a worker began reading it: a run still "being read" long after is one whose worker died.
    started_at = models.DateTimeField(null=True, blank=True)
    # One entry per letter in the zip, in its order: {"name", "force" (slug or ""), "problem"}.
    letters = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("batch of documents")

    def __str__(self):
        return f"{self.inspection}: {self.original_name}"

    def get_absolute_url(self):
        return reverse("history:batch", kwargs={"pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.READING)


class DocumentImport(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        READING = "reading", _("Being read")
        READY = "ready", _("Ready to check")
        FAILED = "failed", _("Could not be read")
        CONFIRMED = "confirmed", _("Imported")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="document_imports")
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="document_imports")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    original_name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("type"), max_length=8)
    content_type = models.CharField(max_length=120)
    file = models.CharField(max_length=300, help_text="Name in private storage, per force, random.")
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    reading = models.JSONField(default=dict, blank=True)
    # When a worker began reading it: a reading still going long after is one whose worker died.
    started_at = models.DateTimeField(null=True, blank=True)
    response = models.ForeignKey(
        "responses.Response", on_delete=models.PROTECT, null=True, blank=True, related_name="imports"
    )
    # The zip it came in, if it came in one (an administrator's batch).
    batch = models.ForeignKey(
        DocumentBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="documents"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # The same file is imported once per force, whoever uploads it again.
            models.UniqueConstraint(
                fields=["force", "sha256"], condition=Q(status="confirmed"), name="one_import_per_file"
            ),
        ]
        verbose_name = _("imported document")

    def __str__(self):
        return f"{self.force}: {self.original_name}"

    def get_absolute_url(self):
        return reverse("history:preview", kwargs={"force_slug": self.force.slug, "pk": self.pk})

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.READING)


class ImportedAnswer(ChoiceLabels, models.Model):
    """What the document said about one recommendation, as read, beside the progress update it made.

    Keeps the author and date exactly as the document gives them (a date may be unknown), whatever
    the progress update's own fields can hold.
    """

    class Voice(models.TextChoices):
        PCC = "pcc", _("Commissioner")
        CHIEF_OFFICER = "chief_officer", _("Chief officer")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(DocumentImport, on_delete=models.CASCADE, related_name="answers")
    recommendation = models.ForeignKey(Recommendation, on_delete=models.PROTECT, related_name="+")
    progress_update = models.ForeignKey(ProgressUpdate, on_delete=models.PROTECT, related_name="+")
    voice = models.CharField(_("author"), max_length=16, choices=Voice.choices)
    author_name = models.CharField(_("name"), max_length=200, blank=True)
    author_title = models.CharField(_("title"), max_length=300, blank=True)
    dated = models.DateField(_("date"), null=True, blank=True, help_text=_("Empty: date not known."))
    matched_by = models.CharField(max_length=8)
    confidence = models.PositiveSmallIntegerField(default=0)
    flags = models.JSONField(default=list, blank=True)

    objects = ScopedManager(force="force")

    class Meta:
        ordering = ["recommendation__number"]
        verbose_name = _("imported answer")

    def __str__(self):
        return f"{self.document}: {self.recommendation.label}"
