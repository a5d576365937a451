"""Reads across forces for the national team: the dashboard matrix, its totals and the compare view.

Everything here runs a fixed number of queries whatever the number of forces, inspections or
updates: counts are aggregated in SQL (conditional `Count`), cells come from one `values()` query,
and Python only arranges at most forces × recommendations small tuples into rows. Callers run
these inside `django_scopes.scopes_disabled()` (national.views does, and logs it).
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import BooleanField as BooleanOutput
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forces.models import Force, OfficeHolding
from forces.services import Holders, holders_on
from frontend.templatetags.govuk import status_tag_class
from recommendations.dates import judge_timeliness
from recommendations.models import (
    CLOSURE_STAGES,
    Inspection,
    ProgressUpdate,
    Recommendation,
    Record,
    RecordQuerySet,
)
from responses.models import Response, ResponseSection

S = Record.Status

# The dashboard's four headline groups (plus no further action, counted apart so "complete" stays
# honest). "In progress" includes records implemented and awaiting the chief officer's sign-off.
GROUPS = (
    ("complete", _("Complete"), Q(status=S.COMPLETE)),
    ("in_progress", _("In progress"), Q(status__in=(S.IN_PROGRESS, S.AWAITING_SIGN_OFF))),
    ("not_started", _("Not started"), Q(status=S.NOT_STARTED)),
    ("no_further_action", _("No further action"), Q(status=S.NO_FURTHER_ACTION)),
)
GROUP_COLOURS = {  # GOV.UK colour palette, for the SVG chart (presentation attributes, CSP-safe)
    "complete": "#00703c",
    "in_progress": "#1d70b8",
    "not_started": "#505a5f",
    "no_further_action": "#6f72af",
}


@dataclass(frozen=True)
class Filters:
    country: str = ""
    commissioner_type: str = ""
    status: str = ""
    overdue: str = ""  # "yes", "no" or "" (any)
    closure: str = ""  # a CLOSURE_STAGES key: implemented, signed_off, hmicfrs_authorised

    def as_params(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    def record_q(self, today: date) -> Q:
        """The records the status/overdue filters pick (a force is shown if it has one)."""
        q = Q()
        if self.status:
            q &= Q(status=self.status)
        if self.overdue == "yes":
            q &= overdue_q(today)
        elif self.overdue == "no":
            q &= ~overdue_q(today)
        if self.closure in CLOSURE_STAGES:
            q &= CLOSURE_STAGES[self.closure][1]
        return q


overdue_q = RecordQuerySet.overdue_q


def _totals(today: date) -> dict:
    """Conditional aggregates: one SQL pass counts every group and the overdue records."""
    counts = {key: Count("pk", filter=q) for key, _label, q in GROUPS}
    counts["overdue"] = Count("pk", filter=overdue_q(today))
    counts["total"] = Count("pk")
    return counts


def police_inspections():
    """Inspections with at least one recommendation addressed to police, newest first."""
    police = Recommendation.objects.filter(inspection=OuterRef("pk"), addressees__is_police=True)
    return Inspection.objects.filter(Exists(police)).order_by("-published_on", "-pk")


def police_recommendations(inspection):
    police = Recommendation.addressees.through.objects.filter(
        recommendation=OuterRef("pk"), addressee__is_police=True
    )
    return (
        Recommendation.objects.filter(inspection=inspection).filter(Exists(police)).order_by("kind", "number")
    )


def of_commissioner_type(commissioner_type: str, day: date, prefix: str = "") -> Q:
    """Forces whose commissioner was of `commissioner_type` on `day` (office-holders by date; a
    force with none recorded answers with its current type, as forces.services.holders_on does)."""
    held = (
        OfficeHolding.objects.filter(
            office=OfficeHolding.Office.COMMISSIONER, commissioner_type=commissioner_type
        )
        .filter(Q(starts_on=None) | Q(starts_on__lte=day))
        .filter(Q(ends_on=None) | Q(ends_on__gte=day))
        .values("force_id")
    )
    recorded = OfficeHolding.objects.filter(force=OuterRef(f"{prefix}pk" if prefix else "pk"))
    return Q(**{f"{prefix}pk__in": held}) | (
        Q(**{f"{prefix}commissioner_type": commissioner_type}) & ~Exists(recorded)
    )


def filtered_forces(filters: Filters, *, recommendation_ids=(), today=None, on: date | None = None):
    """The forces of the matrix; the commissioner type is the one on `on` (the inspection's date)."""
    forces = Force.objects.all()
    if filters.country:
        forces = forces.filter(country=filters.country)
    if filters.commissioner_type:
        forces = forces.filter(of_commissioner_type(filters.commissioner_type, on or timezone.localdate()))
    # A force is a row if it has a record of the inspection (that matches the record filters).
    matching = Record.objects.filter(
        filters.record_q(today or timezone.localdate()),
        force=OuterRef("pk"),
        recommendation_id__in=list(recommendation_ids),
    )
    return forces.filter(Exists(matching)).order_by("name")


@dataclass
class Cell:
    record_id: int
    status: str
    status_label: str
    overdue: bool
    due_on: date | None
    url: str = ""
    tag_class: str = ""
    short_label: str = ""


@dataclass
class Timeliness:
    """When the force's PCC published the response, against the statutory (56-day) date, as
    recommendations.dates.judge_timeliness judges it (the one rule for every page and export).

    `days_late` is the signed difference from the last day; `late_by` and `early_by` split it so
    that nothing shows "-3 days late" for a force that published early.
    """

    published_on: date | None
    days_late: int | None
    state: str

    @classmethod
    def judge(cls, *, published: bool, published_on: date | None, last_day: date) -> "Timeliness":
        state, days_late = judge_timeliness(
            is_published=published, published_on=published_on, last_day=last_day
        )
        return cls(published_on, days_late, state)

    @property
    def late_by(self) -> int | None:
        return self.days_late if self.state == "late" else None

    @property
    def early_by(self) -> int | None:
        return -self.days_late if self.state == "on_time" else None

    @property
    def sort_key(self) -> tuple:
        """Not yet published sorts as the latest of all (it is the worst outcome)."""
        return (1, 0) if self.published_on is None else (0, self.days_late)


@dataclass
class ForceRow:
    force: Force
    cells: list
    totals: dict
    timeliness: Timeliness
    holders: Holders | None = None  # who held office on the response's date


CHART_LABEL_WIDTH = 120
CHART_ROW_HEIGHT = 10


# Short status tags for the matrix cells, so that ten to twenty recommendation columns fit beside
# the counts at 1280 px; the full status is read out and the key above the table spells them out.
STATUS_SHORT = {
    S.NOT_STARTED: _("NS"),
    S.IN_PROGRESS: _("IP"),
    S.AWAITING_SIGN_OFF: _("AS"),
    S.COMPLETE: _("C"),
    S.NO_FURTHER_ACTION: _("NFA"),
}

# Short headings for the matrix, so that every column fits at 1280 px; the full label is read out.
KIND_ABBREVIATIONS = {
    "recommendation": _("R"),
    "area_for_improvement": _("AFI"),
    "cause_of_concern": _("CoC"),
}


@dataclass
class RecommendationColumn:
    recommendation: Recommendation
    totals: dict

    @property
    def sort_key(self) -> str:
        return f"rec-{self.recommendation.pk}"

    @property
    def short_label(self) -> str:
        kind = KIND_ABBREVIATIONS.get(self.recommendation.kind, "")
        return f"{kind}{self.recommendation.number}"

    def segments(self, width: int = 300):
        """Bar segments for the chart: (key, label, count, x, width) with widths to scale."""
        total = self.totals.get("total") or 0
        x, out = 0.0, []
        for key, label, _q in GROUPS:
            count = self.totals.get(key, 0)
            w = (count / total * width) if total else 0
            out.append(
                {
                    "key": key,
                    "label": label,
                    "count": count,
                    "colour": GROUP_COLOURS[key],
                    "x": round(x + CHART_LABEL_WIDTH, 2),
                    "width": round(w, 2),
                }
            )
            x += w
        return out


# Least progressed first when a status column is sorted ascending; overdue before not overdue.
STATUS_RANK = {value: rank for rank, value in enumerate(S.values)}
COUNT_SORTS = tuple(key for key, _l, _q in GROUPS) + ("overdue", "total")


@dataclass(frozen=True)
class Sort:
    """A dashboard sort as written in the URL: `force`, `rec-<id>`, a count key or `timeliness`,
    with a leading `-` for descending. Unknown keys fall back to the force name."""

    key: str = "force"
    descending: bool = False

    @classmethod
    def parse(cls, raw: str, recommendation_ids=()) -> tuple["Sort", bool]:
        """(sort, understood): an unknown key gives the default sort and False."""
        raw = (raw or "").strip()
        if not raw:
            return cls(), True
        descending = raw.startswith("-")
        key = raw.lstrip("-")
        valid = key in ("force", "timeliness", *COUNT_SORTS) or (
            key.startswith("rec-")
            and key[4:].isascii()
            and key[4:].isdigit()
            and int(key[4:]) in set(recommendation_ids)
        )
        return (cls(key, descending), True) if valid else (cls(), False)

    @property
    def param(self) -> str:
        return ("-" if self.descending else "") + self.key

    def link(self, key: str) -> str:
        """The sort parameter a column heading links to: the other direction if already sorted."""
        return ("" if self.descending or self.key != key else "-") + key

    def aria(self, key: str) -> str:
        if self.key != key:
            return "none"
        return "descending" if self.descending else "ascending"

    def apply(self, rows: list, rec_ids: list) -> list:
        rows = sorted(rows, key=lambda r: r.force.name)  # the tie-break, stable below
        if self.key == "force":
            return list(reversed(rows)) if self.descending else rows
        if self.key == "timeliness":
            key = lambda r: r.timeliness.sort_key  # noqa: E731
        elif self.key in COUNT_SORTS:
            key = lambda r: r.totals.get(self.key, 0)  # noqa: E731
        else:
            index = rec_ids.index(int(self.key[4:]))

            def key(r):
                cell = r.cells[index]
                if cell is None:
                    return (len(STATUS_RANK), 1)
                return (STATUS_RANK.get(cell.status, 0), 0 if cell.overdue else 1)

        return sorted(rows, key=key, reverse=self.descending)


@dataclass
class Dashboard:
    inspection: Inspection
    columns: list
    rows: list
    totals: dict
    today: date
    groups: tuple = field(default=GROUPS)
    sort: Sort = field(default_factory=Sort)

    @property
    def headline(self) -> list:
        """(label, count) of each status group over the forces shown."""
        return [(label, self.totals.get(key, 0)) for key, label, _q in GROUPS]

    @property
    def legend(self) -> list:
        return [(label, GROUP_COLOURS[key]) for key, label, _q in GROUPS]

    @property
    def status_key(self) -> list:
        """(short tag, full status, tag class) for the key to the matrix's abbreviated tags."""
        labels = dict(S.choices)
        return [(STATUS_SHORT[value], labels[value], status_tag_class(value)) for value in S.values]

    @property
    def chart_rows(self) -> list:
        """(column, y offset) for each bar of the chart."""
        return [(col, i * CHART_ROW_HEIGHT) for i, col in enumerate(self.columns)]

    @property
    def chart_height(self) -> int:
        return (len(self.columns) + 1) * CHART_ROW_HEIGHT

    @property
    def timeliness_counts(self) -> dict:
        counts = {"on_time": 0, "late": 0, "date_not_known": 0, "not_published": 0}
        for row in self.rows:
            counts[row.timeliness.state] += 1
        return counts


def build_dashboard(
    inspection: Inspection, filters: Filters, today: date | None = None, sort: Sort | None = None
) -> Dashboard:
    """The matrix of forces × police recommendations of `inspection`, with totals: six queries."""
    today = today or timezone.localdate()
    recommendations = list(police_recommendations(inspection))
    rec_ids = [r.pk for r in recommendations]
    forces = list(
        filtered_forces(filters, recommendation_ids=rec_ids, today=today, on=inspection.published_on)
    )
    force_ids = [f.pk for f in forces]

    records = Record.objects.filter(recommendation_id__in=rec_ids, force_id__in=force_ids).order_by()
    # Work per status and per force once, not per cell: the matrix has up to 43 × N cells, and
    # reversing a URL or resolving a lazy translation in each would cost more than the queries.
    labels = {value: str(label) for value, label in S.choices}
    tag_classes = {value: status_tag_class(value) for value in labels}
    short_labels = {value: str(short) for value, short in STATUS_SHORT.items()}
    url_prefix = {
        f.pk: reverse("recommendations:record-detail", kwargs={"force_slug": f.slug, "pk": 0})[: -len("0/")]
        for f in forces
    }
    overdue_case = Case(
        When(overdue_q(today), then=Value(True)), default=Value(False), output_field=BooleanOutput()
    )
    cells = {
        (force_id, rec_id): Cell(
            pk,
            status,
            labels.get(status, status),
            overdue,
            due,
            url=f"{url_prefix[force_id]}{pk}/",
            tag_class=tag_classes.get(status, ""),
            short_label=short_labels.get(status, status),
        )
        for pk, force_id, rec_id, status, due, overdue in records.annotate(
            is_overdue=overdue_case
        ).values_list("pk", "force_id", "recommendation_id", "status", "current_due_on", "is_overdue")
    }
    zero = {key: 0 for key, _l, _q in GROUPS} | {"overdue": 0, "total": 0}
    by_rec = {
        row.pop("recommendation_id"): row
        for row in records.values("recommendation_id").annotate(**_totals(today))
    }
    by_force = {row.pop("force_id"): row for row in records.values("force_id").annotate(**_totals(today))}
    overall = records.aggregate(**_totals(today)) if force_ids else dict(zero)

    published = {
        force_id: on
        for force_id, on in Response.objects.filter(inspection=inspection, force_id__in=force_ids)
        .exclude(published_version=None)
        .order_by()
        .values_list("force_id", "published_on")
    }
    holdings = {}
    for holding in OfficeHolding.objects.filter(force_id__in=force_ids):
        holdings.setdefault(holding.force_id, []).append(holding)
    due = inspection.response_due_on
    rows = []
    for force in forces:
        on = published.get(force.pk)
        is_published = force.pk in published
        # The response's date decides who held office: its publication; published on an unknown
        # date, the last day (as Response.office_date); not yet published, the last day as well.
        rows.append(
            ForceRow(
                force=force,
                cells=[cells.get((force.pk, rec_id)) for rec_id in rec_ids],
                totals=by_force.get(force.pk, zero),
                timeliness=Timeliness.judge(published=is_published, published_on=on, last_day=due),
                holders=holders_on(force, on or due, holdings.get(force.pk, [])),
            )
        )
    columns = [RecommendationColumn(r, by_rec.get(r.pk, zero)) for r in recommendations]
    rows = (sort or Sort()).apply(rows, rec_ids)
    return Dashboard(inspection, columns, rows, {**zero, **overall}, today, sort=sort or Sort())


@dataclass
class Answer:
    force: Force
    record: Record
    update: ProgressUpdate | None
    section_text: str
    response_published_on: date | None
    overdue: bool
    recommendation: Recommendation | None = None
    # The latest workflow step (e.g. signed off as complete), shown beside the answer when it is
    # not the answer itself.
    step: ProgressUpdate | None = None

    def text(self, view: str) -> str:
        """The answer shown in `view`: the latest progress update or the published response."""
        if view == "response":
            return self.section_text
        return self.update.text if self.update else ""


COMPARE_VIEWS = ("update", "response")


def _published_sections(**filters) -> dict:
    """(force id, recommendation id) -> published section text and date, in one query."""
    return {
        (row["force_id"], row["recommendation_id"]): row
        for row in ResponseSection.objects.filter(
            version__response__published_version=F("version"), **filters
        )
        .order_by()
        .values("force_id", "recommendation_id", "text", "version__response__published_on")
    }


def _answer(record, sections) -> Answer:
    section = sections.get((record.force_id, record.recommendation_id), {})
    return Answer(
        force=record.force,
        record=record,
        update=record.latest_answer,
        step=record.latest_update
        if record.latest_update_id != getattr(record.latest_answer, "pk", None)
        else None,
        section_text=section.get("text", ""),
        response_published_on=section.get("version__response__published_on"),
        overdue=record.is_overdue,
        recommendation=record.recommendation,
    )


def build_compare(
    recommendation: Recommendation, filters: Filters, today: date | None = None
) -> list[Answer]:
    """Every force's latest update on one recommendation, beside its published response: two queries."""
    today = today or timezone.localdate()
    records = (
        Record.objects.filter(recommendation=recommendation)
        .select_related("force", "latest_update__author", "recommendation")
        .with_latest_answer()
        .with_overdue(today)
    )
    if filters.country:
        records = records.filter(force__country=filters.country)
    if filters.commissioner_type:
        records = records.filter(
            of_commissioner_type(
                filters.commissioner_type, recommendation.inspection.published_on, prefix="force__"
            )
        )
    record_q = filters.record_q(today)
    if record_q:
        records = records.filter(record_q)
    sections = _published_sections(recommendation=recommendation)
    return [_answer(record, sections) for record in records.order_by("force__name")]


def split_answers(answers: list[Answer], view: str) -> tuple[list[Answer], list[Answer]]:
    """(forces that answered in `view`, forces that did not), each in force-name order."""
    answered = [a for a in answers if a.text(view).strip()]
    return answered, [a for a in answers if not a.text(view).strip()]


def build_force_answers(inspection: Inspection, force: Force) -> list[Answer]:
    """One force's records of every police recommendation of `inspection`, with both answers."""
    records = (
        Record.objects.filter(force=force, recommendation__in=police_recommendations(inspection))
        .select_related("force", "latest_update__author", "recommendation")
        .with_latest_answer()
        .with_overdue()
        .order_by("recommendation__kind", "recommendation__number")
    )
    sections = _published_sections(force=force, recommendation__inspection=inspection)
    return [_answer(record, sections) for record in records]
