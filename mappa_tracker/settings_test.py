"""Test-only tweaks: a fast password hasher, tasks run in-process unless a test starts a worker."""

import os

os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: E402,F403
from .settings import VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = VAR_DIR / "test-private"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
OTP_REQUIRED = False
AXES_ENABLED = False
# Each pytest-xdist worker sends to and consumes from its own Celery queue, so two workers sharing
# one Redis never take (or purge) each other's tasks.
CELERY_TASK_DEFAULT_QUEUE = f"mappa-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
# Tests roll their transactions back, which the page cache cannot see (a page drawn from rolled-back
# rows would outlive them), so it is off here; tests/test_page_cache.py turns it on for its own.
PAGE_CACHE_SECONDS = 0
if IS_POSTGRES:  # noqa: F405
    # Test data is thrown away, so a commit need not wait for the disk: transactional tests (the
    # browser, worker and fault tests) commit every row they write and flush every table after.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
