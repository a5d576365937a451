from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """Background work recorded in the database first, so a broker outage loses nothing."""

    name = "outbox"
    verbose_name = _("Background jobs")
