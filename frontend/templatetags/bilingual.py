"""Bilingual content in templates: {% localised inspection "title" %} and |localised_text.

Interface strings use {% translate %}; these are for published content that carries its own Welsh
version (`<field>_cy`). Where no Welsh version exists a Welsh page shows the English text marked
lang="en" with a note that it is in English only, so screen readers pronounce it right and
readers know why.
"""

from django import template
from django.template.defaultfilters import truncatewords
from django.utils.html import format_html
from django.utils.translation import gettext as _

from frontend.i18n import localised as localise

register = template.Library()


@register.simple_tag
def localised(obj, field, words=None):
    """The field in the page's language as HTML; English fallbacks are marked as such."""
    if obj is None:
        return ""
    value = localise(obj, field)
    text = truncatewords(value.text, words) if words else value.text
    if not value.is_fallback:
        return text  # autoescaped by the template engine
    return format_html(
        '<span lang="en">{}</span> <span class="app-lang-fallback">{}</span>',
        text,
        _("(in English only)"),
    )


@register.filter
def localised_text(obj, field):
    """The field in the page's language as plain text (for titles, attributes, blocktranslate)."""
    if obj is None:
        return ""
    return localise(obj, field).text
