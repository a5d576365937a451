"""GOV.UK Design System rendering for Django forms.

Forms inherit GovukFormMixin; templates render fields with {% include "includes/field.html" %}
and errors with "includes/error_summary.html". Widgets get the GOV.UK classes here, once.
"""

from datetime import date

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
    """Adds GOV.UK classes, error states and aria-describedby to every widget.

    Error states are added after validation (full_clean), not in __init__: reading `errors` in
    __init__ would validate before a subclass has set its choices or other per-request state.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + _css_for(widget)).strip()
            if field.help_text and not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-hint"

    def __getitem__(self, name):
        # A form may set help_text after __init__ (from the request's data): point the widget at
        # the hint the template draws, not at Django's own "_helptext" id that nothing carries.
        bound = super().__getitem__(name)
        widget = bound.field.widget
        if bound.field.help_text and not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
            described = widget.attrs.get("aria-describedby", "").split()
            hint_id = f"{bound.auto_id}-hint"
            if bound.auto_id and hint_id not in described:
                widget.attrs["aria-describedby"] = " ".join([hint_id, *described])
        return bound

    def full_clean(self):
        super().full_clean()
        for name in self._errors or {}:
            field = self.fields.get(name)
            if field is None:
                continue
            widget = field.widget
            css = _css_for(widget)
            error_class = {
                "govuk-textarea": "govuk-textarea--error",
                "govuk-select": "govuk-select--error",
                "govuk-file-upload": "govuk-file-upload--error",
            }.get(css.split()[0], "govuk-input--error" if css.startswith("govuk-input") else "")
            if error_class and error_class not in widget.attrs.get("class", ""):
                # A form that set its own widget attrs may have no class yet: start from the GOV.UK one.
                widget.attrs["class"] = f"{widget.attrs.get('class', css)} {error_class}".strip()
            if not isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                described = widget.attrs.get("aria-describedby", "").split()
                error_id = f"id_{self.add_prefix(name)}-error"
                if error_id not in described:
                    widget.attrs["aria-describedby"] = " ".join([*described, error_id])


def _css_for(widget) -> str:
    return next((c for kind, c in _WIDGET_CLASSES.items() if type(widget) is kind), "govuk-input")


class GovukDateInput(forms.MultiWidget):
    """The GOV.UK date input: day, month and year boxes, not the browser's date picker.

    The browser's picker shows the browser's format (mm/dd/yyyy in a US-English browser) and is
    hard to use with some assistive technology; GOV.UK asks for the three numbers. The boxes post
    `<name>_day`, `<name>_month` and `<name>_year`; a post with `<name>` as an ISO date (scripts,
    older pages) still works. An impossible date reaches the field as text and fails its "invalid" check.
    """

    template_name = "includes/widgets/govuk_date.html"
    PARTS = (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))

    def __init__(self, attrs=None):
        widgets = {
            part: forms.TextInput(attrs={"inputmode": "numeric", "maxlength": width})
            for part, _label, width in self.PARTS
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def value_from_datadict(self, data, files, name):
        if data.get(name):
            return data.get(name)
        day, month, year = (
            str(data.get(f"{name}_{part}", "")).strip() for part, _label, _width in self.PARTS
        )
        if not (day or month or year):
            return ""
        try:
            return date(int(year), int(month), int(day)).isoformat()
        except (TypeError, ValueError, OverflowError):  # OverflowError: a day of 10**20 and the like
            return f"{day}/{month}/{year}"

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{part}" in data for part, _label, _width in self.PARTS)

    def id_for_label(self, id_):
        return f"{id_}_day" if id_ else ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        error = "--error" in (self.attrs.get("class", "") + (attrs or {}).get("class", ""))
        base_id = (attrs or {}).get("id") or self.attrs.get("id")
        for widget, (part, label, width) in zip(context["widget"]["subwidgets"], self.PARTS, strict=True):
            widget["label"] = label
            widget["attrs"]["class"] = " ".join(
                ["govuk-input", "govuk-date-input__input", f"govuk-input--width-{width}"]
                + (["govuk-input--error"] if error else [])
            )
            if base_id:
                widget["attrs"]["id"] = f"{base_id}_{part}"
        context["widget"]["base_id"] = base_id
        return context


class GovukDateField(forms.DateField):
    """A date a person types: the GOV.UK day, month and year boxes, and one message for a date
    that does not exist (31 February) or is not a date at all."""

    widget = GovukDateInput
    default_error_messages = {"invalid": _("Enter a real date")}


class LanguagePreferenceForm(GovukFormMixin, forms.Form):
    """The language a signed-in user reads the service (and their e-mails) in."""

    language = forms.ChoiceField(
        label=_("Which language do you want to use the service in?"),
        # English and Welsh only, read when the form is used (tests add a pseudo-language to LANGUAGES).
        choices=lambda: [(code, name) for code, name in settings.LANGUAGES if code in ("en", "cy")],
        widget=forms.RadioSelect,
        error_messages={"required": _("Select the language you want to use the service in")},
    )
