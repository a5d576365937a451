"""Caps on one import task's memory, on top of Celery's time limits.

While an import runs in a worker child, the child's address space may grow by at most
IMPORT_TASK_MAX_MEMORY_BYTES: past that, allocation fails with MemoryError, the task marks its job
failed and the limit is lifted again. Run in-process (tests, eager mode) it changes nothing, since
the web process must not be limited by one upload.
"""

import contextlib
import logging
import resource

from django.conf import settings

logger = logging.getLogger(__name__)


def _address_space_bytes() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


@contextlib.contextmanager
def memory_cap(enabled: bool = True):
    if not enabled or not hasattr(resource, "RLIMIT_AS"):
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = _address_space_bytes() + settings.IMPORT_TASK_MAX_MEMORY_BYTES
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    try:
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ValueError, OSError):
        logger.warning("Could not cap the import task's memory at %s bytes.", cap)
        yield
        return
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
