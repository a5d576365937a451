from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from frontend.forms import GovukFormMixin

from .milestones import parse_days
from .models import ForceReminderSettings


class ForceReminderSettingsForm(GovukFormMixin, forms.ModelForm):
    class Meta:
        model = ForceReminderSettings
        fields = [
            "days_before_due",
            "response_days_before",
            "overdue_every_days",
            "escalate_after_days",
            "stale_after_days",
        ]

    def _clean_days(self, name):
        value = self.cleaned_data.get(name, "")
        return ", ".join(str(d) for d in parse_days(value))

    def clean_days_before_due(self):
        return self._clean_days("days_before_due")

    def clean_response_days_before(self):
        return self._clean_days("response_days_before")


class ReminderPreferencesForm(GovukFormMixin, forms.ModelForm):
    email_reminders = forms.BooleanField(
        label=_("Send me reminder e-mails"),
        required=False,
        help_text=_("A digest of what is due for you, at most once a day."),
    )

    class Meta:
        model = User
        fields = ["email_reminders"]
