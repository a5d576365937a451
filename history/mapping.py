"""From a document's lines to answers per recommendation, the voices in it and its dates.

Pure functions over `reading.Line`s and the inspection's own recommendations (`RecRef`): no
database, no Django models, so every rule is tested on the seeds directly.

A recommendation is recognised by its printed number ("Recommendation 14", "14.") and by its
printed text, matched fuzzily against the inspection's own wording. When both are there and they
disagree, the text wins and the line is flagged: Gloucestershire's closing list prints 18 and 19
as "19" and "20", and the report's numbering is the one that counts.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from rapidfuzz import fuzz

from .reading import Line

TEXT_MATCH = 86  # rapidfuzz ratio (0-100) from which a line is taken as a recommendation's text
NUMBERED_TEXT_MATCH = 78  # lower when the line also carries a number: the number corroborates it
QUOTED_TEXT_MIN = 40  # characters after a heading's number from which they are taken as a quoted text


@dataclass(frozen=True)
class RecRef:
    number: int
    text: str
    lead_in: str = ""
    is_police: bool = True


@dataclass
class Voice:
    """Someone who speaks in the document: the commissioner, or the chief officer."""

    role: str  # "pcc" or "chief_officer"
    name: str = ""
    title: str = ""
    dated: date | None = None
    comments: list[int] = field(default_factory=list)  # line indexes of their own comments
    region: tuple[int, int] | None = None  # a section of the document headed as theirs
    signed: bool = False  # signed off with their name over their title (a signed letter or note)
    overall: list[int] = field(default_factory=list)  # the commissioner's closing comments


@dataclass
class Answer:
    number: int
    lines: list[int] = field(default_factory=list)
    matched_by: str = ""  # "number", "text" or "both"
    confidence: int = 0
    flags: list[str] = field(default_factory=list)
    printed: list[int] = field(default_factory=list)
    owner: str = ""
    timescale: str = ""
    voice: str = "pcc"


@dataclass
class Reading:
    lines: list[Line]
    answers: dict[int, Answer]
    unassigned: list[int]
    ignored: list[int]
    voices: dict[str, Voice]
    response_date: date | None
    addressee: str
    published_url: str

    def text_of(self, indexes) -> str:
        return join_lines([self.lines[i] for i in indexes])

    def answer_text(self, number: int) -> str:
        answer = self.answers.get(number)
        return self.text_of(answer.lines) if answer else ""


# --- small recognisers -------------------------------------------------------------------------

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
DATE_RE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+("
    + "|".join(MONTHS)
    + r"|sept|sep|aug|oct|nov|dec|jan|feb|mar|apr|jun|jul)\.?,?\s+(\d{4})\b",
    re.I,
)
_SHORT = {
    "sept": 9,
    "sep": 9,
    "aug": 8,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
}
HEADING_RE = re.compile(r"^recommendation\s+(\d{1,3})\b\s*[:.\-–—]?\s*(.*)$", re.I)
NUMBERED_RE = re.compile(r"^(\d{1,3})\s*[.)]\s+(.*)$")
SEE_ABOVE_RE = re.compile(r"^see (?:the )?table (?:above|below)\s*[-–—:]?\s*", re.I)
LEAD_IN_RE = re.compile(r"\bshould(?: ensure that)?\s*:\s*$", re.I)
INLINE_LEAD_IN_RE = re.compile(r"^.{0,120}?\bshould ensure that\s+", re.I)
UPDATE_PREFIX_RE = re.compile(r"^(?:update|progress|response)\s*:\s*", re.I)
FIRST_PERSON_RE = re.compile(r"\b(?:I|I'm|I've|my|me)\b")
PUBLISHED_RE = re.compile(r"\bpublished on\b.*?(https?://\S+)", re.I)
CLOSING_RE = re.compile(r"^(yours sincerely|yours faithfully|ends/?\.?|kind regards|best wishes)\b", re.I)
SIGNATURE_IMAGE_RE = re.compile(r"^(a |an )?(handwritten |hand-written )?signature\b", re.I)
CONTACT_RE = re.compile(
    r"^(tel|telephone|email|e-mail|direct dial|mobile|our ref|your ref|fax)\b|www\.|@\w", re.I
)
TITLE_RE = re.compile(
    r"(police,? fire and crime commissioner|police and crime commissioner|\bpcc\b|"
    r"(?:t/|temporary |deputy |assistant )*(?:assistant |deputy )?chief constable)",
    re.I,
)
# Words of a post or an office, never of a person's name: "Chief Executive" over "Office of the
# Police and Crime Commissioner" is an address, not a signature.
POST_WORDS = {
    "Chief", "Executive", "Office", "Officer", "Secretary", "Home", "Director", "Head", "Manager",
    "Deputy", "Assistant", "Commissioner", "Police", "Constabulary", "Council", "Board", "Dear",
}  # fmt: skip
ORGANISATION_RE = re.compile(r"^(?:the\s+)?office\b", re.I)
CHIEF_RE = re.compile(r"chief constable|chief officer|constabulary'?s? response", re.I)
NAME_RE = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Dr|Rt Hon)\.?\s+)?([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+){1,3})\b(.*)$"
)
SECTION_RE = re.compile(
    r"^(?:(?:police,? (?:fire )?and crime )?commissioner'?s?|chief constable'?s?|chief officer'?s?|pcc'?s?)\s+"
    r"(?:initial |overall |final )?(?:response|comments)\b|^recommendations for other agencies\b",
    re.I,
)
COLUMN_ROLES = {
    "answer": re.compile(r"progress|update|response|action|comment|activity", re.I),
    "owner": re.compile(r"owner|lead|responsib", re.I),
    "timescale": re.compile(r"timescale|deadline|due|target date", re.I),
    "recommendation": re.compile(r"recommendation", re.I),
}


def norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def find_dates(text: str) -> list[date]:
    out = []
    for day, month, year in DATE_RE.findall(text):
        m = MONTHS.get(month.lower()) or _SHORT.get(month.lower())
        try:
            out.append(date(int(year), m, int(day)))
        except (TypeError, ValueError):
            continue
    return out


def join_lines(lines: list[Line]) -> str:
    """Lines of one paragraph on their own lines; paragraphs (and cells) apart by a blank line."""
    out: list[str] = []
    prev = None
    for line in lines:
        text = UPDATE_PREFIX_RE.sub("", line.text)
        if prev is not None and (line.para, line.row, line.col) == prev:
            out.append("\n" + text)
        elif out:
            out.append("\n\n" + text)
        else:
            out.append(text)
        prev = (line.para, line.row, line.col)
    return "".join(out).strip()


class Matcher:
    """The inspection's recommendations, normalised once, scored against a printed line."""

    def __init__(self, recs: list[RecRef]):
        self.recs = {r.number: r for r in recs}
        self.normed = {r.number: norm(r.text) for r in recs}

    def best(self, text: str) -> tuple[int | None, int]:
        candidate = SEE_ABOVE_RE.sub("", text.strip())
        stripped = INLINE_LEAD_IN_RE.sub("", candidate)
        forms = {norm(candidate), norm(stripped)}
        best_number, best_score = None, 0.0
        for number, target in self.normed.items():
            for form in forms:
                if not form:
                    continue
                score = fuzz.ratio(form, target)
                if len(form) > len(target) * 1.15:
                    # A recommendation quoted inside a longer line: match its start.
                    score = max(score, fuzz.ratio(form[: len(target)], target) - 4)
                if score > best_score:
                    best_number, best_score = number, score
        return best_number, round(best_score)


