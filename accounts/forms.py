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

    def confirm_login_allowed(self, user):
        """A force that switched password sign-in off signs its people in through its provider only."""
        super().confirm_login_allowed(user)
        from .models import IdentityProvider

        provider = (
            IdentityProvider.objects.filter(
                force__memberships__user=user, enabled=True, password_sign_in=False
            )
            .select_related("force")
            .first()
        )
        if provider is not None:
            from audit.models import AuditEvent
            from audit.services import record_event

            record_event(
                self.request,
                AuditEvent.Action.SIGN_IN_FAILED,
                summary="Refused: password sign-in is off for the force",
                user=user,
                force=provider.force,
                area="people",
                refused=True,
            )
            raise forms.ValidationError(
                _("%(force)s signs in with its own accounts. Use “Sign in with %(name)s”.")
                % {"force": provider.force.local_name, "name": provider.display_name},
                code="password_sign_in_off",
            )


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


class InviteForm(GovukFormMixin, forms.Form):
    """Who to invite and in which role; the roles offered are the ones the inviter may give."""

    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The invitation goes to this address, and only this address can use it."),
        max_length=254,
        error_messages={
            "required": _("Enter the e-mail address of the person to invite"),
            "invalid": _("Enter an e-mail address in the correct format, like name@example.org"),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"), widget=forms.RadioSelect, error_messages={"required": _("Choose a role")}
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = list(roles)
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        self.fields["role"].error_messages["invalid_choice"] = _("You cannot give that role.")


class RoleForm(GovukFormMixin, forms.Form):
    role = forms.ChoiceField(
        label=_("Role"), widget=forms.RadioSelect, error_messages={"required": _("Choose a role")}
    )

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = list(roles)
        self.fields["role"].error_messages["invalid_choice"] = _("You cannot give that role.")


class ConfirmForm(GovukFormMixin, forms.Form):
    """A confirmation with no fields: it carries a refusal as the error summary's message."""


class AcceptInvitationForm(GovukFormMixin, forms.Form):
    """The invited person's name and password; the username and e-mail are the invited address."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, error_messages={"required": _("Enter your first name")}
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, error_messages={"required": _("Enter your last name")}
    )
    password1 = forms.CharField(
        label=_("Create a password"),
        help_text=_("At least 12 characters. Avoid common words and your name."),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Create a password")},
    )
    password2 = forms.CharField(
        label=_("Confirm your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Enter the password again")},
    )

    def __init__(self, *args, email="", **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)
        for name in ("password1", "password2"):
            self.fields[name].widget.attrs["class"] = "govuk-input"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"

    def clean(self):
        from django.contrib.auth import get_user_model, password_validation

        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords do not match"))
        elif first:
            probe = get_user_model()(
                username=self.email,
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
