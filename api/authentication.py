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
    pass


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
