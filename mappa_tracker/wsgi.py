import os

from django.core.wsgi import get_wsgi_application

from .startup import fail_cleanly_on_bad_settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mappa_tracker.settings")
with fail_cleanly_on_bad_settings():
    application = get_wsgi_application()
