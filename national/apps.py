from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_fulltext(sender, using="default", **kwargs):
    """SQLite drops triggers with a rebuilt table: put the search's back after every migrate."""
    from django.db import connections

    from . import fts

    fts.ensure(connections[using])


class NationalConfig(AppConfig):
    name = "national"
    verbose_name = _("National team")

    def ready(self):
        post_migrate.connect(_ensure_fulltext, sender=self, dispatch_uid="national-fulltext")
        # Register the task that services queue by name, in every process (web too: eager mode
        # and the outbox's flush run it by name without importing it).
        from . import tasks  # noqa: F401
