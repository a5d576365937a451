from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.translation import gettext


class UserLanguageMiddleware:
    """Show signed-in users the service in their preferred language.

    The account's preference wins over the language cookie: the cookie only carries the choice of
    signed-out visitors (sign-in page), and the header's language switch updates the preference
    (frontend.views.switch_language), so the two never disagree.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # The header's switch sets this sign-in's language; the account's saved preference
            # (the preference page) is the default and the language of the user's e-mails.
            chosen = request.session.get("ui_language") if hasattr(request, "session") else None
            language = chosen if chosen in ("en", "cy") else (user.preferred_language or "en")
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Send chief officers, the national team and administrators to the two-factor check.

    Runs after django-otp's OTPMiddleware (which sets `user.is_verified()`): until the code is
    entered, such a user reaches only the set-up and check pages and sign-out. API calls with a
    token pass (a token can only be created after the check); a session API call gets JSON 403.
    """

    ALLOWED = ("accounts:two-factor-verify", "accounts:two-factor-setup", "accounts:logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and request.session.get("two_factor_by_identity_provider")
        ):
            # The force's identity provider said it did two-factor (amr/acr) for this sign-in.
            user.is_verified = lambda: True
        if (
            settings.OTP_REQUIRED
            and user is not None
            and user.is_authenticated
            and not getattr(request, "api_token_user", False)
            and not (hasattr(user, "is_verified") and user.is_verified())
            and not request.path_info.startswith(settings.STATIC_URL)
        ):
            from .twofactor import has_device, two_factor_required

            if two_factor_required(user):
                match = resolve_or_none(request.path_info)
                if match is None or match.view_name not in self.ALLOWED:
                    if request.path_info.startswith("/api/"):
                        return JsonResponse(
                            {"detail": gettext("Complete two-factor sign-in before using the API.")},
                            status=403,
                        )
                    target = "accounts:two-factor-verify" if has_device(user) else "accounts:two-factor-setup"
                    return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def resolve_or_none(path):
    try:
        return resolve(path)
    except Resolver404:
        return None
