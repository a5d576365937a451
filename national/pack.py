"""The quarterly pack: what a national or force board (or a Police and Crime Panel) is shown.

For one calendar quarter, over every force (the national team's pack) or one force: the records'
status at the quarter's end, how many had reached each of the three closure events (the force
reports it implemented; the chief officer signs it off; HMICFRS authorises closure), what was
closed or extended in the quarter, the items overdue at its end with their age, the responses
published in it and their timeliness, and two charts (status at the end of each quarter so far;
ageing of the overdue items), each with its figures as a table.

Status at a date comes from the dated progress updates: the status after the last update dated
on or before it, else the status before the first later one, else the record's status today (a
record imported without history). The due date at a date is the one in force then: an extension
approved after the quarter's end does not make an item that was overdue at the end look on time.
A fixed number of queries builds the whole pack.
"""

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recommendations.dates import judge_timeliness
from recommendations.models import CLOSURE_STAGES, DueDateExtension, ProgressUpdate, Recommendation, Record
from responses.models import Response

S = Record.Status
CLOSED = (S.COMPLETE, S.NO_FURTHER_ACTION)
# The progress update that marks each closure event, in CLOSURE_STAGES order.
STAGE_EVENTS = {
    "implemented": ProgressUpdate.Kind.CLOSURE_REQUESTED,
    "signed_off": ProgressUpdate.Kind.SIGNED_OFF,
    "hmicfrs_authorised": ProgressUpdate.Kind.HMICFRS_CLOSED,
}
IMPLEMENTED = (S.AWAITING_SIGN_OFF, S.COMPLETE)
CLOSING_KINDS = (
    ProgressUpdate.Kind.SIGNED_OFF,
    ProgressUpdate.Kind.NO_FURTHER_ACTION,
    ProgressUpdate.Kind.HMICFRS_CLOSED,
)
STATUS_COLOURS = {
    S.NOT_STARTED: "#505a5f",
    S.IN_PROGRESS: "#1d70b8",
    S.AWAITING_SIGN_OFF: "#f47738",
    S.COMPLETE: "#00703c",
    S.NO_FURTHER_ACTION: "#6f72af",
}
AGE_BANDS = (  # (label, lowest age in days, highest age in days or None)
    (_("Up to 3 months"), 1, 91),
    (_("3 to 6 months"), 92, 182),
    (_("6 to 12 months"), 183, 365),
    (_("Over a year"), 366, None),
)
QUARTER_MONTHS = {
    1: _("January to March"),
    2: _("April to June"),
    3: _("July to September"),
    4: _("October to December"),
}
QUARTER_PARAM = re.compile(r"^(\d{4})-Q([1-4])$")
OVERDUE_LISTED = 50  # the national pack lists the oldest; a force's pack lists them all
# The pack page lists at most this many of each list (closed, extended, overdue) and says how many
# there are in all; its PDF and Word document, the papers a board reads, list them all. A force with
# a decade of inspections has thousands of overdue items: listed in full, its pack page was 719 KB.
PAGE_LISTED = 50
CHART_WIDTH = 300
CHART_LABEL = 110


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, raw: str) -> "Quarter | None":
        match = QUARTER_PARAM.match((raw or "").strip().upper())
        return cls(int(match[1]), int(match[2])) if match else None

    # Worked out once per quarter: the pack asks for a quarter's end once per record.
    @cached_property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @cached_property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def param(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number} ({QUARTER_MONTHS[self.number]})"

    @property
    def short_label(self) -> str:
        return f"{self.year} Q{self.number}"


def quarters_between(first: Quarter, last: Quarter) -> list[Quarter]:
    out, q = [], first
    while q <= last:
        out.append(q)
        q = q.next()
    return out


def available_quarters(force=None, today: date | None = None) -> list[Quarter]:
    """From the quarter of the first inspection with records (in scope) to the current quarter."""
    today = today or timezone.localdate()
    records = Record.objects.all() if force is None else Record.objects.filter(force=force)
    first = records.aggregate(first=Min("recommendation__inspection__published_on"))["first"]
    if first is None:
        return []
    return quarters_between(Quarter.of(first), Quarter.of(today))


@dataclass
class Item:
    force_name: str
    label: str
    inspection: str
    dated: date | None = None
    kind: str = ""
    age: int | None = None
    slug: str = ""
    record_id: int | None = None


@dataclass
class Bar:
    label: str
    segments: list
    total: int


