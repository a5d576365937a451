from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from frontend.forms import GovukDateField, GovukDateInput, GovukFormMixin
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
    salutation = forms.CharField(
        label=_("Salutation"),
        required=False,
        max_length=200,
        help_text=_(
            "Leave blank to greet the addressee by office: Dear Home Secretary, Dear HM Chief Inspector. "
            "Otherwise it is used as written, for example Dear Sir Andy."
        ),
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
                "salutation",
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
        "salutation_cy": _welsh_text(
            _("Salutation in Welsh"), None, max_length=200, widget=forms.TextInput(attrs={"lang": "cy"})
        ),
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


class LedgerForm(GovukFormMixin, forms.Form):
    """The s55 steps OPCC staff record from their own papers. Copies are recorded by the sending task."""

    chief_invited_on = GovukDateField(
        label=_("Date the chief officer was invited to comment"),
        required=False,
    )
    chief_comments_due_on = GovukDateField(
        label=_("Date by which the chief officer was asked to comment"),
        required=False,
        help_text=_("Section 55(4): the date given in the invitation."),
    )
    chief_comments_received_on = GovukDateField(
        label=_("Date the chief officer's comments were received"),
        required=False,
    )
    chief_comments_received_from = forms.CharField(
        label=_("Who gave the chief officer's comments"),
        required=False,
        max_length=200,
        help_text=_("For example T/ACC Richard Ocone, for the Chief Constable."),
    )
    pcc_signed_on = GovukDateField(
        label=_("Date the commissioner signed their comments"),
        required=False,
    )
    published_url = forms.URLField(
        label=_("Web address where the commissioner published the response"),
        required=False,
        max_length=200,
        assume_scheme="https",
        error_messages={"invalid": _("Enter a web address, like https://www.example.org/response")},
    )


class LetterheadForm(GovukFormMixin, forms.Form):
    """The force's letterhead: office, address and contacts, reference, footer, logo and signature."""

    office_name = forms.CharField(
        label=_("Office name"),
        required=False,
        max_length=200,
        help_text=_("For example, Office of the Police and Crime Commissioner for Gwent."),
    )
    address = forms.CharField(
        label=_("Office address"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 5})
    )
    telephone = forms.CharField(label=_("Telephone"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https")
    reference_prefix = forms.RegexField(
        label=_("Reference prefix"),
        required=False,
        max_length=20,
        regex=r"^[A-Za-z0-9/-]+$",
        help_text=_("Letters, digits, hyphens and slashes, for example OPCC-GWENT."),
        error_messages={
            "invalid": _("Use only letters, digits, hyphens and slashes in the reference prefix")
        },
    )
    footer = forms.CharField(
        label=_("Footer"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Printed at the end of every letter, for example a note on data protection."),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("A PNG or SVG image, at most 1 MB and 4,000 pixels on each side."),
        widget=forms.FileInput(attrs={"accept": ".png,.svg,image/png,image/svg+xml"}),
    )
    logo_alt = forms.CharField(
        label=_("Description of the logo"),
        required=False,
        max_length=200,
        help_text=_("Read out by screen readers, for example the crest of the commissioner's office."),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    signatory_name = forms.CharField(
        label=_("Signatory"),
        required=False,
        max_length=200,
        help_text=_("The person whose signature you upload below."),
    )
    signature = forms.FileField(
        label=_("Signature"),
        required=False,
        help_text=_("A PNG or SVG image of the signature. It is printed only on signed letters."),
        widget=forms.FileInput(attrs={"accept": ".png,.svg,image/png,image/svg+xml"}),
    )

    def __init__(self, *args, welsh=False, **kwargs):
        extra = {}
        if welsh:
            extra["office_name_cy"] = forms.CharField(
                label=_("Office name in Welsh"),
                required=False,
                max_length=200,
                widget=forms.TextInput(attrs={"lang": "cy"}),
            )
            extra["footer_cy"] = forms.CharField(
                label=_("Footer in Welsh"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 3, "lang": "cy"}),
            )
        fields = dict(type(self).base_fields)
        ordered = {}
        for name, field in fields.items():
            ordered[name] = field
            if name == "office_name" and "office_name_cy" in extra:
                ordered["office_name_cy"] = extra["office_name_cy"]
            if name == "footer" and "footer_cy" in extra:
                ordered["footer_cy"] = extra["footer_cy"]
        self.base_fields = ordered
        super().__init__(*args, **kwargs)

    def _image(self, name):
        from .images import check_image

        upload = self.cleaned_data.get(name)
        if not upload:
            return None
        try:
            return check_image(upload)
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.messages) from exc

    def clean_logo(self):
        return self._image("logo")

    def clean_signature(self):
        return self._image("signature")

    def clean(self):
        data = super().clean()
        if data.get("signature") and not (data.get("signatory_name") or "").strip():
            self.add_error("signatory_name", _("Enter the name of the signatory whose signature this is"))
        return data
