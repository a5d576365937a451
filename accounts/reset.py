"""Password reset e-mails, limited per address and per client address.

At most PASSWORD_RESET_PER_EMAIL_PER_HOUR e-mails to one address and
PASSWORD_RESET_PER_IP_PER_HOUR requests from one client address an hour. A request over the limit
is refused with a plain message whether or not an account has that address, so the limit tells
nobody which addresses exist.
"""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .client_ip import client_ip
from .models import PasswordResetRequest


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def over_limit(email: str, ip: str | None) -> bool:
    since = timezone.now() - timedelta(hours=1)
    recent = PasswordResetRequest.objects.filter(created_at__gte=since)
    if recent.filter(email_sha256=_digest(email)).count() >= settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR:
        return True
    return bool(ip) and recent.filter(ip_address=ip).count() >= settings.PASSWORD_RESET_PER_IP_PER_HOUR


@transaction.atomic
def note_request(email: str, ip: str | None) -> None:
    PasswordResetRequest.objects.filter(created_at__lt=timezone.now() - timedelta(hours=1)).delete()
    PasswordResetRequest.objects.create(email_sha256=_digest(email), ip_address=ip or None)


class RateLimitedPasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        email = form.cleaned_data["email"]
        ip = client_ip(self.request)  # as the sign-in lock-out reads it (behind trusted proxies)
        if over_limit(email, ip):
            form.add_error(
                "email",
                _("Too many password reset e-mails have been asked for. Wait an hour, then try again."),
            )
            return self.form_invalid(form)
        note_request(email, ip)
        return super().form_valid(form)
