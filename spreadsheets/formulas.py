"""The one defence against spreadsheet formula injection, for every CSV and XLSX the service writes.

A cell whose text starts with = + - @ (or a tab or carriage return, which Excel skips before
reading a formula) is run as a formula when the file is opened: a force's free text such as
"=HYPERLINK(...)" must never run in someone's Excel. Spreadsheet programs fold the full-width
forms (＝ ＋ － ＠) to the same characters, so those start formulas too. Such text gets an
apostrophe in front, which Excel shows as text and hides; `unescape` takes it off again on import.
"""

import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def starts_formula(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or unicodedata.normalize("NFKC", text[:1]).startswith(
        FORMULA_STARTS
    )


def escape_formula(value):
    """`value` with an apostrophe in front if it is text that a spreadsheet would run; any other
    value (a number, a date, None) unchanged."""
    if isinstance(value, str) and value and starts_formula(value):
        return "'" + value
    return value


def unescape_formula(value: str) -> str:
    """Undo `escape_formula`, so that an export imported back is exact."""
    if len(value) > 1 and value[0] == "'" and starts_formula(value[1:]):
        return value[1:]
    return value
