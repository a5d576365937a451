import copy

from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.fields import IdModelChoiceField
from frontend.forms import GovukDateInput, GovukFormMixin
from recommendations.models import Inspection

from .reading import FileRefused, read_table


class SpreadsheetField(forms.FileField):
    def __init__(self, **kwargs):
        super().__init__(
            label=_("Upload a file"),
            help_text=_("A CSV or XLSX file, in the columns below."),
            error_messages={
                "required": _("Select a CSV or XLSX file"),
                "empty": _("The selected file is empty."),
            },
            **kwargs,
        )


class _UploadForm(GovukFormMixin, forms.Form):
    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            # Read once here so that a bad file is a form error; the service reads the kept copy.
            self.table = read_table(upload.read(), upload.name)
        except FileRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        upload.seek(0)
        return upload


class ProgressImportForm(_UploadForm):
    inspection = IdModelChoiceField(
        label=_("Inspection"),
        queryset=Inspection.objects.none(),
        empty_label=None,
        help_text=_("Rows are matched to this inspection's recommendations by number."),
    )
    file = SpreadsheetField()

    def __init__(self, *args, inspections, **kwargs):
        # GovukFormMixin.__init__ validates a bound form at once (it reads self.errors), so the
        # choices must be in place before it runs: set them on this instance's base fields.
        field = copy.deepcopy(self.base_fields["inspection"])
        field.queryset = inspections
        self.base_fields = {**self.base_fields, "inspection": field}
        super().__init__(*args, **kwargs)


class InspectionImportForm(_UploadForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    slug = forms.SlugField(
        label=_("Short name for links"),
        max_length=80,
        required=False,
        help_text=_(
            "An inspection with this short name is updated; otherwise a new one is created. Blank: made from the title."
        ),
    )
    kind = forms.ChoiceField(label=_("Kind of inspection"), choices=Inspection.Kind.choices)
    published_on = forms.DateField(label=_("Published on"), widget=GovukDateInput())
    url = forms.URLField(label=_("Link to the report"), required=False, assume_scheme="https")
    lead_inspectorate = forms.CharField(label=_("Lead inspectorate"), max_length=200, required=False)
    timescale_months = forms.IntegerField(
        label=_("Timescale for recommendations (months)"), min_value=1, max_value=120, required=False
    )
    file = SpreadsheetField()

    def options(self):
        data = {
            k: self.cleaned_data[k]
            for k in ("title", "slug", "kind", "url", "lead_inspectorate", "timescale_months")
        }
        data["published_on"] = self.cleaned_data["published_on"].isoformat()
        return data
