"""An inspection report's findings out of its text: recommendations, areas for improvement, causes of
concern, with their numbers as published, lead-ins (and so addressees) and timescales.

Pure functions over `reading.Line`s, like `mapping`. Numbers are kept as published (a list of 14, 15,
18 and 19 stays so: an excerpt skips numbers). A number is changed only where the document itself
shows a slip, and then flagged with the number printed: an item whose text the document numbers
otherwise elsewhere ("Recommendation 18" over the same text in a table above), an item that repeats
or goes back on a number, and the items squeezed between such fixed numbers (Gloucestershire's
copy of the MAPPA list prints 16 to 19 as 17 to 20).
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from .mapping import DATE_RE, LEAD_IN_RE, SEE_ABOVE_RE, find_dates, norm
from .reading import Line

KINDS = {
    "recommendation": re.compile(r"^recommendations?\b", re.I),
    "area_for_improvement": re.compile(r"^areas? for improvement\b", re.I),
    "cause_of_concern": re.compile(r"^causes? of concern\b", re.I),
}
ITEM_RE = re.compile(r"^\s*[-–]?\s*(\d{1,3})\s*[.)]\s+(.*\S)")
WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "nine": 9, "twelve": 12, "eighteen": 18}
MONTHS_RE = re.compile(r"\bwithin\s+(\d{1,2}|" + "|".join(WORDS) + r")\s+months\b", re.I)
BY_DATE_RE = re.compile(r"\bby\s+(" + DATE_RE.pattern[2:-2] + r")", re.I)
INSPECTORATE_RE = re.compile(
    r"\b(?:HM|Her Majesty's|His Majesty's)\s+Inspectorate\s+of\s+[A-Z][\w ,&]+?(?=[,.;)]|\s+and\s+(?:HM|Her|His)\b|$)"
)
# Other ways a lead-in names an addressee, by a word of the addressee's own name or code.
SYNONYMS = [
    ("police", [r"police forces?", r"chief constables?", r"forces", r"chief officers"]),
    ("home office", [r"home office", r"home secretary"]),
    ("college of policing", [r"college of policing"]),
    ("npcc", [r"npcc", r"national police chiefs'?’? council"]),
    ("police and crime commissioners", [r"police(?:,)? (?:fire )?and crime commissioners", r"pccs"]),
    ("hmpps", [r"hmpps", r"(?:his|her) majesty'?’?s prison and probation service"]),
]
HEADING_RE = re.compile(r"^recommendation\s+(\d{1,3})\b\s*[:.\-–—]?\s*(.*)$", re.I)


def _name_patterns(slug: str, name: str) -> list[str]:
    """Patterns for one addressee: its name (less "The" and a leading code), plural or not, its synonyms."""
    words = re.sub(r"^the\s+", "", name.strip(), flags=re.I).split()
    forms = [" ".join(words)]
    if len(words) > 2 and words[0].isupper():
        forms.append(" ".join(words[1:]))  # "HMPPS Public Protection Group": "Public Protection Group"
    patterns = [re.escape(f).replace(r"\ ", r"\s+") + "s?" for f in forms if f]
    plain = " ".join(words).casefold()
    keys = {slug.casefold(), slug.casefold().replace("-", " "), plain}
    for concept, extra in SYNONYMS:
        if concept in keys or any(re.fullmatch(pattern, plain) for pattern in extra):
            patterns.extend(extra)
    return patterns


@dataclass
class Finding:
    kind: str
    number: int
    text: str
    lead_in: str = ""
    addressees: list[str] = field(default_factory=list)
    timescale_months: int | None = None
    due_on: date | None = None
    printed: int | None = None  # the number as printed, when the document shows it slipped

    @property
    def flagged(self) -> bool:
        return self.printed is not None


@dataclass
class ReportReading:
    title: str
    published_on: date | None
    inspectorates: list[str]
    findings: list[Finding]
    timescale_months: int | None
    timescale_text: str


def addressees_of(lead_in: str, known) -> list[str]:
    """The slugs of the addressees (`known`: (slug, name) pairs, the Addressee table) a lead-in names.

    A name found inside a longer one is not named on its own: "Her Majesty's Prison and Probation
    Service Public Protection Group" names that group, not prisons or the probation service.
    """
    spans = []
    for slug, name in known:
        for pattern in _name_patterns(slug, name):
            for m in re.finditer(rf"\b(?:{pattern})\b", lead_in, re.I):
                spans.append((m.start(), m.end(), slug))
    for _concept, extra in SYNONYMS:  # a longer known phrase that is no addressee still hides its words
        for pattern in extra:
            for m in re.finditer(rf"\b(?:{pattern})\b", lead_in, re.I):
                spans.append((m.start(), m.end(), None))
    found = []
    for start, end, slug in spans:
        inside = any(s <= start and end <= e and (e - s) > (end - start) for s, e, _x in spans)
        if slug and not inside and slug not in found:
            found.append(slug)
    return sorted(found, key=lambda slug: min(s for s, _e, x in spans if x == slug))


def timescale_of(text: str) -> tuple[int | None, date | None]:
    months = MONTHS_RE.search(text)
    if months:
        value = months.group(1).lower()
        return (int(value) if value.isdigit() else WORDS[value]), None
    by = BY_DATE_RE.search(text)
    if by:
        dates = find_dates(by.group(1))
        return None, dates[0] if dates else None
    return None, None


def _anchors(lines: list[Line]) -> list[tuple[int, str]]:
    """(number, text) of each "Recommendation N" heading with its text: the document's own numbering."""
    out = []
    for k, line in enumerate(lines):
        m = HEADING_RE.match(line.text.strip())
        if not m:
            continue
        text = m.group(2).strip()
        if not text and k + 1 < len(lines) and not HEADING_RE.match(lines[k + 1].text):
            text = lines[k + 1].text.strip()
        if len(text) > 20:
            out.append((int(m.group(1)), norm(text)))
    return out


