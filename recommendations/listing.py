"""Reads behind a force's record lists and work queues: filters, sorts, stale and due windows.

One place decides what "overdue", "due soon" and "stale" mean, so that a count card on a home page
and the filtered list it links to always agree. "Stale" uses the force's own reminder setting, the
same period its "please update" reminders use.

Filters are a table (FILTERS): a new filter is a form field plus one function here.
"""

from collections.abc import Callable
from datetime import date, timedelta

from django import forms
from django.db.models import Case, Count, DateField, Exists, F, OuterRef, Q, When, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from frontend.forms import GovukFormMixin
from frontend.i18n import localised_choices

from .models import (
    CLOSURE_STAGES,
    DueDateExtension,
    Record,
    RecordQuerySet,
    latest_answer_prefetch,
)

Status = Record.Status
DUE_SOON_DAYS = 30
DECISIONS_SINCE_DAYS = 30
PAGE_SIZE = 25


def stale_after_days(force) -> int:
    """The force's own stale period (its reminder settings), or the service's default."""
    from reminders.milestones import Offsets
    from reminders.models import ForceReminderSettings

    own = ForceReminderSettings.objects.filter(force=force).first()
    return Offsets.for_force(own).stale_after_days


def last_activity():
    """The date a record was last heard of: its latest update's date, or, with no update at all, the
    report's publication. An undated latest update (a document that gives no date) gives NULL, so
    the record is never judged stale by a date no document gives."""
    return Case(
        When(latest_update__isnull=True, then=F("recommendation__inspection__published_on")),
        default=F("latest_update__dated"),
        output_field=DateField(),
    )


def stale_q(today: date, days: int) -> Q:
    """Stale as the "please update" reminders judge it (reminders.milestones.stale_due_on): `days`
    or more since the last activity; a period of 0 means never. Needs `last_activity` aliased."""
    if not days:
        return Q(pk__in=[])
    return Q(last_activity__lte=today - timedelta(days=days))


def stale_days(record, today: date, days: int) -> int | None:
    """The days since an open record's last activity when it is stale by stale_q, else None.
    Reads the record's latest update and inspection, which list querysets select."""
    if not days or record.is_closed:
        return None
    if record.latest_update_id:
        last = record.latest_update.dated
    else:
        last = record.recommendation.inspection.published_on
    if last is None:
        return None
    since = (today - last).days
    return since if since >= days else None


def stale(records, today: date, days: int):
    """Open records with no progress update (or, without one, no activity since publication) for `days`."""
    if not days:
        return records.none()
    return records.open().alias(last_activity=last_activity()).filter(stale_q(today, days))


def due_soon(records, today: date, days: int = DUE_SOON_DAYS):
    return records.open().filter(current_due_on__gte=today, current_due_on__lte=today + timedelta(days=days))


def extensions_in_queue(queue: str):
    """The due-date extensions of a home-page queue: "pending" (waiting for the chief officer's
    decision) or "decided" (approved or refused in the last DECISIONS_SINCE_DAYS days)."""
    if queue == "pending":
        return DueDateExtension.objects.filter(decision=DueDateExtension.Decision.PENDING)
    return DueDateExtension.objects.exclude(decision=DueDateExtension.Decision.PENDING).filter(
        decided_at__gte=timezone.now() - timedelta(days=DECISIONS_SINCE_DAYS)
    )


def has_extension(queue: str):
    """True for a record with an extension in that queue (one subquery, no duplicate rows)."""
    return Exists(extensions_in_queue(queue).filter(record=OuterRef("pk")))


