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


class DeactivatedAccountMiddleware:
    """Refuse a deactivated user's old session or API token with a clear message and an audit entry.

    Neither works any more by then: every authentication back end finds no inactive user, and DRF
    refuses an inactive user's token. This layer only says so, to the person and in the audit
    trail, and ends the old session. It looks only at requests that arrive signed out while still
    carrying a session's user id or an API token, so ordinary requests cost nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            found = self._deactivated(request)
            if found is not None:
                return self._refuse(request, *found)
        return self.get_response(request)

    def _deactivated(self, request):
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        session = getattr(request, "session", None)
        user_id = session.get("_auth_user_id") if session is not None else None
        if user_id:
            owner = get_user_model().objects.filter(pk=user_id, is_active=False).first()
            if owner is not None:
                return owner, "session"
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if request.path_info.startswith("/api/") and header.startswith("Token "):
            token = (
                Token.objects.select_related("user")
                .filter(key=header.removeprefix("Token ").strip()[:40], user__is_active=False)
                .first()
            )
            if token is not None:
                return token.user, "API token"
        return None

    def _refuse(self, request, owner, kind: str):
        from django.shortcuts import render

        from audit.models import AuditEvent
        from audit.services import record_event

        membership = owner.memberships.select_related("force").first()
        record_event(
            request,
            AuditEvent.Action.SIGN_IN_FAILED,
            summary=f"Refused: a deactivated user's {kind}",
            user=owner,
            force=membership.force if membership else None,
            area="people",
            refused=True,
        )
        message = gettext(
            "This account has been deactivated. Ask your OPCC administrator if you need access."
        )
        if kind == "session":
            request.session.flush()
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": message}, status=401)
        return render(request, "accounts/deactivated.html", {"message": message}, status=403)
