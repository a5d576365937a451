import logging

from .services import REQUEST_ID_HEADER, request_id

logger = logging.getLogger(__name__)


class RequestIdMiddleware:
    """Give each request an id of the app's own making and echo it back.

    History rows and audit events carry it, so one request's changes can be found together.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The app always makes its own id (request_id() below): a client's X-Request-ID is kept
        # beside it for correlation, never trusted as the audit trail's id.
        incoming = request.META.get(REQUEST_ID_HEADER, "")
        if incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum():
            request.client_request_id = incoming
            logger.info("request %s carries client request id %s", request_id(request), incoming)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id(request)
        return response
