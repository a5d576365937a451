"""Model choice fields that refuse an id no database column can hold.

Django looks a posted id up as given: "99999999999999999999" made SQLite raise OverflowError and
PostgreSQL a DataError (a 500). Ids are whole numbers from 1 to 2**63 - 1; anything else is the
field's ordinary "select a valid choice" error.
"""

from django import forms
from django.core.exceptions import ValidationError

MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """`value` as a database id, or None if it cannot be one."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID else None


def _is_id(value) -> bool:
    return as_id(value) is not None


class IdModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not _is_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not _is_id(item):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                )
        return super()._check_values(value)
