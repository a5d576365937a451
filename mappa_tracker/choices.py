"""Choice labels looked up, not rebuilt on every call.

Django's ``get_FOO_display()`` builds a dictionary of all of a field's choices on each call and, to
hash them, translates every label: one status tag cost a dozen catalogue lookups, and lists show a
tag, a kind and a rating on every row. ``ChoiceLabels`` builds each field's labels once per
language and looks the value up; the answer is the same as Django's (the label in the active
language, or the value itself when it is not a choice).
"""

from functools import lru_cache

from django.utils.encoding import force_str
from django.utils.translation import get_language


@lru_cache(maxsize=512)
def choice_labels(field, language: str | None) -> dict:
    """A field's choices as {value: label}, the labels translated into `language` (the active one)."""
    return {value: force_str(label) for value, label in field.flatchoices}


class ChoiceLabels:
    """Mixed into a model before ``models.Model``: its ``get_FOO_display()`` methods look labels up."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = choice_labels(field, get_language()).get(value, value)
        except TypeError:  # an unhashable value: Django's own way copes with it
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
