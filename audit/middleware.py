from .services import REQUEST_ID_HEADER, request_id


class RequestIdMiddleware:
    """Give each request an id (or keep a well-formed one from the proxy) and echo it back.

    History rows and audit events carry it, so one request's changes can be found together.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get(REQUEST_ID_HEADER, "")
        if incoming and len(incoming) <= 64 and incoming.replace("-", "").isalnum():
            request.request_id = incoming
        response = self.get_response(request)
        response["X-Request-ID"] = request_id(request)
        return response
