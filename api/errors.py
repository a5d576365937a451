"""JSON errors for everything under /api/, whichever layer refused the request."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from recommendations.services import StaleRecord

DEFAULT_MESSAGES = {
    400: "Bad request.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to do this.",
    404: "Not found.",
    405: "Method not allowed.",
    409: "Conflict.",
    413: "The request body is too large.",
    415: "Unsupported media type.",
    500: "Server error.",
    # While the shared cache cannot be reached (mappa_tracker.cache): reading works, changing does not.
    503: gettext_lazy(
        "The service cannot save changes just now. Nothing was saved: try again in a few minutes."
    ),
}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record changed since you read it."
    default_code = "stale"


def _messages(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        return {
            field: [str(m) for e in errors for m in e.messages] for field, errors in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def exception_handler(exc, context):
    """DRF's handler, plus the services' Django exceptions turned into the right 4xx."""
    if isinstance(exc, StaleRecord):
        exc = Conflict(detail=" ".join(str(m) for m in exc.messages))
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_messages(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


class ApiJsonErrorsMiddleware:
    """Under /api/, answer too-large bodies with 413 and turn any HTML error page into JSON.

    The force scope middleware refuses another force with Django's 404 page, and Django answers
    unknown URLs the same way; an API client gets {"detail": ...} instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith("/api/"):
            return self.get_response(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return JsonResponse(
                {"detail": _("The request body is too large: send at most %(n)d bytes.") % {"n": limit}},
                status=413,
            )
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if response.status_code >= 400 and "json" not in content_type:
            detail = DEFAULT_MESSAGES.get(response.status_code, "Error.")
            json_response = JsonResponse({"detail": detail}, status=response.status_code)
            for header in ("Allow", "WWW-Authenticate", "Retry-After"):
                if header in response:
                    json_response[header] = response[header]
            return json_response
        return response
