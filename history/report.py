"""An inspection report's findings out of its text: recommendations, areas for improvement, causes of
concern, with their numbers as published, lead-ins (and so addressees) and timescales.

Pure functions over `reading.Line`s, like `mapping`. A numbered list that skips a number and then
goes on (Gloucestershire's copy of the MAPPA list jumps from 15 to 17) is taken to have slipped: the
items after the gap are numbered on from the last good number, each flagged with the number printed,
because a report numbers its recommendations without gaps.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from .mapping import DATE_RE, LEAD_IN_RE, SEE_ABOVE_RE, find_dates
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
# Words in a lead-in that name an addressee (the Addressee slugs of the MAPPA fixture).
ADDRESSEE_WORDS = [
    ("hmpps-ppg", re.compile(r"public protection group", re.I)),
    ("mappa-ra-nsg", re.compile(r"national steering group", re.I)),
    ("smb", re.compile(r"strategic management boards?", re.I)),
    ("probation", re.compile(r"\bprobation service\b", re.I)),
    ("police", re.compile(r"\bpolice forces?\b|\bchief constables?\b", re.I)),
    ("prisons", re.compile(r"\bprisons\b", re.I)),
]


@dataclass
class Finding:
    kind: str
    number: int
    text: str
    lead_in: str = ""
    addressees: list[str] = field(default_factory=list)
    timescale_months: int | None = None
    due_on: date | None = None
    printed: int | None = None  # the number as printed, when it was not the report's

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


def addressees_of(lead_in: str) -> list[str]:
    # "HMPPS Public Protection Group" names the Prison and Probation Service, not the probation service.
    found = [slug for slug, pattern in ADDRESSEE_WORDS if pattern.search(lead_in)]
    if "hmpps-ppg" in found:
        found = ["hmpps-ppg"]
    return found


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


def read_report(lines: list[Line]) -> ReportReading:
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
    expected: dict[str, int] = {}
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
        number = printed
        want = expected.get(kind)
        if want is not None and printed > want:
            number = want  # the list skipped a number: the report's own has no gap
        finding = Finding(
            kind=kind,
            number=number,
            text=body,
            lead_in=lead_in,
            addressees=addressees_of(lead_in),
            printed=printed if printed != number else None,
        )
        finding.timescale_months, finding.due_on = timescale_of(body)
        findings.append(finding)
        expected[kind] = number + 1
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
