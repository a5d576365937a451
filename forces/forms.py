"""Forms about forces: the office-holders administrators keep."""

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.forms import GovukDateField, GovukFormMixin

from .models import Force, OfficeHolding


class OfficeHoldingForm(GovukFormMixin, forms.Form):
    office = forms.ChoiceField(
        label=_("Office"),
        choices=OfficeHolding.Office.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the office")},
    )
    commissioner_type = forms.ChoiceField(
        label=_("Commissioner type"),
        choices=[("", _("Not a commissioner"))] + list(Force.CommissionerType.choices),
        required=False,
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_("For example Police and Crime Commissioner for Gwent, or Chief Constable."),
        error_messages={"required": _("Enter the title of the office")},
    )
    name = forms.CharField(
        label=_("Name"), max_length=120, required=False, help_text=_("Leave empty if not known.")
    )
    starts_on = GovukDateField(
        label=_("From"),
        required=False,
        help_text=_("Leave empty if not known."),
    )
    ends_on = GovukDateField(
        label=_("To"),
        required=False,
        help_text=_("Leave empty if still in office."),
    )
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
