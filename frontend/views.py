from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET
from django.views.generic import FormView

from .forms import LanguagePreferenceForm
from .i18n import set_preferred_language

# This sign-in's language, chosen with the header's switch (the account's preference is the default).
SESSION_LANGUAGE_KEY = "ui_language"


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def service_unavailable(request):
    """A change refused while the shared cache cannot be reached (frontend.errors)."""
    return render(request, "503.html", status=503)


def page_not_found(request, exception=None):
    response = render(request, "404.html", status=404)
    response.service_page = True  # frontend.errors: not to be replaced
    return response


def server_error(request):
    try:
        response = render(request, "500.html", status=500)
    except Exception:  # the page itself failed (a broken database, say): a plain page, still ours
        from django.http import HttpResponseServerError

        response = HttpResponseServerError(
            "<!DOCTYPE html><html lang=en><title>Sorry, there is a problem with the service</title>"
            "<h1>Sorry, there is a problem with the service</h1><p>Try again later.</p>"
        )
    response.service_page = True
    return response


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def _safe_next(request) -> str:
    next_url = request.GET.get("next") or request.META.get("HTTP_REFERER") or ""
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("home")


@login_not_required
@require_GET
def switch_language(request, code):
    """The header's "English | Cymraeg" link: show the service in `code` and remember it.

    A link (GET), as in the GOV.UK/HMRC language select, so it works without JavaScript and can
    carry hreflang. Being a GET, it changes no saved data: signed-in users see the language for the
    rest of this sign-in (kept in the session) and save it on their account, with the language
    of their e-mails, on the preference page (a POST form); signed-out visitors keep it in the
    language cookie.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404("No such language.")
    response = HttpResponseRedirect(_safe_next(request))
    if request.user.is_authenticated:
        request.session[SESSION_LANGUAGE_KEY] = code
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    else:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE or "Lax",
        )
    return response


class LanguagePreferenceView(FormView):
    """The profile page where a signed-in user sets the language of the service and their e-mails."""

    form_class = LanguagePreferenceForm
    template_name = "frontend/language_form.html"

    def get_initial(self):
        return {"language": self.request.user.preferred_language or settings.LANGUAGE_CODE}

    def form_valid(self, form):
        language = form.cleaned_data["language"]
        set_preferred_language(self.request.user, language)
        self.request.session.pop(SESSION_LANGUAGE_KEY, None)
        # The confirmation is read on the next page, which is already in the new language.
        with translation.override(language):
            messages.success(self.request, _("Your language preference has been saved."))
        return redirect("frontend:language-preference")
