"""Receivers: the request behind every history row, and sign-in events."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from .models import AuditEvent
from .services import record_event, request_reason


@receiver(pre_create_historical_record)
def add_request_to_history(sender, instance, history_instance, **kwargs):
    """simple-history records who (history_user); this adds the request it came from."""
    request = getattr(HistoricalRecords.context, "request", None)
    if request is not None and not history_instance.history_change_reason:
        history_instance.history_change_reason = request_reason(request)


@receiver(user_logged_in)
def signed_in(sender, request, user, **kwargs):
    if request is not None:
        record_event(request, AuditEvent.Action.SIGNED_IN, user=user, summary="Signed in")


@receiver(user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if request is not None and user is not None:
        record_event(request, AuditEvent.Action.SIGNED_OUT, user=user, summary="Signed out")


@receiver(user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is not None:
        username = str(credentials.get("username", ""))[:150]
        record_event(request, AuditEvent.Action.SIGN_IN_FAILED, summary="Sign-in failed", username=username)


@receiver(user_locked_out)
def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    if request is not None:
        record_event(
            request,
            AuditEvent.Action.LOCKED_OUT,
            summary="Locked out after repeated failures",
            username=str(username or "")[:150],
        )