def _renumber(items: list[Finding], anchors: list[tuple[int, str]]) -> None:
    """Keep each printed number unless the document shows a slip (see the module's docstring)."""
    fixed: list[int | None] = []
    for item in items:
        scored = [(fuzz.ratio(norm(item.text), text), number) for number, text in anchors]
        best = max(scored, default=(0, None))
        fixed.append(best[1] if best[0] >= 90 else None)
    last_fixed_at, prev = -1, 0
    for i, item in enumerate(items):
        if fixed[i] is not None:
            item.number, prev, last_fixed_at = fixed[i], fixed[i], i
            continue
        printed = item.number
        ahead = next(((j, fixed[j]) for j in range(i + 1, len(items)) if fixed[j] is not None), None)
        if printed > prev and (ahead is None or printed < ahead[1]):
            prev = printed
            continue
        # A slip. Squeezed between two numbers the document fixes, with exactly the room they need,
        # the items in between take the numbers in order; otherwise this one follows its predecessor.
        if ahead is not None:
            window = range(last_fixed_at + 1, ahead[0])
            low = items[last_fixed_at].number if last_fixed_at >= 0 else 0
            if ahead[1] - low - 1 == len(window):
                for offset, j in enumerate(window):
                    items[j].number = low + 1 + offset
                prev = items[i].number
                continue
        item.number = prev + 1
        prev = item.number
    for item in items:
        item.printed = item.printed if item.printed != item.number else None


def read_report(lines: list[Line], addressees=()) -> ReportReading:
    """The report's findings; `addressees` are the known (slug, name) pairs a lead-in is matched to."""
    counts = Counter(line.text for line in lines if len(line.text) > 25)
    repeated = {
        text
        for text, n in counts.items()
        if n > 1 and not ITEM_RE.match(text) and not LEAD_IN_RE.search(text)
    }
    kind = "recommendation"
    lead_in = ""
    findings: list[Finding] = []
    timescale_months, timescale_text = None, ""
    for line in lines:
        text = line.text.strip()
        if text in repeated or text in {"-", "–", "Ends/."}:
            continue
        for name, pattern in KINDS.items():
            if pattern.match(text) and len(text) < 80 and not ITEM_RE.match(text):
                kind = name
        months, due = timescale_of(text)
        if (months or due) and not ITEM_RE.match(text) and not timescale_text:
            timescale_months, timescale_text = months, text
        if LEAD_IN_RE.search(text) and len(text) < 200 and not ITEM_RE.match(text):
            lead_in = text
            continue
        item = ITEM_RE.match(text)
        if not item:
            continue
        printed, body = int(item.group(1)), SEE_ABOVE_RE.sub("", item.group(2).strip())
        if any(
            f.kind == kind and f.printed == printed and fuzz.ratio(norm(f.text), norm(body)) >= 90
            for f in findings
        ):
            continue  # the same finding quoted again (a form that lists them, then answers them)
        finding = Finding(
            kind=kind,
            number=printed,
            text=body,
            lead_in=lead_in,
            addressees=addressees_of(lead_in, addressees),
            printed=printed,
        )
        finding.timescale_months, finding.due_on = timescale_of(body)
        findings.append(finding)
    anchors = _anchors(lines)
    for name in KINDS:
        _renumber([f for f in findings if f.kind == name], anchors if name == "recommendation" else [])
    head = [line.text for line in lines[:40]]
    title = next((t for t in head if len(t) > 20 and not DATE_RE.search(t) and not ITEM_RE.match(t)), "")
    dates = [d for t in head for d in find_dates(t)]
    inspectorates = []
    for t in head:
        for m in INSPECTORATE_RE.finditer(t):
            name = m.group(0).strip()
            if name not in inspectorates:
                inspectorates.append(name)
    return ReportReading(
        title=title,
        published_on=dates[0] if dates else None,
        inspectorates=inspectorates,
        findings=findings,
        timescale_months=timescale_months,
        timescale_text=timescale_text,
    )
