from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from frontend.forms import GovukDateInput, GovukFormMixin
from frontend.i18n import localised_html

from .models import WELSH_VERSION_FIELDS, BilingualLayout, LetterLanguage, ResponseVersion

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

    def __init__(self, *args, sections=(), welsh=False, **kwargs):
        # One field per recommendation, added before the form is built so that GovukFormMixin
        # styles them and validation sees them like the declared fields. Forces under the Welsh
        # Language Standards also get the Welsh twins and the choice of the letter's language.
        self.welsh = welsh
        extra = _welsh_fields() if welsh else {}
        self.section_fields, self.section_cy_fields = [], []
        for section in sections:
            name = f"section_{section.recommendation_id}"
            extra[name] = forms.CharField(
                label=section.recommendation.label,
                help_text=localised_html(section.recommendation, "text"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                max_length=MAX_TEXT,
                initial=section.text,
            )
            self.section_fields.append(name)
            if welsh:
                name_cy = f"section_cy_{section.recommendation_id}"
                extra[name_cy] = forms.CharField(
                    label=_("%(recommendation)s in Welsh") % {"recommendation": section.recommendation.label},
                    help_text=section.recommendation.text_cy
                    or _(
                        "No Welsh text of this recommendation is published: the letter shows it in English."
                    ),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 8, "lang": "cy"}),
                    max_length=MAX_TEXT,
                    initial=section.text_cy,
                )
                self.section_cy_fields.append(name_cy)
        self.base_fields = {**type(self).base_fields, **extra}
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not self.welsh:
            # The choice is not offered; a crafted request asking for Welsh is refused, not ignored.
            if self.data.get("letter_language") not in (None, "", LetterLanguage.ENGLISH):
                raise forms.ValidationError(
                    _(
                        "This force is not under the Welsh Language Standards: its letters are in English only."
                    ),
                    code="english_only",
                )
            return data
        for name in ("letter_language", "bilingual_layout"):
            if not data.get(name):
                data.pop(name, None)  # not posted: the version keeps its choice
        return data

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
                *WELSH_VERSION_FIELDS,
                "letter_language",
                "bilingual_layout",
            )
        }
        initial["chief_comments_due_on"] = response.chief_comments_due_on
        initial["expected_version"] = version.number
        return initial

    def section_texts(self) -> dict[int, str]:
        return {int(name.removeprefix("section_")): self.cleaned_data[name] for name in self.section_fields}

    def section_texts_cy(self) -> dict[int, str]:
        return {
            int(name.removeprefix("section_cy_")): self.cleaned_data[name] for name in self.section_cy_fields
        }

    def section_bound_fields(self):
        """(English field, Welsh field or None) per recommendation, in order."""
        return [
            (self[name], self[f"section_cy_{name.removeprefix('section_')}"] if self.welsh else None)
            for name in self.section_fields
        ]


def _welsh_text(label, rows, max_length=MAX_TEXT, widget=None):
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=widget or forms.Textarea(attrs={"rows": rows, "lang": "cy"}),
    )


def _welsh_fields() -> dict:
    """The Welsh twins of the letter's parts and the letter's language (new fields per form)."""
    return {
        "letter_language": forms.ChoiceField(
            label=_("Language of the letter"),
            help_text=_("Under the Welsh Language Standards a bilingual letter puts the Welsh first."),
            choices=LetterLanguage.choices,
            initial=LetterLanguage.ENGLISH,
            required=False,
            widget=forms.RadioSelect,
        ),
        "bilingual_layout": forms.ChoiceField(
            label=_("Layout of a bilingual letter"),
            choices=BilingualLayout.choices,
            initial=BilingualLayout.SIDE_BY_SIDE,
            required=False,
            widget=forms.RadioSelect,
        ),
        "addressee_cy": _welsh_text(_("Addressee in Welsh"), 5, max_length=1000),
        "pcc_initial_comments_cy": _welsh_text(_("Commissioner's initial comments in Welsh"), 8),
        "chief_officer_comments_cy": _welsh_text(_("Chief officer's comments in Welsh"), 8),
        "pcc_overall_comments_cy": _welsh_text(_("Commissioner's overall comments in Welsh"), 6),
        "signatory_title_cy": _welsh_text(
            _("Signatory's title in Welsh"),
            None,
            max_length=300,
            widget=forms.TextInput(attrs={"lang": "cy"}),
        ),
    }


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
