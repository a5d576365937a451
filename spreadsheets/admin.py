"""Import and export of inspections and recommendations in the admin (django-import-export).

Registered here, not in recommendations, so the spreadsheet feature lives in one app. If the
recommendations app registers its own admin for these models, this keeps it and adds import and
export to it.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from recommendations.models import Inspection, Recommendation

from .resources import InspectionAdminResource, RecommendationAdminResource


def _register(model, resource, **options):
    base = admin.ModelAdmin
    if admin.site.is_registered(model):
        base = type(admin.site._registry[model])
        admin.site.unregister(model)
    attrs = {"resource_classes": [resource], **options}
    admin.site.register(model, type(f"{model.__name__}ImportExportAdmin", (ImportExportMixin, base), attrs))


@admin.display(description=_("Change the last day"))
def last_day_page(inspection):
    """The administrators' page that sets a different last day through the service, with its reason."""
    if not inspection.pk:
        return _("Save the inspection first.")
    return format_html(
        '<a href="{}">{}</a>',
        reverse("inspections:last-day", kwargs={"slug": inspection.slug}),
        _("Set or clear a different last day to publish, with its reason"),
    )


_register(
    Inspection,
    InspectionAdminResource,
    list_display=("title", "published_on", "kind", "is_open"),
    prepopulated_fields={"slug": ("title",)},
    # A different last day needs a reason that every page shows: it is set on its own page, through
    # the service that checks it, never here, where a date could be saved without one.
    readonly_fields=(
        "response_due_on",
        "response_due_override_on",
        "response_due_override_reason",
        last_day_page,
    ),
)
_register(
    Recommendation,
    RecommendationAdminResource,
    list_display=("__str__", "inspection", "kind", "number"),
    list_filter=("inspection", "kind"),
)
