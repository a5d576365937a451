from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessLog(models.Model):
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