@dataclass
class _Ref:
    number: int
    matched_by: str
    confidence: int
    printed: int | None
    flag: str = ""


def recommendation_ref(text: str, matcher: Matcher) -> _Ref | None:
    """Is this line a recommendation's heading or text? By number, by text, or both."""
    heading = HEADING_RE.match(text)
    numbered = None if heading else NUMBERED_RE.match(text)
    if heading or numbered:
        m = heading or numbered
        printed, rest = int(m.group(1)), m.group(2).strip()
        if rest:
            by_text, score = matcher.best(rest)
            if by_text is not None and score >= NUMBERED_TEXT_MATCH:
                if by_text == printed:
                    return _Ref(printed, "both", score, printed)
                return _Ref(by_text, "text", score, printed, _misnumbered(printed, by_text))
        if heading and printed in matcher.recs:
            if len(norm(rest)) >= QUOTED_TEXT_MIN:
                # The heading quotes a text that is not this inspection's recommendation: mapped by
                # its number only for the user to check, flagged and with a low confidence.
                own = fuzz.ratio(norm(INLINE_LEAD_IN_RE.sub("", rest)), matcher.normed[printed])
                return _Ref(printed, "number", min(40, round(own)), printed, f"text_differs:{printed}")
            return _Ref(printed, "number", 70, printed)
        return None
    by_text, score = matcher.best(text)
    if by_text is not None and score >= TEXT_MATCH:
        return _Ref(by_text, "text", score, None)
    return None


