from django.urls import path  # noqa: F401

app_name = "responses"

# Mounted at the site root: this app names its own paths (force pages under forces/<force_slug>/).
urlpatterns: list = []
