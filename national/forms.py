from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from forces.models import Force
from frontend.fields import as_id
from frontend.forms import GovukDateInput, GovukFormMixin
from frontend.i18n import localised
from recommendations.models import CLOSURE_STAGES, Inspection, Recommendation, Record

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
    closure = forms.ChoiceField(
        label=_("Closure"),
        choices=ANY + [(key, label) for key, (label, _q) in CLOSURE_STAGES.items()],
        required=False,
    )


def clean_filters(params) -> tuple[Filters, list[str], FilterForm]:
    """Keep the filter values that make sense; return the labels of those ignored."""
    probe = FilterForm(params)
    probe.is_valid()
    ignored = [str(probe.fields[name].label) for name in probe.errors]
    good = {name: value for name, value in probe.cleaned_data.items() if value}
    return Filters(**good), ignored, FilterForm(initial=good)


class RecommendationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{localised(obj.inspection, 'title').text}: {obj.label}"


class SearchForm(GovukFormMixin, forms.Form):
    """The search box and its filters. A filter that makes no sense is reported and left out."""

    q = forms.CharField(label=_("Words to find"), required=False, strip=True)
    force = forms.ModelChoiceField(
        label=_("Force"), queryset=Force.objects.order_by("name"), to_field_name="slug", required=False
    )
    inspection = forms.ModelChoiceField(
        label=_("Inspection"), queryset=Inspection.objects.none(), required=False
    )
    recommendation = RecommendationChoiceField(
        label=_("Recommendation"), queryset=Recommendation.objects.none(), required=False
    )
    date_from = forms.DateField(label=_("Dated from"), required=False, widget=GovukDateInput())
    date_to = forms.DateField(label=_("Dated to"), required=False, widget=GovukDateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .dashboard import police_inspections

        self.fields["inspection"].queryset = police_inspections()
        police = Recommendation.addressees.through.objects.filter(
            recommendation=OuterRef("pk"), addressee__is_police=True
        )
        self.fields["recommendation"].queryset = (
            Recommendation.objects.filter(Exists(police))
            .select_related("inspection")
            .order_by("-inspection__published_on", "inspection_id", "kind", "number")
        )
        self.fields["force"].empty_label = self.fields["inspection"].empty_label = _("Any")
        self.fields["recommendation"].empty_label = _("Any")
        self._offer_recommendations_of_one_inspection()

    def _offer_recommendations_of_one_inspection(self):
        """The recommendation list offers the chosen inspection's recommendations only (the one of
        the chosen recommendation, if no inspection is chosen): every police recommendation of
        every inspection was thousands of options at national scale. Any police recommendation
        is still accepted (a link may name one without its inspection)."""
        field = self.fields["recommendation"]
        inspection, recommendation = (
            as_id(self.data.get("inspection")),
            as_id(self.data.get("recommendation")),
        )
        if inspection is None and recommendation is not None:
            inspection = (
                field.queryset.filter(pk=recommendation).values_list("inspection_id", flat=True).first()
            )
        offered = field.queryset.filter(inspection_id=inspection) if inspection else field.queryset.none()
        field.widget.choices = [
            ("", field.empty_label),
            *((r.pk, field.label_from_instance(r)) for r in offered),
        ]
        if not inspection:
            field.help_text = _("Choose an inspection first, then one of its recommendations.")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return data
