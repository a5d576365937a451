from django.urls import path

from recommendations.views import ForceOverviewView

from . import views

app_name = "forces"

urlpatterns = [
    path("", views.ForceListView.as_view(), name="list"),
    path("<slug:force_slug>/", ForceOverviewView.as_view(), name="overview"),
    path("<slug:force_slug>/office-holders/", views.OfficeHoldingsView.as_view(), name="office-holders"),
    path(
        "<slug:force_slug>/office-holders/<int:pk>/",
        views.OfficeHoldingsView.as_view(),
        name="office-holder-edit",
    ),
]
