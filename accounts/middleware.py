from django.utils import translation


class UserLanguageMiddleware:
    """Use the signed-in user's preferred language unless the request chose one explicitly."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.COOKIES.get("django_language"):
            language = user.preferred_language or "en"
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
