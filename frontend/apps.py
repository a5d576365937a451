from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontendConfig(AppConfig):
    """Shared presentation: GOV.UK form rendering, template filters, error pages."""

    name = "frontend"
    verbose_name = _("Frontend")
