"""Writes of the national module: the access log."""

from .models import AccessLog


def log_access(user, action: str, *, path: str = "", parameters: dict | None = None) -> AccessLog:
    """Write down that `user` looked across forces (dashboard, compare, search or an export)."""
    params = {}
    for key, value in (parameters or {}).items():
        # QueryDict values come as lists; keep single values plain so the log reads easily.
        if isinstance(value, list | tuple):
            value = value[0] if len(value) == 1 else list(value)
        params[str(key)[:100]] = value if isinstance(value, int | list) else str(value)[:500]
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        path=path[:500],
        parameters=params,
    )
