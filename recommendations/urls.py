from django.urls import path

from . import views, views_home

app_name = "recommendations"

# Mounted under forces/<slug:force_slug>/ (mappa_tracker/urls.py).
urlpatterns = [
    path("home/", views_home.ForceHomeView.as_view(), name="home"),
    path("records/", views_home.RecordListView.as_view(), name="record-list"),
    path("inspections/", views_home.InspectionListView.as_view(), name="inspection-list"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
    path("records/<int:pk>/updates/new/", views.UpdateCreateView.as_view(), name="update-create"),
    path("records/<int:pk>/owners/", views.RecordOwnersView.as_view(), name="record-owners"),
    path("records/<int:pk>/request-sign-off/", views.ClosureRequestView.as_view(), name="closure-request"),
    path("records/<int:pk>/sign-off/", views.SignOffView.as_view(), name="record-sign-off"),
    path(
        "records/<int:pk>/no-further-action/",
        views.NoFurtherActionView.as_view(),
        name="record-no-further-action",
    ),
    path("records/<int:pk>/hmicfrs-closure/", views.HmicfrsClosureView.as_view(), name="hmicfrs-closure"),
    path(
        "records/<int:pk>/hmicfrs-reference/", views.HmicfrsReferenceView.as_view(), name="hmicfrs-reference"
    ),
    path("records/<int:pk>/extensions/new/", views.ExtensionCreateView.as_view(), name="extension-create"),
    path("extensions/<int:pk>/decide/", views.ExtensionDecideView.as_view(), name="extension-decide"),
    path("evidence/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment-download"),
    path("owners/", views.OwnerListView.as_view(), name="owner-list"),
    path("owners/new/", views.OwnerFormView.as_view(), name="owner-create"),
    path("owners/<int:owner_pk>/edit/", views.OwnerFormView.as_view(), name="owner-update"),
]