def _misnumbered(printed: int, actual: int) -> str:
    return f"printed:{printed}:{actual}"


def describe_flag(flag: str) -> tuple[str, dict]:
    """A flag's kind and its values, for the preview to put in words."""
    kind, *values = flag.split(":")
    if kind == "printed":
        return kind, {"printed": values[0], "actual": values[1]}
    if kind == "text_differs":
        return kind, {"printed": values[0]}
    return kind, {}


def _is_boilerplate(text: str, repeated: set[str]) -> bool:
    return (
        text in repeated
        or bool(CLOSING_RE.match(text))
        or bool(SIGNATURE_IMAGE_RE.match(text))
        or bool(CONTACT_RE.search(text) and len(text) < 160)
        or bool(re.match(r"^page \d+( of \d+)?$", text, re.I))
        or text in {"-", "–", "OPCC"}
    )


def _trailing_not_answer(text: str) -> bool:
    """The commissioner's own closing words after the last answer, or a publication notice."""
    return bool(FIRST_PERSON_RE.search(text) or PUBLISHED_RE.search(text) or SECTION_RE.match(text))


# --- the mapping --------------------------------------------------------------------------------


def read(lines: list[Line], recs: list[RecRef], *, inspection_published: date | None = None) -> Reading:
    matcher = Matcher(recs)
    refs: dict[int, _Ref | None] = {i: recommendation_ref(line.text, matcher) for i, line in enumerate(lines)}
    # Letterheads and footers repeat on every page; a recommendation quoted twice is not one of them.
    counts = Counter(line.text for i, line in enumerate(lines) if len(line.text) > 25 and refs[i] is None)
    repeated = {text for text, n in counts.items() if n > 1}

    signature_lines = {k for sig, _n, _t in _signatures(lines) for k in (sig - 1, sig)}
    segments: list[Answer] = []
    unassigned: list[int] = []
    ignored: list[int] = []
    current: Answer | None = None
    columns: dict[str, int] = {}
    done: set[int] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        if i in done:
            i += 1
            continue
        if line.row is not None:
            # A row's lines, also those after a page footer that cut it in two.
            row = [k for k in range(i, len(lines)) if lines[k].row == line.row]
            done.update(row)
            current = _read_row(lines, row, refs, columns, segments, unassigned, ignored, repeated)
            i += 1
            continue
        i += 1
        text = line.text
        if _is_boilerplate(text, repeated) or (i - 1) in signature_lines:
            if CLOSING_RE.match(text) or (i - 1) in signature_lines:
                current = None
            ignored.append(i - 1)
            continue
        if LEAD_IN_RE.search(text) and len(text) < 200:
            current = None
            ignored.append(i - 1)
            continue
        if SECTION_RE.match(text):
            current = None
            unassigned.append(i - 1)
            continue
        ref = refs[i - 1]
        if ref is not None:
            if (
                current is not None
                and not current.lines
                and ref.matched_by == "text"
                and ref.printed is None
                and current.matched_by == "number"
            ):
                _confirm(current, ref)
            else:
                current = _start(ref)
                segments.append(current)
            ignored.append(i - 1)
            continue
        if current is not None:
            current.lines.append(i - 1)
        else:
            unassigned.append(i - 1)

    answers = _merge(segments, lines, unassigned)
    voices = find_voices(lines, inspection_published)
    _credit(answers, voices, lines)
    taken = {i for a in answers.values() for i in a.lines} | set(ignored)
    for voice in voices.values():
        voice.comments = [i for i in voice.comments if i not in taken and not SECTION_RE.match(lines[i].text)]
    pcc = voices.get("pcc")
    pcc.comments, pcc.overall = _commissioners_own(lines, answers, voices, set(ignored), repeated)
    response_date = pcc.dated if pcc and pcc.dated else None
    return Reading(
        lines=lines,
        answers=answers,
        unassigned=sorted(set(unassigned) - {i for a in answers.values() for i in a.lines}),
        ignored=ignored,
        voices=voices,
        response_date=response_date,
        addressee=find_addressee(lines, voices),
        published_url=next(
            (m.group(1).rstrip(">).,") for m in (PUBLISHED_RE.search(line.text) for line in lines) if m), ""
        ),
    )


