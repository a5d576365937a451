from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from frontend.forms import GovukDateInput, GovukFormMixin

from .models import ResponseVersion

MAX_TEXT = 20000


class ResponseEditForm(GovukFormMixin, forms.Form):
    """The draft's text: the parts of the letter, plus one field per recommendation."""

    chief_comments_due_on = forms.DateField(
        label=_("Chief officer's comments due"),
        required=False,
        widget=GovukDateInput(),
        help_text=_("The date the OPCC has set for the chief officer's comments (section 55(4))."),
    )
    addressee = forms.CharField(
        label=_("Addressee"), widget=forms.Textarea(attrs={"rows": 5}), max_length=1000
    )
    letter_date = forms.DateField(label=_("Date of the letter"), required=False, widget=GovukDateInput())
    pcc_initial_comments = forms.CharField(
        label=_("Commissioner's initial comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_TEXT,
    )
    chief_officer_comments = forms.CharField(
        label=_("Chief officer's comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_TEXT,
    )
    pcc_overall_comments = forms.CharField(
        label=_("Commissioner's overall comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_TEXT,
    )
    signatory_name = forms.CharField(label=_("Signatory"), max_length=200)
    signatory_title = forms.CharField(label=_("Signatory's title"), max_length=300)
    expected_version = forms.IntegerField(widget=forms.HiddenInput())

    def __init__(self, *args, sections=(), **kwargs):
        # One field per recommendation, added before the form is built so that GovukFormMixin
        # styles them and validation sees them like the declared fields.
        extra = {}
        for section in sections:
            extra[f"section_{section.recommendation_id}"] = forms.CharField(
                label=section.recommendation.label,
                help_text=section.recommendation.text,
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                max_length=MAX_TEXT,
                initial=section.text,
            )
        self.base_fields = {**type(self).base_fields, **extra}
        self.section_fields = list(extra)
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, response, version: ResponseVersion) -> dict:
        initial = {
            name: getattr(version, name)
            for name in (
                "addressee",
                "letter_date",
                "pcc_initial_comments",
                "chief_officer_comments",
                "pcc_overall_comments",
                "signatory_name",
                "signatory_title",
            )
        }
        initial["chief_comments_due_on"] = response.chief_comments_due_on
        initial["expected_version"] = version.number
        return initial

    def section_texts(self) -> dict[int, str]:
        return {int(name.removeprefix("section_")): self.cleaned_data[name] for name in self.section_fields}

    def section_bound_fields(self):
        return [self[name] for name in self.section_fields]


class SignOffForm(GovukFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput())
    content_sha256 = forms.CharField(widget=forms.HiddenInput(), max_length=64)
    confirm = forms.BooleanField(
        label=_("I have read this version and sign it off as the chief officer's response"),
        error_messages={"required": _("Confirm that you have read the version you are signing off")},
    )


class PublishForm(GovukFormMixin, forms.Form):
    published_on = forms.DateField(
        label=_("Date of publication"),
        required=False,
        widget=GovukDateInput(),
        help_text=_("Leave blank for today."),
    )


class HashCheckForm(GovukFormMixin, forms.Form):
    file = forms.FileField(label=_("PDF file to check"), help_text=_("The file is checked and not kept."))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(_("The file is too big to be the letter"))
        return upload
