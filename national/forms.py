from django import forms
from django.utils.translation import gettext_lazy as _

from forces.models import Force
from frontend.forms import GovukFormMixin
from recommendations.models import Record

from .dashboard import Filters

ANY = [("", _("Any"))]
OVERDUE_CHOICES = [("", _("Any")), ("yes", _("Overdue only")), ("no", _("Not overdue"))]


class FilterForm(GovukFormMixin, forms.Form):
    """The dashboard's filters. A value that makes no sense is dropped (see `clean_filters`)."""

    country = forms.ChoiceField(label=_("Country"), choices=ANY + Force.Country.choices, required=False)
    commissioner_type = forms.ChoiceField(
        label=_("Commissioner type"), choices=ANY + Force.CommissionerType.choices, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=ANY + Record.Status.choices, required=False)
    overdue = forms.ChoiceField(label=_("Overdue"), choices=OVERDUE_CHOICES, required=False)


def clean_filters(params) -> tuple[Filters, list[str], FilterForm]:
    """Keep the filter values that make sense; return the labels of those ignored."""
    probe = FilterForm(params)
    probe.is_valid()
    ignored = [str(probe.fields[name].label) for name in probe.errors]
    good = {name: value for name, value in probe.cleaned_data.items() if value}
    return Filters(**good), ignored, FilterForm(initial=good)