def _start(ref: _Ref) -> Answer:
    answer = Answer(number=ref.number, matched_by=ref.matched_by, confidence=ref.confidence)
    if ref.printed is not None:
        answer.printed.append(ref.printed)
    if ref.flag:
        answer.flags.append(ref.flag)
    return answer


def _confirm(answer: Answer, ref: _Ref) -> None:
    """A heading gave the number, the next line the text: both now, or the text wins."""
    if ref.number == answer.number:
        answer.matched_by, answer.confidence = "both", max(answer.confidence, ref.confidence)
    else:
        printed = answer.number
        answer.number, answer.matched_by, answer.confidence = ref.number, "text", ref.confidence
        answer.flags.append(_misnumbered(printed, ref.number))


def _read_row(lines, indexes, refs, columns, segments, unassigned, ignored, repeated) -> None:
    """One table row: a header row names the columns; a recommendation's row gives its answer cell."""
    cells: dict[int, list[int]] = {}
    for k in indexes:
        cells.setdefault(lines[k].col or 0, []).append(k)
    texts = {col: " ".join(lines[k].text for k in ks) for col, ks in cells.items()}
    if len(cells) >= 2 and all(len(t) < 40 for t in texts.values()):
        roles = {}
        for col, text in texts.items():
            for role, pattern in COLUMN_ROLES.items():
                if pattern.search(text) and role not in roles:
                    roles[role] = col
                    break
        if "answer" in roles and "recommendation" in roles:
            columns.clear()
            columns.update(roles)
            ignored.extend(indexes)
            return None
    ref_cols = [(k, refs[k]) for k in indexes if refs[k] is not None]
    answer_col = columns.get("answer")
    if ref_cols and answer_col is not None and any(lines[k].col != answer_col for k, _ in ref_cols):
        first = None
        for _k, ref in ref_cols:
            if first is None:
                first = _start(ref)
            elif first.matched_by == "number" and (
                ref.number == first.number or (ref.matched_by == "text" and ref.printed is None)
            ):
                _confirm(first, ref)
        first.lines = [k for k in cells.get(answer_col, []) if not _is_boilerplate(lines[k].text, repeated)]
        if "owner" in columns:
            first.owner = texts.get(columns["owner"], "")
        if "timescale" in columns:
            first.timescale = texts.get(columns["timescale"], "")
        segments.append(first)
        ignored.extend(k for k in indexes if k not in first.lines)
        return None
    # A row that is not an answer (a form's field, a listing): read its lines as running text.
    current = None
    for k in indexes:
        text = lines[k].text
        if _is_boilerplate(text, repeated) or (LEAD_IN_RE.search(text) and len(text) < 200):
            ignored.append(k)
            current = None
        elif refs[k] is not None:
            current = _start(refs[k])
            segments.append(current)
            ignored.append(k)
        elif current is not None:
            current.lines.append(k)
        else:
            unassigned.append(k)
    return None


