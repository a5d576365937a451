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


def _text(value):
    """What an audit entry keeps of text a client sent: everything but NUL, which PostgreSQL's
    text and JSON columns cannot hold (a refused request is recorded, not turned into a 500)."""
    if isinstance(value, str):
        return value.replace("\x00", "\N{REPLACEMENT CHARACTER}")
    if isinstance(value, dict):
        return {_text(k): _text(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_text(v) for v in value]
    return value


def record_event(request, action: str, *, summary: str = "", user=None, force=None, obj=None, **data):
    user = user if user is not None else getattr(request, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    return AuditEvent.objects.create(
        user=user if authenticated else None,
        username=_text((user.get_username() if authenticated else data.pop("username", "")) or ""),
        force=force if force is not None else getattr(request, "force", None),
        action=action,
        summary=_text(str(summary))[:500],
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=_text(data),
        method=(request.method or "") if request is not None else "",
        path=_text(request.path or "")[:500] if request is not None else "",
        ip_address=client_ip(request) if request is not None else None,
        request_id=request_id(request) if request is not None else "",
    )
