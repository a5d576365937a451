"""The API's human pages: browsable docs (Swagger UI from the sidecar package, no CDN) and tokens."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework.authtoken.models import Token

from audit.services import record_event

from .authentication import SessionAuthentication
from .services import issue_token, revoke_token


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its script in a separate file, so the page needs no inline script or style."""

    template_name = "api/swagger_ui.html"
    authentication_classes = [SessionAuthentication]


class TokenView(TemplateView):
    """A signed-in user sees whether they have an API token and can create a new one (shown once)."""

    template_name = "api/token.html"

    def get_context_data(self, **kwargs):
        from datetime import timedelta

        from django.conf import settings

        token = Token.objects.filter(user=self.request.user).first()
        new_key = self.request.session.pop("api_new_token", None)
        expires = token.created + timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS) if token else None
        return super().get_context_data(
            has_token=token is not None, new_key=new_key, expires=expires, **kwargs
        )

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "revoke":
            if revoke_token(request.user):
                record_event(request, "api_token_revoked", summary=_("Revoked the API token"))
            messages.success(
                request, _("Your API token has been revoked. Programs using it can no longer sign in.")
            )
            return redirect("api:token")
        token = issue_token(request.user)
        record_event(request, "api_token_created", summary=_("Created a new API token"))
        request.session["api_new_token"] = token.key
        messages.success(request, _("Your new API token is below. Copy it now: it will not be shown again."))
        return redirect("api:token")
