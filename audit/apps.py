from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who changed what, when, and from which request: never pruned, never edited."""

    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self):
        from . import signals  # noqa: F401
