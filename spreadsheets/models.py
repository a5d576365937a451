from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from forces.models import Force
from mappa_tracker.choices import ChoiceLabels
from recommendations.models import Inspection


def _upload_to(job, filename):
    # The stored name never reuses the uploaded one: it is shown back only as `original_name`.
    return f"imports/{job.kind}/{job.sha256[:2]}/{job.sha256}"


class InspectionJobManager(models.Manager):
    """Jobs that belong to no force (an administrator's inspection import): never a force's rows."""

    def get_queryset(self):
        return super().get_queryset().filter(force__isnull=True)


class ImportJob(ChoiceLabels, models.Model):
    """An uploaded spreadsheet kept privately between its preview and its confirmation."""

    class Kind(models.TextChoices):
        PROGRESS = "progress", _("A force's progress")
        INSPECTION = "inspection", _("An inspection's recommendations")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to be checked")
        PREVIEWING = "previewing", _("Being checked")
        PREVIEWED = "previewed", _("Ready to import")
        INVALID = "invalid", _("Has problems")
        APPLYING = "applying", _("Being imported")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Not imported")

    force = models.ForeignKey(Force, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    options = models.JSONField(
        default=dict, blank=True, help_text="Inspection fields for an inspection import."
    )
    file = models.FileField(upload_to=_upload_to, max_length=200)
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    row_count = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # Work that survives a dead worker (spreadsheets.recovery): how often the stuck-work sweep
    # started this job again, what it told the user, and which step to retry ("check"/"apply").
    requeues = models.PositiveSmallIntegerField(default=0)
    recovery_note = models.TextField(blank=True)
    stuck_step = models.CharField(max_length=8, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(force="force")
    inspection_jobs = InspectionJobManager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.original_name}"

    def get_absolute_url(self):
        if self.force_id:
            return reverse("spreadsheets:progress-job", kwargs={"force_slug": self.force.slug, "pk": self.pk})
        return reverse("spreadsheets:inspection-job", kwargs={"pk": self.pk})

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.PREVIEWING, self.Status.APPLYING)

    @property
    def can_retry(self) -> bool:
        """Failed because its worker stopped (not because of the file): it may be tried again."""
        return self.status == self.Status.FAILED and bool(self.stuck_step)

    @property
    def can_confirm(self) -> bool:
        return self.status == self.Status.PREVIEWED