def _merge(segments: list[Answer], lines: list[Line], unassigned: list[int]) -> dict[int, Answer]:
    """One answer per recommendation: its non-empty segments, the closing words trimmed off."""
    for seg in segments:
        while seg.lines and _trailing_not_answer(lines[seg.lines[-1]].text):
            unassigned.append(seg.lines.pop())
        while seg.lines and _trailing_not_answer(lines[seg.lines[0]].text) and len(seg.lines) == 1:
            unassigned.append(seg.lines.pop())
    out: dict[int, Answer] = {}
    for seg in segments:
        answer = out.get(seg.number)
        if answer is None:
            out[seg.number] = seg
            continue
        if seg.lines:
            if answer.lines:
                answer.flags.append("several_places")
            answer.lines.extend(seg.lines)
            answer.owner = answer.owner or seg.owner
            answer.timescale = answer.timescale or seg.timescale
        order = {"number": 1, "text": 1, "both": 2}
        if order.get(seg.matched_by, 0) > order.get(answer.matched_by, 0) or (
            {seg.matched_by, answer.matched_by} == {"number", "text"}
        ):
            answer.matched_by = "both" if answer.matched_by != seg.matched_by else seg.matched_by
        answer.confidence = max(answer.confidence, seg.confidence)
        answer.printed.extend(seg.printed)
        answer.flags.extend(f for f in seg.flags if f not in answer.flags)
    return out


# --- voices, dates, addressee ---------------------------------------------------------------------


def _signatures(lines: list[Line]) -> list[tuple[int, str, str]]:
    """(line index of the title, name, title) for each name-then-title sign-off."""
    out = []
    for k in range(1, len(lines)):
        title = lines[k].text
        if lines[k].row is not None or len(title) > 70 or not TITLE_RE.search(title) or DATE_RE.search(title):
            continue
        for back in (1, 2):
            if k - back < 0:
                break
            prev = lines[k - back].text
            if SIGNATURE_IMAGE_RE.match(prev) or CLOSING_RE.match(prev):
                break
            m = NAME_RE.match(prev)
            if (
                m
                and len(prev) < 60
                and not TITLE_RE.search(m.group(1))
                and not prev.endswith(".")
                and not POST_WORDS & set(m.group(1).split())
                and not ORGANISATION_RE.match(title)
            ):
                out.append((k, m.group(1).strip(), re.sub(r"\s+\d+$", "", title).strip()))
                break
    return out


def _role(title: str) -> str:
    return "chief_officer" if CHIEF_RE.search(title) else "pcc"


def _dates_in(lines: list[Line], indexes, inspection_published) -> list[date]:
    found = []
    for k in indexes:
        text = lines[k].text
        for d in find_dates(text):
            if d == inspection_published or re.search(r"published on\s*" + str(d.day), text, re.I):
                continue
            found.append(d)
    return found


