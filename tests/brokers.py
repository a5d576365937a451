"""Pointing the project's Celery app at a real broker inside a test, and back.

Celery caches two pools built from the broker URL at first use: the app's connection pool and
the producer pool of `app.amqp`. Both must be dropped when the URL changes, or a task "sent" to
Redis goes to whichever broker an earlier test in the same process used first.
"""


def reset_pools(app) -> None:
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None
