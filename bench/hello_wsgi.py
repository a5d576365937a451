"""A bare WSGI "hello" app: the ceiling of gunicorn on this machine, for bench/page_ratios.py."""


def application(environ, start_response):
    body = b"hello"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
