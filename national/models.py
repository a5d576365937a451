from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mappa_tracker.choices import ChoiceLabels


class AccessLog(ChoiceLabels, models.Model):
    """One look across forces by the national team: who, when, what and with which parameters.

    The national module is the only place that lifts the force scope, so every such look is written
    down here (append-only in practice; nothing in the app edits or deletes these rows).
    """

    class Action(models.TextChoices):
        DASHBOARD = "dashboard", _("Dashboard")
        COMPARE = "compare", _("Compare answers")
        SEARCH = "search", _("Search")
        EXPORT_DASHBOARD = "export_dashboard", _("Export of the dashboard")
        EXPORT_COMPARE = "export_compare", _("Export of compared answers")
        EXPORT_SEARCH = "export_search", _("Export of search results")
        PACK = "pack", _("Quarterly pack")
        EXPORT_PACK = "export_pack", _("Download of a quarterly pack")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="national_access_logs"
    )
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    path = models.CharField(_("path"), max_length=500)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("national access log entry")
        verbose_name_plural = _("national access log")

    def __str__(self):
        return f"{self.user} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class PackRender(ChoiceLabels, models.Model):
    """One PDF of a quarterly pack, rendered by the Celery worker (never in the request).

    `force` is empty for the national team's pack (all forces). Views check it against the
    force in the URL, so a force's people only ever reach their own force's renders.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RENDERING = "rendering", _("Rendering")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    force = models.ForeignKey(
        "forces.Force", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    quarter = models.CharField(_("quarter"), max_length=7)
    language = models.CharField(max_length=10, default="en")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    pdf = models.BinaryField(blank=True, default=b"")
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("quarterly pack PDF")

    def __str__(self):
        return f"{self.force or 'national'} {self.quarter} {self.status}"
