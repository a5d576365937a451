"""The service's own 404 and 500 pages, also while DEBUG is on.

With DEBUG off Django calls handler404/handler500 (frontend.views). With DEBUG on it answers with
its technical pages instead, which list the URL patterns, settings and code: fine for a developer,
wrong for anyone else who reaches a development or review deployment. This middleware replaces a
404 or 500 page that is not the service's own with the service's page, except for superusers (the
developers), who keep Django's technical pages while DEBUG is on. The API (/api/) answers JSON
errors of its own and is left alone.
"""

from django.conf import settings


class ServiceErrorPagesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

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
        from .views import page_not_found, server_error

        return page_not_found(request) if response.status_code == 404 else server_error(request)
