"""GOV.UK Design System rendering for Django forms.

Forms inherit GovukFormMixin; templates render fields with {% include "includes/field.html" %}
and errors with "includes/error_summary.html". Widgets get the GOV.UK classes here, once.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select",
    forms.ClearableFileInput: "govuk-file-upload",
    forms.FileInput: "govuk-file-upload",
    forms.RadioSelect: "govuk-radios__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.DateInput: "govuk-input govuk-input--width-10",
}


class GovukFormMixin:
    """Adds GOV.UK classes, error states and aria-describedby to every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = next((c for kind, c in _WIDGET_CLASSES.items() if type(widget) is kind), None)
            if css is None:
                css = "govuk-input"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()
            described = []
            if field.help_text:
                described.append(f"id_{self.add_prefix(name)}-hint")
            if self.is_bound and name in self.errors:
                described.append(f"id_{self.add_prefix(name)}-error")
                error_class = {
                    "govuk-textarea": "govuk-textarea--error",
                    "govuk-select": "govuk-select--error",
                    "govuk-file-upload": "govuk-file-upload--error",
                }.get(css.split()[0], "govuk-input--error" if css.startswith("govuk-input") else "")
                if error_class:
                    widget.attrs["class"] += " " + error_class
            if described and not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs["aria-describedby"] = " ".join(described)


class GovukDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class LanguagePreferenceForm(GovukFormMixin, forms.Form):
    """The language a signed-in user reads the service (and their e-mails) in."""

    language = forms.ChoiceField(
        label=_("Which language do you want to use the service in?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the language you want to use the service in")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
