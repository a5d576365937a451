"""A GOV.UK select rendered in Python: Django's Select widget renders one sub-template per option,
which made the filter forms of long lists (an option per inspection and per owner) most of a page's
rendering time. Same markup as includes/field.html for a select.
"""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def govuk_select(field):
    """<div class="govuk-form-group"> with label, hint, errors and the select of a bound ChoiceField."""
    chosen = {str(v) for v in (field.value() if isinstance(field.value(), list | tuple) else [field.value()])}
    chosen.discard("None")
    auto_id = field.auto_id
    described = []
    hint = error = ""
    if field.help_text:
        hint = format_html('<div id="{}-hint" class="govuk-hint">{}</div>', auto_id, field.help_text)
        described.append(f"{auto_id}-hint")
    if field.errors:
        error = format_html_join(
            "",
            '<p id="{}-error" class="govuk-error-message"><span class="govuk-visually-hidden">{}</span> {}</p>',
            ((auto_id, _("Error:"), message) for message in field.errors),
        )
        described.append(f"{auto_id}-error")
    options = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if str(value) in chosen else "", label)
            for value, label in field.field.choices
        ),
    )
    return format_html(
        '<div class="govuk-form-group{}"><label class="govuk-label govuk-label--s" for="{}">{}</label>{}{}'
        '<select class="govuk-select{}" id="{}" name="{}"{}>{}</select></div>',
        " govuk-form-group--error" if field.errors else "",
        auto_id,
        field.label,
        hint,
        error,
        " govuk-select--error" if field.errors else "",
        auto_id,
        field.html_name,
        format_html(' aria-describedby="{}"', " ".join(described)) if described else "",
        options,
    )


# Widgets includes/field.html draws with a label, hint, errors and the widget (its last branch).
_PLAIN_WIDGETS = frozenset(
    {
        "text",
        "password",
        "email",
        "number",
        "url",
        "textarea",
        "select",
        "selectmultiple",
        "clearablefile",
        "file",
    }
)


@register.filter
def is_plain_widget(widget_type) -> bool:
    return widget_type in _PLAIN_WIDGETS


@register.simple_tag
def govuk_plain_field(field, label_class="", is_page_heading=False):
    """The last branch of includes/field.html in Python, same markup: the form group of a field
    drawn as one widget (text, password, e-mail, number, textarea, select, file)."""
    auto_id = field.auto_id
    label = format_html(
        '<label class="govuk-label {}" for="{}">{}</label>',
        label_class or "govuk-label--s",
        field.id_for_label,
        field.label,
    )
    if is_page_heading:
        label = format_html('<h1 class="govuk-label-wrapper">{}</h1>', label)
    hint = (
        format_html('<div id="{}-hint" class="govuk-hint">{}</div>', auto_id, field.help_text)
        if field.help_text
        else ""
    )
    errors = format_html_join(
        "",
        '<p id="{}-error" class="govuk-error-message"><span class="govuk-visually-hidden">{}</span> {}</p>',
        ((auto_id, _("Error:"), message) for message in field.errors),
    )
    return format_html(
        '<div class="govuk-form-group{}">\n  {}\n  {}\n  {}\n  {}\n</div>',
        " govuk-form-group--error" if field.errors else "",
        label,
        hint,
        errors,
        field.as_widget(),
    )
