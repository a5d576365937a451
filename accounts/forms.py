from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from frontend.forms import GovukFormMixin


class SignInForm(GovukFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
        "inactive": _("This account is inactive."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password", "class": "govuk-input"}
        )
        self.fields["username"].error_messages["required"] = _("Enter your username")
        self.fields["password"].error_messages["required"] = _("Enter your password")


class PasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = _("Enter your e-mail address")
        self.fields["email"].error_messages["invalid"] = _(
            "Enter an e-mail address in the correct format, like name@example.org"
        )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        """Queue the e-mail through the outbox: the page answers even while the broker is down."""
        from outbox.services import enqueue

        from .tasks import send_password_reset

        enqueue(
            send_password_reset,
            user_id=context["user"].pk,
            domain=context["domain"],
            protocol=context["protocol"],
        )


class SetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    def save(self, commit=True):
        user = super().save(commit=commit)
        # A new password is the way out of a lock-out: the account's failed attempts are cleared.
        from axes.utils import reset

        reset(username=user.get_username())
        return user


class TokenForm(GovukFormMixin, forms.Form):
    """A six-digit code from the user's authenticator app."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6-digit code, for example 123456"),
        max_length=8,
        error_messages={"required": _("Enter the code from your authenticator app")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["otp_token"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        )
        self.fields["otp_token"].widget.attrs["class"] += " govuk-input--width-5"

    def clean_otp_token(self):
        value = self.cleaned_data["otp_token"].replace(" ", "")
        if not (value.isascii() and value.isdigit()) or len(value) != 6:
            raise forms.ValidationError(_("Enter the 6-digit code from your authenticator app"))
        return value