@dataclass
class Pack:
    quarter: Quarter
    force: object
    status_counts: list  # (status value, label, count)
    total: int
    closed: list
    extended: list
    overdue: list
    overdue_total: int
    ageing: list  # (label, count)
    responses: list
    history: list  # (quarter, {status: count})
    status_labels: list = field(default_factory=list)
    # (stage key, label, records that had reached it by the quarter's end, records reaching it in it)
    closure_stages: list = field(default_factory=list)
    # Records closed in the quarter (a record signed off and closed by HMICFRS counts once) and due
    # dates extended in it: the lists above may be cut for the page (`on_page`); these stay whole.
    closed_count: int = 0
    extended_total: int = 0

    def on_page(self) -> "Pack":
        """The pack as its web page shows it: each list cut to its first PAGE_LISTED items (the
        oldest overdue, the earliest closed and extended in the quarter), every count kept."""
        limit = PAGE_LISTED
        return replace(
            self, closed=self.closed[:limit], extended=self.extended[:limit], overdue=self.overdue[:limit]
        )

    @property
    def history_bars(self) -> list:
        return _bars(
            [(q.short_label, counts) for q, counts in self.history], [v for v, _l in self.status_labels]
        )

    @property
    def ageing_bars(self) -> list:
        top = max([n for _l, n in self.ageing] + [1])
        return [
            {"label": label, "count": n, "width": round(n / top * CHART_WIDTH, 2), "y": i * 14}
            for i, (label, n) in enumerate(self.ageing)
        ]

    @property
    def history_height(self) -> int:
        return (len(self.history) + 1) * 14

    @property
    def legend(self) -> list:
        return [(label, STATUS_COLOURS[value]) for value, label in self.status_labels]

    @property
    def overdue_listed_all(self) -> bool:
        return len(self.overdue) == self.overdue_total

    @property
    def closed_listed_all(self) -> bool:
        return len({i.record_id for i in self.closed}) == self.closed_count

    @property
    def extended_listed_all(self) -> bool:
        return len(self.extended) == self.extended_total


def _bars(rows, order) -> list:
    """Stacked bars scaled to the largest total: (label, y, total, segments with x and width)."""
    top = max([sum(c.values()) for _l, c in rows] + [1])
    out = []
    for i, (label, counts) in enumerate(rows):
        x, segments = float(CHART_LABEL), []
        for value in order:
            n = counts.get(value, 0)
            w = n / top * CHART_WIDTH
            if n:
                segments.append(
                    {"x": round(x, 2), "width": round(w, 2), "colour": STATUS_COLOURS[value], "n": n}
                )
            x += w
        out.append({"label": label, "y": i * 14, "total": sum(counts.values()), "segments": segments})
    return out


def _due_at(extensions: list, day: date, current: date | None, original: date | None) -> date | None:
    """The due date in force on `day`. extensions: [(decided on, due before, due after)] of the
    approved extensions, in decision order. Before the first, the date it moved from (else the
    original due date); with none, the current due date."""
    if not extensions:
        return current
    i = bisect_right([e[0] for e in extensions], day)
    if i:
        return extensions[i - 1][2]
    return extensions[0][1] or original or current


def _status_history(quarters: list, rows: list, changes: dict) -> tuple[list, dict]:
    """[(quarter, Counter of statuses at its end)] over the records published by then, and
    {record id: its status at the last quarter's end}, in one pass over each record's changes.

    A record's status on a day is the status after its last change dated on or before that day;
    before its first change, the status that change moved from (not started if none is given); with
    no dated change, its current status. changes: {record id: [(dated, before, after)]} in date
    order. Each record adds one to a status for a run of quarters (a difference array per status),
    instead of every record being looked up again for every quarter (ten years of quarters over
    129,000 records took 14 s)."""
    ends = [q.end for q in quarters]
    n = len(ends)
    runs = defaultdict(lambda: [0] * (n + 1))
    at_last_end = {}

    def add(status, start, stop):
        if start < stop:
            runs[status][start] += 1
            runs[status][stop] -= 1

    for r in rows:
        start = bisect_left(ends, r[8])  # the first quarter ending on or after its publication
        status, since = r[1], start
        record_changes = changes.get(r[0])
        if record_changes:
            status = record_changes[0][1] or S.NOT_STARTED
            for dated, _before, after in record_changes:
                takes_effect = bisect_left(ends, dated)  # the first quarter ending on or after the change
                if takes_effect > since:
                    add(status, since, min(takes_effect, n))
                    since = takes_effect
                if since >= n:  # this change, and any after it, came after the last quarter
                    break
                status = after
        add(status, since, n)
        at_last_end[r[0]] = status
    history = []
    totals = {status: 0 for status in runs}
    for k, q in enumerate(quarters):
        for status, run in runs.items():
            totals[status] += run[k]
        history.append((q, Counter({status: count for status, count in totals.items() if count})))
    return history, at_last_end


