from django.urls import path, register_converter

from . import views, views_pack
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
    path(
        "national/inspections/<int:inspection_pk>/forces/<slug:slug>/",
        views.ForceAnswersView.as_view(),
        name="force-answers",
    ),
    path(
        "national/inspections/<int:inspection_pk>/forces/<slug:slug>/export.<export_format:fmt>",
        views.ForceAnswersExportView.as_view(),
        name="force-answers-export",
    ),
    path("national/search/", views.SearchView.as_view(), name="search"),
    path(
        "national/search/export.<export_format:fmt>", views.SearchExportView.as_view(), name="search-export"
    ),
    path("national/pack/", views_pack.NationalPackView.as_view(), name="pack"),
    path("national/pack.docx", views_pack.NationalPackDocxView.as_view(), name="pack-docx"),
    path("national/pack/pdf/", views_pack.NationalPackPdfView.as_view(), name="pack-pdf"),
    path(
        "national/pack/pdf/<int:pk>/",
        views_pack.NationalPackPdfDownloadView.as_view(),
        name="pack-pdf-download",
    ),
    # A force's own pack: its people and the national team (the force middleware checks).
    path("forces/<slug:force_slug>/pack/", views_pack.ForcePackView.as_view(), name="force-pack"),
    path(
        "forces/<slug:force_slug>/pack.docx", views_pack.ForcePackDocxView.as_view(), name="force-pack-docx"
    ),
    path("forces/<slug:force_slug>/pack/pdf/", views_pack.ForcePackPdfView.as_view(), name="force-pack-pdf"),
    path(
        "forces/<slug:force_slug>/pack/pdf/<int:pk>/",
        views_pack.ForcePackPdfDownloadView.as_view(),
        name="force-pack-pdf-download",
    ),
]
