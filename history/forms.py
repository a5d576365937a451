from django import forms
from django.utils.translation import gettext_lazy as _

from frontend.forms import GovukDateInput, GovukFormMixin
from recommendations.models import Inspection


class UploadForm(GovukFormMixin, forms.Form):
    inspection = forms.ModelChoiceField(
        label=_("Inspection the response answers"), queryset=Inspection.objects.none(), empty_label=None
    )
    document = forms.FileField(
        label=_("Published response"),
        help_text=_("A PDF with a text layer, a Word document (DOCX), a web page (HTML) or a text file."),
    )

    def __init__(self, *args, force, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = Inspection.objects.with_records(force).order_by("-published_on")


class BatchUploadForm(GovukFormMixin, forms.Form):
    inspection = forms.ModelChoiceField(
        label=_("Inspection the responses answer"), queryset=Inspection.objects.none(), empty_label=None
    )
    letters = forms.FileField(
        label=_("Zip of published responses"),
        help_text=_(
            "A zip file of PDFs with a text layer, Word documents (DOCX), web pages (HTML) or text files, "
            "one response in each. Each is matched to the force it names."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].queryset = Inspection.objects.with_records().order_by("-published_on")


NOT_AN_ANSWER = ""


class CorrectionForm(GovukFormMixin, forms.Form):
    """Where each paragraph goes, and the document's date and authors as the user corrects them."""

    response_date = forms.DateField(label=_("Date of the response"), required=False, widget=GovukDateInput)
    date_unknown = forms.BooleanField(label=_("The document gives no date (date not known)"), required=False)
    pcc_name = forms.CharField(label=_("Commissioner's name"), required=False, max_length=200)
    pcc_title = forms.CharField(label=_("Commissioner's title"), required=False, max_length=300)
    chief_name = forms.CharField(label=_("Chief officer's name"), required=False, max_length=200)
    chief_title = forms.CharField(label=_("Chief officer's title"), required=False, max_length=300)
    chief_dated = forms.DateField(
        label=_("Date of the chief officer's comments"), required=False, widget=GovukDateInput
    )

    def __init__(self, *args, lines: list[int], police: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(NOT_AN_ANSWER, _("Not an answer"))] + [
            (str(n), _("Recommendation %(number)s") % {"number": n}) for n in police
        ]
        self.line_fields = []
        for index in lines:
            name = f"line_{index}"
            self.fields[name] = forms.ChoiceField(label=_("Belongs to"), choices=choices, required=False)
            self.line_fields.append(name)

    def clean(self):
        data = super().clean()
        if not data.get("date_unknown") and not data.get("response_date"):
            self.add_error("response_date", _("Enter the date of the response, or say the date is not known"))
        return data

    def assignments(self) -> dict[int, int | None]:
        out = {}
        for name in self.line_fields:
            value = self.cleaned_data.get(name) or NOT_AN_ANSWER
            out[int(name.removeprefix("line_"))] = int(value) if value else None
        return out


class ReportForm(GovukFormMixin, forms.Form):
    """An inspection report in: read from its file or pasted text, then corrected before the check."""

    report = forms.FileField(
        label=_("The report"),
        required=False,
        help_text=_("A PDF with a text layer, a Word document (DOCX), a web page (HTML) or a text file."),
    )
    pasted = forms.CharField(
        label=_("Or paste its recommendations"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind of inspection"), choices=Inspection.Kind.choices)
    published_on = forms.DateField(label=_("Published on"), required=False, widget=GovukDateInput)
    lead_inspectorate = forms.CharField(label=_("Lead inspectorate"), max_length=200, required=False)
    inspectorates = forms.CharField(
        label=_("All inspectorates"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: every inspectorate that wrote the report, the lead one too."),
    )
    timescale_months = forms.IntegerField(
        label=_("Timescale for recommendations (months)"), min_value=1, max_value=120, required=False
    )
    findings = forms.CharField(
        label=_("Findings as read"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_(
            "One a line: kind | number as published | addressed to (separated by ;) | lead-in | text | timescale in months | due date (YYYY-MM-DD). Correct them here."
        ),
    )

    def clean(self):
        data = super().clean()
        if not (
            data.get("report") or (data.get("pasted") or "").strip() or (data.get("findings") or "").strip()
        ):
            self.add_error("report", _("Upload the report or paste its recommendations"))
        if (data.get("findings") or "").strip():
            if not data.get("title"):
                self.add_error("title", _("Enter the title of the report"))
            if not data.get("published_on"):
                self.add_error("published_on", _("Enter the date the report was published"))
        return data
