from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path(
        "forces/<slug:force_slug>/records/<int:pk>/history/",
        views.RecordHistoryView.as_view(),
        name="record-history",
    ),
    path("audit/export/", views.AuditExportView.as_view(), name="export"),
]
