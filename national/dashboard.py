"""Reads across forces for the national team: the dashboard matrix, its totals and the compare view.

Everything here runs a fixed number of queries whatever the number of forces, inspections or
updates: counts are aggregated in SQL (conditional `Count`), cells come from one `values()` query,
and Python only arranges at most forces × recommendations small tuples into rows. Callers run
these inside `django_scopes.scopes_disabled()` (national.views does, and logs it).
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection, transaction
from django.db.models import BooleanField as BooleanOutput
from django.db.models import Case, Count, Exists, F, OuterRef, Q, Subquery, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from forces.models import Force
from frontend.templatetags.govuk import status_tag_class
from recommendations.models import Inspection, ProgressUpdate, Recommendation, Record, RecordQuerySet
from responses.models import Response, ResponseSection

S = Record.Status
OPEN = ~Q(status__in=RecordQuerySet.CLOSED)

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

    def as_params(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v}

    def record_q(self, today: date) -> Q:
        """The records the status/overdue filters pick (a force is shown if it has one)."""
        q = Q()
        if self.status:
            q &= Q(status=self.status)
        if self.overdue == "yes":
            q &= OPEN & Q(current_due_on__lt=today)
        elif self.overdue == "no":
            q &= ~(OPEN & Q(current_due_on__lt=today))
        return q


def overdue_q(today: date, prefix: str = "") -> Q:
    return ~Q(**{f"{prefix}status__in": RecordQuerySet.CLOSED}) & Q(**{f"{prefix}current_due_on__lt": today})


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


def filtered_forces(filters: Filters, *, recommendation_ids=(), today=None):
    forces = Force.objects.all()
    if filters.country:
        forces = forces.filter(country=filters.country)
    if filters.commissioner_type:
        forces = forces.filter(commissioner_type=filters.commissioner_type)
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


@dataclass
class Timeliness:
    """When the force's PCC published the response, against the statutory (56-day) date."""

    published_on: date | None
    days_late: int | None

    @property
    def state(self) -> str:
        if self.published_on is None:
            return "not_published"
        return "late" if self.days_late > 0 else "on_time"


@dataclass
class ForceRow:
    force: Force
    cells: list
    totals: dict
    timeliness: Timeliness


CHART_LABEL_WIDTH = 120
CHART_ROW_HEIGHT = 10


@dataclass
class RecommendationColumn:
    recommendation: Recommendation
    totals: dict

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


@dataclass
class Dashboard:
    inspection: Inspection
    columns: list
    rows: list
    totals: dict
    today: date
    groups: tuple = field(default=GROUPS)

    @property
    def headline(self) -> list:
        """(label, count) of each status group over the forces shown."""
        return [(label, self.totals.get(key, 0)) for key, label, _q in GROUPS]

    @property
    def legend(self) -> list:
        return [(label, GROUP_COLOURS[key]) for key, label, _q in GROUPS]

    @property
    def chart_rows(self) -> list:
        """(column, y offset) for each bar of the chart."""
        return [(col, i * CHART_ROW_HEIGHT) for i, col in enumerate(self.columns)]

    @property
    def chart_height(self) -> int:
        return (len(self.columns) + 1) * CHART_ROW_HEIGHT

    @property
    def timeliness_counts(self) -> dict:
        counts = {"on_time": 0, "late": 0, "not_published": 0}
        for row in self.rows:
            counts[row.timeliness.state] += 1
        return counts


def build_dashboard(inspection: Inspection, filters: Filters, today: date | None = None) -> Dashboard:
    """The matrix of forces × police recommendations of `inspection`, with totals: six queries."""
    today = today or timezone.localdate()
    recommendations = list(police_recommendations(inspection))
    rec_ids = [r.pk for r in recommendations]
    forces = list(filtered_forces(filters, recommendation_ids=rec_ids, today=today))
    force_ids = [f.pk for f in forces]

    records = Record.objects.filter(recommendation_id__in=rec_ids, force_id__in=force_ids).order_by()
    # Work per status and per force once, not per cell: the matrix has up to 43 × N cells, and
    # reversing a URL or resolving a lazy translation in each would cost more than the queries.
    labels = {value: str(label) for value, label in S.choices}
    tag_classes = {value: status_tag_class(value) for value in labels}
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
        .exclude(published_on=None)
        .order_by()
        .values_list("force_id", "published_on")
    }
    due = inspection.response_due_on
    rows = []
    for force in forces:
        on = published.get(force.pk)
        rows.append(
            ForceRow(
                force=force,
                cells=[cells.get((force.pk, rec_id)) for rec_id in rec_ids],
                totals=by_force.get(force.pk, zero),
                timeliness=Timeliness(on, (on - due).days if on else None),
            )
        )
    columns = [RecommendationColumn(r, by_rec.get(r.pk, zero)) for r in recommendations]
    return Dashboard(inspection, columns, rows, {**zero, **overall}, today)


