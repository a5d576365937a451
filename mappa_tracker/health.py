"""/healthz: is this process able to serve? The database answers a query and the broker accepts a
connection. The answer names the checks and says ok or failing, never a host, URL or password, so
it is safe to leave open to load balancers and container health checks without signing in.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not healthy"; the log has the detail, the answer does not
        logger.exception("Health check: the database did not answer.")
        return False


def _broker() -> bool:
    from mappa_tracker.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.exception("Health check: the broker did not answer.")
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database(), "broker": _broker()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "failing"} | {
        k: "ok" if v else "failing" for k, v in checks.items()
    }
    return JsonResponse(body, status=200 if healthy else 503)
