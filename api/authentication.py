"""Token sign-in resolved before the force scope is chosen, so token requests are scoped like pages."""

from rest_framework import authentication
from rest_framework.exceptions import AuthenticationFailed


class SessionAuthentication(authentication.SessionAuthentication):
    """Browser sessions, with DRF's CSRF check. Skipped when the request came with a token."""

    def authenticate(self, request):
        if getattr(request._request, "api_token_user", False):
            return None
        return super().authenticate(request)


class TokenAuthentication(authentication.TokenAuthentication):
    """Tokens last API_TOKEN_MAX_AGE_DAYS; a user who must use two-factor needs it set up first."""

    def authenticate_credentials(self, key):
        from datetime import timedelta

        from django.conf import settings
        from django.utils import timezone
        from django.utils.translation import gettext as _

        from accounts.twofactor import has_device, two_factor_required

        user, token = super().authenticate_credentials(key)
        if token.created < timezone.now() - timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS):
            raise AuthenticationFailed(
                _("This API token has expired. Create a new one on your API token page.")
            )
        if two_factor_required(user) and not has_device(user):
            raise AuthenticationFailed(
                _("Set up two-factor sign-in on the website before using the API with a token.")
            )
        return user, token


class ApiTokenMiddleware:
    """Put a token's user on the request before LoginRequiredMiddleware and ForceScopeMiddleware run.

    ForceScopeMiddleware decides the force scope from `request.user`; DRF authenticates only inside
    the view, which would be too late. A bad token is left for DRF to refuse with a JSON 401.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") and request.META.get("HTTP_AUTHORIZATION", "").startswith(
            "Token "
        ):
            try:
                found = TokenAuthentication().authenticate(request)
            except AuthenticationFailed:
                found = None
            if found is not None:
                request.user = found[0]
                request.api_token_user = True
        return self.get_response(request)
