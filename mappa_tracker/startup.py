"""Turn a configuration mistake into one clear line rather than a traceback."""

import sys
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured


@contextmanager
def fail_cleanly_on_bad_settings():
    try:
        yield
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"Configuration error: {exc}\n")
        raise SystemExit(2) from None