class RecordListForm(GovukFormMixin, forms.Form):
    """The records list's filters, search, sort and page: a plain GET form that works without JavaScript.

    Unknown values are not errors that stop the page: each bad field is dropped (see `clean_values`).
    """

    SORTS = [
        ("number", _("Inspection and number")),
        ("due", _("Due date, soonest first")),
        ("updated", _("Latest update, oldest first")),
        ("status", _("Status")),
    ]
    q = forms.CharField(label=_("Search this force's records"), required=False, max_length=200)
    inspection = forms.TypedChoiceField(label=_("Inspection"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    due_soon = forms.BooleanField(label=_("Due in the next 30 days"), required=False)
    stale = forms.BooleanField(label=_("No update for the force's stale period"), required=False)
    closure = forms.ChoiceField(label=_("Closure"), required=False)
    EXTENSIONS = [
        ("", _("Any")),
        ("pending", _("Waiting for a decision")),
        ("decided", _("Decided in the last 30 days")),
    ]
    extension = forms.ChoiceField(label=_("Later due date asked for"), required=False, choices=EXTENSIONS)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS)

    def __init__(self, *args, inspections, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspection"].choices = [
            ("", _("All inspections")),
            *localised_choices(inspections, "title"),
        ]
        self.fields["status"].choices = [("", _("All statuses"))] + list(Status.choices)
        self.fields["owner"].choices = [("", _("All owners")), ("0", _("No owner"))] + [
            (o.pk, str(o)) for o in owners
        ]
        self.fields["closure"].choices = [("", _("Any stage"))] + [
            (key, label) for key, (label, _q) in CLOSURE_STAGES.items()
        ]

    def clean_values(self) -> dict:
        """The valid filters only: a bad value for one field never hides the others or breaks the page."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", False)}


def _owner(records, value, context):
    return records.filter(owners__isnull=True) if value == 0 else records.filter(owners=value)


def _search(records, value, context):
    words = value.split()[:8]
    for word in words:
        match = (
            Q(recommendation__text__icontains=word)
            | Q(recommendation__text_cy__icontains=word)
            | Q(recommendation__lead_in__icontains=word)
            | Q(recommendation__inspection__title__icontains=word)
            | Q(recommendation__inspection__title_cy__icontains=word)
            | Q(latest_update__text__icontains=word)
        )
        if word.isdecimal() and len(word) < 5:  # not isdigit(): "²" is a digit int() refuses
            match |= Q(recommendation__number=int(word))
        records = records.filter(match)
    return records


# name -> function(records, value, context) -> records. `context` carries today and the stale period.
FILTERS: dict[str, Callable] = {
    "q": _search,
    "inspection": lambda records, value, context: records.filter(recommendation__inspection_id=value),
    "status": lambda records, value, context: records.filter(status=value),
    "owner": _owner,
    "overdue": lambda records, value, context: records.overdue(context["today"]),
    "due_soon": lambda records, value, context: due_soon(records, context["today"]),
    "stale": lambda records, value, context: stale(records, context["today"], context["stale_after"]),
    "closure": lambda records, value, context: records.at_closure_stage(value),
    "extension": lambda records, value, context: records.filter(has_extension(value)),
}

_INSPECTION_ORDER = ("-recommendation__inspection__published_on", "recommendation__inspection_id")
SORTS = {
    "number": (*_INSPECTION_ORDER, "recommendation__kind", "recommendation__number"),
    "due": ("current_due_on", *_INSPECTION_ORDER, "recommendation__number"),
    # Oldest first; an undated latest update sorts last on every database (it cannot be judged old).
    "updated": (F("latest_update__dated").asc(nulls_last=True), "pk"),
    "status": ("status", *_INSPECTION_ORDER, "recommendation__number"),
}


def filter_records(records, values: dict, *, today: date, stale_after: int):
    context = {"today": today, "stale_after": stale_after}
    for name, function in FILTERS.items():
        if name in values:
            records = function(records, values[name], context)
    order = SORTS.get(values.get("sort") or "number", SORTS["number"])
    return records.order_by(*order)


def queue_counts(records, *, today: date, stale_after: int) -> dict:
    """The home page's counts in one query, each the size of the filtered records list it links to."""
    is_open = ~Q(status__in=RecordQuerySet.CLOSED)
    stale_rule = stale_q(today, stale_after)
    return records.alias(last_activity=last_activity()).aggregate(
        overdue=Count("pk", filter=RecordQuerySet.overdue_q(today)),
        due_soon=Count(
            "pk",
            filter=is_open
            & Q(current_due_on__gte=today, current_due_on__lte=today + timedelta(days=DUE_SOON_DAYS)),
        ),
        stale=Count("pk", filter=is_open & stale_rule),
        awaiting_sign_off=Count("pk", filter=Q(status=Status.AWAITING_SIGN_OFF)),
        not_started=Count("pk", filter=Q(status=Status.NOT_STARTED)),
        in_progress=Count("pk", filter=Q(status=Status.IN_PROGRESS)),
        complete=Count("pk", filter=Q(status=Status.COMPLETE)),
        no_further_action=Count("pk", filter=Q(status=Status.NO_FURTHER_ACTION)),
        extension_pending=Count("pk", filter=has_extension("pending")),
        extension_decided=Count("pk", filter=has_extension("decided")),
    )


def attach_latest_answers(records) -> None:
    """Read the latest answer of each record of a page already read, in one query for these records
    only (not annotated on the whole filtered list, which made the list and its count read every
    record's updates); the same rule as RecordQuerySet.with_latest_answer."""
    prefetch_related_objects(records, latest_answer_prefetch())
