from django.urls import path

from . import views

app_name = "reminders"

# Mounted at the site root: this app names its own paths (force pages under forces/<force_slug>/).
urlpatterns = [
    path("reminders/preferences/", views.ReminderPreferencesView.as_view(), name="preferences"),
    path("forces/<slug:force_slug>/reminders/", views.ForceReminderListView.as_view(), name="force-list"),
    path(
        "forces/<slug:force_slug>/reminders/settings/",
        views.ForceReminderSettingsView.as_view(),
        name="force-settings",
    ),
    path(
        "forces/<slug:force_slug>/records/<int:pk>/reminders/",
        views.RecordReminderListView.as_view(),
        name="record-list",
    ),
]
