"""JSON bodies with a bounded nesting depth.

No API body is deeper than a few levels; a body nested a thousand deep made Python's decoder (or
the code walking it) raise RecursionError, a 500. Bodies deeper than MAX_DEPTH are refused with a
400 before anything reads them, by counting brackets outside strings, which costs one pass.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    depth = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read()
        try:
            text = raw.decode((parser_context or {}).get("encoding") or "utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(_("The request body must be UTF-8 JSON.")) from exc
        if too_deep(text):
            raise ParseError(
                _("The JSON is nested too deeply (at most %(max)s levels).") % {"max": MAX_DEPTH}
            )
        import io

        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("The JSON is nested too deeply.")) from exc
