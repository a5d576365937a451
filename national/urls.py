from django.urls import path, register_converter

from . import views
from .converters import ExportFormatConverter

app_name = "national"

register_converter(ExportFormatConverter, "export_format")

# Mounted at the site root: this app names its own paths. No force_slug: these pages look across forces.
urlpatterns = [
    path("national/", views.DashboardView.as_view(), name="dashboard"),
    path("national/export.<export_format:fmt>", views.DashboardExportView.as_view(), name="dashboard-export"),
    path("national/recommendations/<int:pk>/", views.CompareView.as_view(), name="compare"),
    path(
        "national/recommendations/<int:pk>/export.<export_format:fmt>",
        views.CompareExportView.as_view(),
        name="compare-export",
    ),
    path("national/search/", views.SearchView.as_view(), name="search"),
]
