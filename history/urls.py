from django.urls import path

from . import views

app_name = "history"

_force = "forces/<slug:force_slug>/history/"

urlpatterns = [
    path(_force, views.import_list, name="list"),
    path(f"{_force}upload/", views.import_upload, name="upload"),
    path(f"{_force}<int:pk>/", views.import_preview, name="preview"),
    path(f"{_force}<int:pk>/correct/", views.import_correct, name="correct"),
    path(f"{_force}<int:pk>/confirm/", views.import_confirm, name="confirm"),
    path(f"{_force}<int:pk>/delete/", views.import_delete, name="delete"),
    path(f"{_force}<int:pk>/file/", views.import_download, name="download"),
    path("inspections/read-report/", views.report_read, name="report"),
    path("history/batches/", views.batch_list, name="batch-list"),
    path("history/batches/upload/", views.batch_upload, name="batch-upload"),
    path("history/batches/<int:pk>/", views.batch_detail, name="batch"),
    path("history/batches/<int:pk>/confirm/", views.batch_confirm, name="batch-confirm"),
    path("history/batches/<int:pk>/delete-zip/", views.batch_delete_file, name="batch-delete-file"),
]