def find_voices(lines: list[Line], inspection_published: date | None = None) -> dict[str, Voice]:
    """The commissioner and, where the document carries them, the chief officer, each with a date."""
    voices: dict[str, Voice] = {}
    start = 0
    sigs = _signatures(lines)
    for k, name, title in sigs:
        role = _role(title)
        if role in voices:
            start = k + 1
            continue
        region = range(start, k + 1)
        dates = _dates_in(lines, region, inspection_published)
        voice = Voice(role=role, name=name, title=title, dated=dates[0] if dates else None, signed=True)
        voice.comments = [
            i
            for i in region
            if len(lines[i].text) > 60 and lines[i].row is None and not CONTACT_RE.search(lines[i].text)
        ]
        voices[role] = voice
        start = k + 1
    # A form's fields ("Chief Constable<TAB>Chris Noble") and sections ("Chief Constable's response").
    for k, line in enumerate(lines):
        if line.row is not None and line.col == 0 and TITLE_RE.fullmatch(line.text.strip()):
            value = next((lines[j].text for j in range(k + 1, len(lines)) if lines[j].row == line.row), "")
            role = _role(line.text)
            if value and role not in voices:
                voices[role] = Voice(role=role, name=value, title=line.text)
    for k, line in enumerate(lines):
        if SECTION_RE.match(line.text) and _role(line.text) == "chief_officer":
            voice = voices.setdefault("chief_officer", Voice(role="chief_officer", title="Chief Constable"))
            end = next((j for j in range(k + 1, len(lines)) if SECTION_RE.match(lines[j].text)), len(lines))
            voice.comments = voice.comments or [j for j in range(k + 1, end) if lines[j].row is None]
            voice.region = voice.region or (k, end)
    _quoted_chief(lines, voices)
    pcc = voices.setdefault("pcc", Voice(role="pcc"))
    if not pcc.title:
        pcc.title = next(
            (
                m.group(0)
                for line in lines[:15]
                if (
                    m := re.search(
                        r"(police,? (?:fire )?and crime commissioner(?: for [\w\- &]+?)?|\b[\w& ]+ PCC)(?= response|\s*$)",
                        line.text,
                        re.I,
                    )
                )
            ),
            "",
        )
    pcc.title = _unshout(pcc.title)
    if pcc.dated is None:
        first_region_end = sigs[0][0] + 1 if sigs else len(lines)
        dated = [d for d in _dates_in(lines, range(0, first_region_end), inspection_published)]
        dated_line = next(
            (
                find_dates(line.text)
                for line in lines
                if re.search(r"\bdated\b", line.text, re.I) and find_dates(line.text)
            ),
            None,
        )
        pcc.dated = (dated_line[0] if dated_line else None) or (dated[0] if dated else None)
    return voices


def _quoted_chief(lines: list[Line], voices: dict[str, Voice]) -> None:
    """A chief officer quoted inside the commissioner's letter, between quotation marks."""
    for k, line in enumerate(lines):
        if not line.text.startswith(("\u201c", '"')):
            continue
        context = " ".join(lines[j].text for j in range(max(0, k - 4), k))
        if not CHIEF_RE.search(context):
            continue
        end = next(
            (j for j in range(k, len(lines)) if lines[j].text.rstrip().endswith(("\u201d", '"'))), None
        )
        if end is None:
            continue
        voice = voices.setdefault("chief_officer", Voice(role="chief_officer", title="Chief Constable"))
        voice.comments = voice.comments or list(range(k, end + 1))
        return


def _credit(answers: dict[int, Answer], voices: dict[str, Voice], lines: list[Line]) -> None:
    """Each answer is in the voice of the part of the document it stands in."""
    chief = voices.get("chief_officer")
    if chief is None:
        return
    region = chief.region
    sigs = _signatures(lines)
    chief_sig = next((k for k, _name, title in sigs if _role(title) == "chief_officer"), None)
    for answer in answers.values():
        if not answer.lines:
            continue
        first = answer.lines[0]
        if region and region[0] < first < region[1]:
            answer.voice = "chief_officer"
        elif (
            chief_sig is not None
            and first > chief_sig
            and all(_role(t) != "pcc" for k, _n, t in sigs if k > chief_sig)
        ):
            # An enclosure after the chief officer's signed letter (a table of progress) is theirs.
            answer.voice = "chief_officer"


