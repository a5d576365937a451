"""Import and export of inspections and recommendations in the admin (django-import-export).

Registered here, not in recommendations, so the spreadsheet feature lives in one app. If the
recommendations app registers its own admin for these models, this keeps it and adds import and
export to it.
"""

from django.contrib import admin
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


_register(
    Inspection,
    InspectionAdminResource,
    list_display=("title", "published_on", "kind", "is_open"),
    prepopulated_fields={"slug": ("title",)},
)
_register(
    Recommendation,
    RecommendationAdminResource,
    list_display=("__str__", "inspection", "kind", "number"),
    list_filter=("inspection", "kind"),
)
