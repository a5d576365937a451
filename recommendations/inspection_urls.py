from django.urls import path

from . import views

app_name = "inspections"

# Mounted at inspections/: administrators' pages about one inspection (not a force's).
urlpatterns = [
    path("<slug:slug>/last-day/", views.LastDayOverrideView.as_view(), name="last-day"),
]