@dataclass
class Answer:
    force: Force
    record: Record
    update: ProgressUpdate | None
    section_text: str
    response_published_on: date | None
    overdue: bool


def build_compare(
    recommendation: Recommendation, filters: Filters, today: date | None = None
) -> list[Answer]:
    """Every force's latest update on one recommendation, beside its published response: two queries."""
    today = today or timezone.localdate()
    records = Record.objects.filter(recommendation=recommendation).select_related("force", "latest_update")
    if filters.country:
        records = records.filter(force__country=filters.country)
    if filters.commissioner_type:
        records = records.filter(force__commissioner_type=filters.commissioner_type)
    record_q = filters.record_q(today)
    if record_q:
        records = records.filter(record_q)
    sections = {
        row["force_id"]: row
        for row in ResponseSection.objects.filter(
            recommendation=recommendation, version__response__published_version=F("version")
        )
        .order_by()
        .values("force_id", "text", "version__response__published_on")
    }
    answers = []
    for record in records.order_by("force__name"):
        section = sections.get(record.force_id, {})
        answers.append(
            Answer(
                force=record.force,
                record=record,
                update=record.latest_update,
                section_text=section.get("text", ""),
                response_published_on=section.get("version__response__published_on"),
                overdue=record.is_overdue,
            )
        )
    return answers


SEARCH_LIMIT = 50
# Ranking reads and parses every matching row's text; a common word matches tens of thousands of
# updates at national scale, so only the most recent matches (found through the GIN index) are ranked.
RANK_CANDIDATES = 500
GIN_FUZZY_LIMIT = 20000


def _ranked(queryset, vector, query, recent_first):
    # The candidates come from the table alone, so the planner takes the GIN index rather than
    # joining first and parsing every row's text; the caller's filters apply to the candidates.
    candidates = (
        queryset.model.objects.annotate(search=vector)
        .filter(search=query)
        .order_by(*recent_first)
        .values("pk")[:RANK_CANDIDATES]
    )
    return (
        queryset.filter(pk__in=Subquery(candidates))
        .annotate(rank=SearchRank(vector, query))
        .order_by("-rank", *recent_first)
    )


def search(q: str, *, limit: int = SEARCH_LIMIT):
    """Progress updates and published response sections matching `q`, best first.

    PostgreSQL: full-text search (websearch syntax, English stemming, ranked), served by the GIN
    expression indexes of migration national 0002. SQLite: a case-insensitive substring match.
    """
    updates = ProgressUpdate.objects.select_related("force", "record__recommendation__inspection")
    sections = ResponseSection.objects.filter(
        version__response__published_version=F("version")
    ).select_related("force", "recommendation__inspection", "version__response")
    if getattr(settings, "IS_POSTGRES", False):
        query = SearchQuery(q, config="english", search_type="websearch")
        vector = SearchVector("text", config="english")
        updates = _ranked(updates, vector, query, ("-dated", "-pk"))
        sections = _ranked(sections, vector, query, ("-pk",))
        with transaction.atomic(), connection.cursor() as cursor:
            # A word in a third of 1.3 million updates would make the GIN scan return them all;
            # PostgreSQL's soft limit samples that many matches instead (exact below the limit).
            cursor.execute(f"SET LOCAL gin_fuzzy_search_limit = {GIN_FUZZY_LIMIT}")
            return list(updates[:limit]), list(sections[:limit])
    else:
        updates = updates.filter(text__icontains=q).order_by("-dated", "-pk")
        sections = sections.filter(text__icontains=q).order_by("-pk")
    return list(updates[:limit]), list(sections[:limit])
