"""What changed between two versions of a response: a word-level diff of every part of the letter.

The chief officer compares what they are asked to sign with the version they (or a predecessor)
signed before. Each part is diffed by words (whitespace kept), so a changed word shows as one
deletion and one insertion; templates mark them with <del>/<ins> and visually hidden labels, so
the change is not shown by colour alone.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from .models import ResponseVersion

_TOKENS = re.compile(r"\s+|[^\s]+")

# The parts of a version, in the order of the letter, with their labels.
VERSION_PARTS = (
    ("addressee", _("Addressee")),
    ("addressee_cy", _("Addressee (Welsh)")),
    ("letter_date", _("Date of the letter")),
    ("pcc_initial_comments", _("Commissioner's initial comments")),
    ("pcc_initial_comments_cy", _("Commissioner's initial comments (Welsh)")),
    ("chief_officer_comments", _("Chief officer's comments")),
    ("chief_officer_comments_cy", _("Chief officer's comments (Welsh)")),
    ("pcc_overall_comments", _("Commissioner's overall comments")),
    ("pcc_overall_comments_cy", _("Commissioner's overall comments (Welsh)")),
    ("signatory_name", _("Signatory")),
    ("signatory_title", _("Signatory's title")),
    ("signatory_title_cy", _("Signatory's title (Welsh)")),
    ("letter_language", _("Language of the letter")),
)


@dataclass
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str


@dataclass
class PartChange:
    label: str
    segments: list[Segment] = field(default_factory=list)
    lang: str = "en"

    @property
    def changed(self) -> bool:
        return any(s.op != "equal" for s in self.segments)


def word_diff(old: str, new: str) -> list[Segment]:
    """Segments that turn `old` into `new`, word by word."""
    from difflib import SequenceMatcher

    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    segments: list[Segment] = []

    def add(op, tokens):
        text = "".join(tokens)
        if not text:
            return
        if segments and segments[-1].op == op:
            segments[-1].text += text
        else:
            segments.append(Segment(op, text))

    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            add("equal", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return segments


def _text(version, name) -> str:
    value = getattr(version, name) if version is not None else ""
    if name == "letter_language" and version is not None:
        return str(version.get_letter_language_display())
    if hasattr(value, "isoformat"):
        return value.strftime("%-d %B %Y")
    return value or ""


def last_signed_before(version: ResponseVersion) -> ResponseVersion | None:
    """The latest signed version of the same response older than `version`."""
    return (
        ResponseVersion.objects.filter(
            response_id=version.response_id, signed_off_at__isnull=False, number__lt=version.number
        )
        .select_related("signed_off_by")
        .order_by("-number")
        .first()
    )


def compare(
    old: ResponseVersion, new: ResponseVersion, old_sections=None, new_sections=None
) -> list[PartChange]:
    """Every part and every recommendation's section of `new` against `old` (changed or not)."""
    if old_sections is None:
        old_sections = list(old.sections.select_related("recommendation"))
    if new_sections is None:
        new_sections = list(new.sections.select_related("recommendation"))
    parts = []
    for name, label in VERSION_PARTS:
        before, after = _text(old, name), _text(new, name)
        if before or after:
            parts.append(
                PartChange(str(label), word_diff(before, after), "cy" if name.endswith("_cy") else "en")
            )
    old_by_rec = {s.recommendation_id: s for s in old_sections}
    for section in new_sections:
        before = old_by_rec.pop(section.recommendation_id, None)
        label = section.recommendation.label
        parts.append(PartChange(label, word_diff(before.text if before else "", section.text)))
        if section.text_cy or (before and before.text_cy):
            parts.append(
                PartChange(
                    str(_("%(label)s (Welsh)") % {"label": label}),
                    word_diff(before.text_cy if before else "", section.text_cy),
                    "cy",
                )
            )
    for removed in old_by_rec.values():
        parts.append(PartChange(removed.recommendation.label, word_diff(removed.text, "")))
    return parts


def summary(changes: list[PartChange]) -> dict:
    """Template context for includes/changes.html."""
    return {
        "changes": changes,
        "any_changed": any(part.changed for part in changes),
        "unchanged_labels": [part.label for part in changes if not part.changed],
    }
