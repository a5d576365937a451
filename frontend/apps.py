from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontendConfig(AppConfig):
    """Shared presentation: GOV.UK form rendering, template filters, error pages."""

    name = "frontend"
    verbose_name = _("Frontend")

    def ready(self):
        from mappa_tracker.startup import ensure_local_folders

        from . import page_cache

        ensure_local_folders()
        page_cache.install()  # every write in this process drops the cached pages