def build_pack(quarter: Quarter, force=None) -> Pack:
    """The pack's figures for `quarter` over every force (force=None) or one force: eight queries."""
    records = Record.objects.all() if force is None else Record.objects.filter(force=force)
    records = records.filter(recommendation__inspection__published_on__lte=quarter.end)
    rows = list(
        records.order_by().values_list(
            "pk",
            "status",
            "current_due_on",
            "force__name",
            "force__slug",
            "recommendation__kind",
            "recommendation__number",
            "recommendation__inspection__title",
            "recommendation__inspection__published_on",
            "hmicfrs_closed_on",
            "original_due_on",
        )
    )
    ids = [r[0] for r in rows]
    extensions = defaultdict(list)
    for record_id, decided_at, before, after in (
        DueDateExtension.objects.filter(record__in=records, decision=DueDateExtension.Decision.APPROVED)
        .exclude(decided_at=None)
        .order_by("record_id", "decided_at", "pk")
        .values_list("record_id", "decided_at", "previous_due_on", "new_due_on")
    ):
        extensions[record_id].append((timezone.localdate(decided_at), before, after))
    changes = defaultdict(list)
    updates = ProgressUpdate.objects.filter(record__in=records).order_by(
        "record_id", "dated", "created_at", "pk"
    )
    # An undated change (from an undated document) cannot be placed in a quarter: it is left out of
    # the history, and the record's current status stands for it.
    for record_id, dated, before, after in (
        updates.exclude(status_after="")
        .exclude(dated=None)
        .values_list("record_id", "dated", "status_before", "status_after")
    ):
        changes[record_id].append((dated, before, after))

    labels = dict(S.choices)
    # Translated once, not once per record.
    kind_labels = {value: str(label) for value, label in Recommendation.Kind.choices}

    def label_of(row):
        return f"{kind_labels.get(row[5], row[5])} {row[6]}"

    first = Quarter.of(min((r[8] for r in rows), default=quarter.start))
    # The last quarter is this one: its end's statuses come out of the same pass.
    history, at_end = _status_history(quarters_between(first, quarter), rows, changes)
    end_counts = Counter(at_end.values())

    overdue = []
    for r in rows:
        due = _due_at(extensions.get(r[0], []), quarter.end, r[2], r[10])
        if due and due < quarter.end and at_end[r[0]] not in CLOSED:
            overdue.append(
                Item(
                    r[3],
                    label_of(r),
                    r[7],
                    dated=due,
                    age=(quarter.end - due).days,
                    slug=r[4],
                    record_id=r[0],
                )
            )
    overdue.sort(key=lambda i: (-i.age, i.force_name))
    ageing = []
    for label, low, high in AGE_BANDS:
        ageing.append((label, sum(1 for i in overdue if i.age >= low and (high is None or i.age <= high))))

    in_quarter = dict(dated__gte=quarter.start, dated__lte=quarter.end)
    event_rows = (
        ProgressUpdate.objects.filter(record__in=records, **in_quarter)
        .filter(kind__in=(*CLOSING_KINDS, *STAGE_EVENTS.values(), ProgressUpdate.Kind.EXTENSION_APPROVED))
        .order_by("dated", "force__name")
        .values_list(
            "kind",
            "dated",
            "force__name",
            "record__recommendation__kind",
            "record__recommendation__number",
            "record__recommendation__inspection__title",
            "record_id",
        )
    )
    kinds = dict(ProgressUpdate.Kind.choices)
    closed, extended = [], []
    reached_in_quarter = defaultdict(set)  # closure event kind -> records
    for kind, dated, force_name, rec_kind, number, title, record_id in event_rows:
        reached_in_quarter[kind].add(record_id)
        item = Item(
            force_name,
            f"{kind_labels.get(rec_kind, rec_kind)} {number}",
            title,
            dated,
            kinds[kind],
            record_id=record_id,
        )
        if kind == ProgressUpdate.Kind.EXTENSION_APPROVED:
            extended.append(item)
        elif kind in CLOSING_KINDS:
            closed.append(item)

    # Each closure event: records that had reached it by the quarter's end (implemented and signed
    # off read from the status at the end; HMICFRS's from its own date) and records reaching it in
    # the quarter (from the dated event itself).
    reached_by_end = {
        "implemented": sum(1 for status in at_end.values() if status in IMPLEMENTED),
        "signed_off": sum(1 for status in at_end.values() if status == S.COMPLETE),
        "hmicfrs_authorised": sum(1 for r in rows if r[9] and r[9] <= quarter.end),
    }
    closure_stages = [
        (key, label, reached_by_end[key], len(reached_in_quarter[STAGE_EVENTS[key]]))
        for key, (label, _q) in CLOSURE_STAGES.items()
    ]

    # Published with a date in the quarter (an undated one cannot be placed in a quarter), judged by
    # the one timeliness rule that every page, export and count uses.
    published = Response.objects.filter(
        published_on__gte=quarter.start, published_on__lte=quarter.end
    ).exclude(published_version=None)
    if force is not None:
        published = published.filter(force=force)
    responses = []
    for force_name, title, on, due in published.order_by("published_on", "force__name").values_list(
        "force__name", "inspection__title", "published_on", "inspection__response_due_on"
    ):
        state, days = judge_timeliness(is_published=True, published_on=on, last_day=due)
        responses.append(
            {
                "force": force_name,
                "inspection": title,
                "published_on": on,
                "due_on": due,
                "state": state,
                "days": days,
            }
        )

    listed = overdue if force is not None else overdue[:OVERDUE_LISTED]
    return Pack(
        quarter=quarter,
        force=force,
        status_counts=[(value, label, end_counts.get(value, 0)) for value, label in S.choices],
        total=len(ids),
        closed=closed,
        extended=extended,
        overdue=listed,
        overdue_total=len(overdue),
        ageing=ageing,
        responses=responses,
        history=history,
        status_labels=[(value, labels[value]) for value in S.values],
        closure_stages=closure_stages,
        closed_count=len({i.record_id for i in closed}),
        extended_total=len(extended),
    )
