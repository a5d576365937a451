"""The Celery app. Tasks take ids and re-enter their force's scope (see forces.tasks.ForceTask)."""

import os

from celery import Celery

# Importing the transport registers it: filesystem:// is the project's (mappa_tracker.broker).
from .broker import Transport  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa_tracker.settings")

app = Celery("mappa_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
