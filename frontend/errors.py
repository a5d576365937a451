"""The service's own 404, 500 and 503 pages, also while DEBUG is on.

503: while the shared cache (Redis) cannot be reached, pages are read from the database but a
change is refused (mappa_tracker.cache), with a page that says nothing was saved and when to try
again (api.errors turns it into the API's JSON error).

With DEBUG off Django calls handler404/handler500 (frontend.views). With DEBUG on it answers with
its technical pages instead, which list the URL patterns, settings and code: fine for a developer,
wrong for anyone else who reaches a development or review deployment. This middleware replaces a
404 or 500 page that is not the service's own with the service's page, except for superusers (the
developers), who keep Django's technical pages while DEBUG is on. The API (/api/) answers JSON
errors of its own and is left alone.
"""

from django.conf import settings

from mappa_tracker.cache import RETRY_SECONDS, CacheUnavailable

from .views import page_not_found, server_error, service_unavailable


class ServiceErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def process_exception(self, request, exception):
        if not isinstance(exception, CacheUnavailable):
            return None
        # Under /api/, ApiJsonErrorsMiddleware turns this page into its JSON error, header kept.
        response = service_unavailable(request)
        response["Retry-After"] = str(int(RETRY_SECONDS))
        return response

    def __call__(self, request):
        response = self.get_response(request)
        if not settings.DEBUG or response.status_code not in (404, 500):
            return response
        if getattr(response, "service_page", False) or request.path.startswith("/api/"):
            return response
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_superuser:
            return response
        return page_not_found(request) if response.status_code == 404 else server_error(request)