def find_addressee(lines: list[Line], voices: dict[str, Voice]) -> str:
    """Whom the commissioner's letter is to: the block of short lines above "Dear ...".

    The block is one paragraph with line breaks or one paragraph a line (both are common in Word);
    dates, references and contact lines between it and "Dear" are skipped. A "Dear" in a letter the
    chief officer signed (an enclosure: the constabulary's letter to the OPCC) is not the
    commissioner's addressee.
    """
    sigs = _signatures(lines)
    for k, line in enumerate(lines):
        if not re.match(r"^dear\b", line.text, re.I) or line.row is not None:
            continue
        closing = next((title for s, _n, title in sigs if s > k), None)
        if closing is not None and _role(closing) == "chief_officer":
            continue
        block: list[str] = []
        for j in range(k - 1, -1, -1):
            text = lines[j].text
            skip = DATE_RE.search(text) or CONTACT_RE.search(text) or re.match(r"^(date|ref)\b", text, re.I)
            if skip or lines[j].row is not None:
                if block:
                    break
                continue
            address_like = len(text) <= 60 and not re.search(r"[.!?:]$", text) and not SECTION_RE.match(text)
            if not address_like or (block and _paragraph_gap(lines, j, k, block)):
                break
            block.insert(0, text)
        if block:
            return "\n".join(block)
    return ""


def _paragraph_gap(lines: list[Line], j: int, k: int, block: list[str]) -> bool:
    """Two paragraphs of several lines each are two blocks (a letterhead above the address)."""
    above = [i for i in range(j + 1) if lines[i].para == lines[j].para]
    below_para = lines[j + 1].para
    below = [i for i in range(j + 1, k) if lines[i].para == below_para]
    return lines[j].para != below_para and len(above) > 1 and len(below) > 1


_ACRONYMS = {"PCC", "OPCC", "MP", "HMICFRS", "CC", "ACC", "DCC"}


def _unshout(title: str) -> str:
    """A title printed in capitals ("AVON & SOMERSET PCC") in the case it is written in."""
    if not title or title != title.upper():
        return title
    return " ".join(w if w in _ACRONYMS else w.capitalize() for w in title.split(" "))


_ANSWERS_INTRO_RE = re.compile(r"\brecommendations?\b", re.I)


def _is_heading(text: str) -> bool:
    """A title or subject line rather than the commissioner's words: no closing stop, or Title Case."""
    words = re.findall(r"[A-Za-z][\w'’\-]*", text)
    capitals = sum(1 for w in words if w[0].isupper())
    return not re.search(r"[.!:;\"”’)]$", text) or (len(words) > 3 and capitals / len(words) > 0.5)


def _commissioners_own(lines, answers, voices, ignored, repeated) -> tuple[list[int], list[int]]:
    """The commissioner's own comments, before the first answer and after the last one.

    What is left of the commissioner's part once the answers, the chief officer's words (their
    section, their signed letter and what follows it, or their quoted words), headings, the
    address, boilerplate and the lines that only introduce the answers are taken out.
    """
    taken = {i for a in answers.values() for i in a.lines}
    answer_lines = sorted(taken)
    if not answer_lines:
        return [], []
    chief = voices.get("chief_officer")
    theirs: set[int] = set(chief.comments) if chief else set()
    if chief and chief.region:
        theirs.update(range(chief.region[0], chief.region[1]))
    sigs = _signatures(lines)
    previous = -1
    for k, _name, title in sigs:
        if _role(title) == "chief_officer":
            later_pcc = next((s for s, _n, t in sigs if s > k and _role(t) == "pcc"), len(lines))
            theirs.update(range(previous + 1, later_pcc))
        previous = k
    signature_lines = {i for s, _n, _t in sigs for i in (s - 1, s)}
    first, last = answer_lines[0], answer_lines[-1]
    initial, overall = [], []
    for i, line in enumerate(lines):
        text = line.text
        if (
            i in taken
            or i in ignored
            or i in theirs
            or i in signature_lines
            or line.row is not None
            or len(text) < 40
            or _is_boilerplate(text, repeated)
            or CONTACT_RE.search(text)
            or SECTION_RE.match(text)
            or PUBLISHED_RE.search(text)
            or re.match(r"^dear\b", text, re.I)
            or DATE_RE.fullmatch(text.strip())
            or (len(text) < 160 and _ANSWERS_INTRO_RE.search(text))
            or _is_heading(text)
        ):
            continue
        if i < first:
            initial.append(i)
        elif i > last:
            overall.append(i)
    return initial, overall
