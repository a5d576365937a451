"""Write audit events and describe the request a change came from."""

import uuid

from .models import AuditEvent

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client says unless a known proxy sets it.
    return request.META.get("REMOTE_ADDR") or None


def request_id(request) -> str:
    rid = getattr(request, "request_id", None)
    if not rid:
        rid = uuid.uuid4().hex
        request.request_id = rid
    return rid


def request_reason(request) -> str:
    """A one-line description of the request, stored as the history row's change reason (100 chars)."""
    return (
        f"req {request_id(request)[:12]} {client_ip(request) or '-'} {request.method or ''} {request.path}"[
            :100
        ]
    )


def record_event(request, action: str, *, summary: str = "", user=None, force=None, obj=None, **data):
    user = user if user is not None else getattr(request, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=(user.get_username() if authenticated else data.pop("username", "")) or "",
        force=force if force is not None else getattr(request, "force", None),
        action=action,
        summary=str(summary)[:500],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data,
        method=(request.method or "") if request is not None else "",
        path=(request.path or "")[:500] if request is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        request_id=request_id(request) if request is not None else "",
    )
