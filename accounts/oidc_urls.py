"""Single sign-on: choose the force's provider, go there, come back (one callback for every force)."""

from django.urls import path

from . import oidc

app_name = "oidc"

urlpatterns = [
    path("", oidc.ChooseProviderView.as_view(), name="choose"),
    path("callback/", oidc.CallbackView.as_view(), name="callback"),
    path("<slug:provider>/start/", oidc.StartView.as_view(), name="start"),
]
