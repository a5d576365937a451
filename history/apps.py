from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HistoryConfig(AppConfig):
    """Past published responses brought in from their documents, after a preview."""

    name = "history"
    verbose_name = _("Imported history")

    def ready(self):
        # Registers the tasks, so that the outbox can send them by name in any process.
        from . import tasks  # noqa: F401
