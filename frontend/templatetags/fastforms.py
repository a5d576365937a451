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
