from django.contrib.auth.decorators import login_not_required, login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import views
from .docs import ApiDocsView, TokenView

app_name = "api"

FORCE = "api/forces/<slug:force_slug>/"

# Mounted at the site root: this app names its own paths.
urlpatterns = [
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("api/docs/", login_required(ApiDocsView.as_view(url_name="api:schema")), name="docs"),
    path("api/token/", TokenView.as_view(), name="token"),
    path(FORCE + "records/", views.RecordList.as_view(), name="record-list"),
    path(FORCE + "records/<int:pk>/", views.RecordDetail.as_view(), name="record-detail"),
    path(
        FORCE + "records/<int:pk>/hmicfrs-closure/",
        views.RecordHmicfrsClosure.as_view(),
        name="record-hmicfrs-closure",
    ),
    path(FORCE + "records/<int:record_pk>/updates/", views.UpdateList.as_view(), name="update-list"),
    path(FORCE + "owners/", views.OwnerList.as_view(), name="owner-list"),
    path(FORCE + "owners/<int:pk>/", views.OwnerDetail.as_view(), name="owner-detail"),
    path(FORCE + "responses/", views.ResponseList.as_view(), name="response-list"),
    path(FORCE + "responses/<int:pk>/", views.ResponseDetail.as_view(), name="response-detail"),
    path(FORCE + "responses/<int:pk>/ledger/", views.ResponseLedger.as_view(), name="response-ledger"),
]
