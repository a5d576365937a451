from django.urls import path

from . import views

app_name = "frontend"

urlpatterns = [
    path("language/<str:code>/", views.switch_language, name="language-switch"),
    path("account/language/", views.LanguagePreferenceView.as_view(), name="language-preference"),
]
