"""Who must use two-factor sign-in, and the views that set it up and check it (django-otp TOTP)."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.generic import FormView
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from audit.services import record_event
from forces.models import Membership

from .forms import TokenForm


def two_factor_required(user) -> bool:
    """Chief officers, OPCC administrators, the national team and administrators, when
    settings.OTP_REQUIRED is on."""
    if not settings.OTP_REQUIRED or not user.is_authenticated:
        return False
    return bool(
        user.is_superuser
        or user.is_staff
        or user.is_national_team
        or user.memberships.filter(
            role__in=[Membership.Role.CHIEF_OFFICER, Membership.Role.OPCC_ADMIN]
        ).exists()
    )


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class VerifyView(FormView):
    """After the password: the code from the user's authenticator app."""

    template_name = "accounts/two_factor_verify.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if not has_device(request.user):
            return redirect("accounts:two-factor-setup")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(next=_next_url(self.request), **kwargs)

    def form_valid(self, form):
        device = match_token(self.request.user, form.cleaned_data["otp_token"])
        if device is None:
            form.add_error("otp_token", _("The code is wrong or has expired. Enter the code showing now."))
            return self.form_invalid(form)
        otp_login(self.request, device)
        record_event(self.request, AuditEvent.Action.TWO_FACTOR_VERIFIED, summary="Two-factor check passed")
        return redirect(_next_url(self.request))


class SetupView(FormView):
    """First sign-in of someone who needs two-factor: scan a QR code, then enter a code to confirm."""

    template_name = "accounts/two_factor_setup.html"
    form_class = TokenForm

    def dispatch(self, request, *args, **kwargs):
        if has_device(request.user) and not request.user.is_verified():
            return redirect("accounts:two-factor-verify")
        return super().dispatch(request, *args, **kwargs)

    def device(self) -> TOTPDevice:
        device = TOTPDevice.objects.filter(user=self.request.user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=self.request.user, name="Authenticator app", confirmed=False
            )
        return device

    def get_context_data(self, **kwargs):
        device = self.device()
        image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
        buffer = BytesIO()
        image.save(buffer)
        svg = buffer.getvalue().decode()
        svg = svg[svg.index("<svg") :]
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        return super().get_context_data(
            qr_svg=mark_safe(svg),  # noqa: S308 - made here by qrcode from our own URL, no user input
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            next=_next_url(self.request),
            **kwargs,
        )

    def form_valid(self, form):
        device = self.device()
        if not device.verify_token(form.cleaned_data["otp_token"]):
            form.add_error("otp_token", _("The code is wrong or has expired. Enter the code showing now."))
            return self.form_invalid(form)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(self.request, device)
        record_event(self.request, AuditEvent.Action.TWO_FACTOR_SET_UP, summary="Two-factor device set up")
        messages.success(self.request, _("Two-factor sign-in is set up."))
        return redirect(_next_url(self.request))
