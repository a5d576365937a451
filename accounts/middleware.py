from django.utils import translation


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
            language = user.preferred_language or "en"
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
