from django.urls import path

from . import views

app_name = "spreadsheets"

# Mounted at the site root: this app names its own paths (force pages under forces/<force_slug>/).
urlpatterns = [
    path("forces/<slug:force_slug>/import/", views.ProgressImportView.as_view(), name="progress-import"),
    path("forces/<slug:force_slug>/import/<int:pk>/", views.ProgressJobView.as_view(), name="progress-job"),
    path(
        "forces/<slug:force_slug>/import/<int:pk>/status.json",
        views.ProgressJobStatusView.as_view(),
        name="progress-job-status",
    ),
    path(
        "forces/<slug:force_slug>/import/template.<str:fmt>",
        views.ProgressTemplateView.as_view(),
        name="progress-template",
    ),
    path(
        "forces/<slug:force_slug>/export/<str:what>.<str:fmt>",
        views.ForceExportView.as_view(),
        name="force-export",
    ),
    path("inspections/import/", views.InspectionImportView.as_view(), name="inspection-import"),
    path("inspections/import/<int:pk>/", views.InspectionJobView.as_view(), name="inspection-job"),
    path(
        "inspections/import/<int:pk>/status.json",
        views.InspectionJobStatusView.as_view(),
        name="inspection-job-status",
    ),
    path(
        "inspections/import/template.<str:fmt>",
        views.InspectionTemplateView.as_view(),
        name="inspection-template",
    ),
    path(
        "inspections/<slug:slug>/export.<str:fmt>",
        views.InspectionExportView.as_view(),
        name="inspection-export",
    ),
]
