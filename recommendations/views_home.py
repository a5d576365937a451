"""A force's work pages: each role's home (what waits for them), the records list and the inspections.

Every page runs inside the URL force's scope (forces.middleware), so scoped managers only find the
URL's force's rows; Inspection is shared, so its reads name the force explicitly. Each page runs a
fixed number of queries whatever the force's size, and lists page through results.
"""

from datetime import timedelta

from django.core.paginator import Paginator
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone
from django.views.generic import TemplateView

from responses.models import Response

from . import listing
from .models import Inspection, Owner, Record, RecordQuerySet

Status = Record.Status
QUEUE_LIMIT = 20
RESPONSE_WARNING_DAYS = 21


def request_page(request, items, per_page=listing.PAGE_SIZE):
    """GOV.UK pagination: a page number that is not a number shows the first page, one too big the last."""
    page = Paginator(items, per_page).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


def page_links(page, window=2) -> list[int | None]:
    """Page numbers to show, with None for an ellipsis: 1 … 4 5 [6] 7 8 … 20."""
    last = page.paginator.num_pages
    shown = sorted({1, last, *range(max(1, page.number - window), min(last, page.number + window) + 1)})
    links, previous = [], 0
    for number in shown:
        if number - previous > 1:
            links.append(None)
        links.append(number)
        previous = number
    return links


class ForceHomeView(TemplateView):
    """What waits for the signed-in person in this force: sign-offs first for a chief officer."""

    template_name = "recommendations/force_home.html"

    def get_context_data(self, **kwargs):
        force = self.request.force
        access = self.request.force_access
        today = timezone.localdate()
        stale_after = listing.stale_after_days(force)
        records = Record.objects.all()
        context = {
            "force": force,
            "counts": listing.queue_counts(records, today=today, stale_after=stale_after),
            "stale_after": stale_after,
            "due_soon_days": listing.DUE_SOON_DAYS,
            "decisions": list(
                listing.extensions_in_queue("decided")
                .select_related("record__recommendation__inspection", "record__force", "decided_by")
                .order_by("-decided_at", "-pk")[:QUEUE_LIMIT]
            ),
            "is_chief": bool(access and access.can_sign_off),
            "queue_limit": QUEUE_LIMIT,
        }
        context["responses_near"], context["counts"]["responses_near"] = self._responses_near(force, today)
        if context["is_chief"]:
            context.update(
                sign_off_records=list(
                    records.filter(status=Status.AWAITING_SIGN_OFF)
                    .select_related("recommendation__inspection", "force", "latest_update")
                    .order_by(F("latest_update__dated").asc(nulls_last=True), "updated_at", "pk")[
                        :QUEUE_LIMIT
                    ]
                ),
                pending_extensions=list(
                    listing.extensions_in_queue("pending")
                    .select_related("record__recommendation__inspection", "record__force", "requested_by")
                    .order_by("requested_on", "pk")[:QUEUE_LIMIT]
                ),
                sign_off_responses=list(
                    Response.objects.filter(status=Response.Status.AWAITING_SIGN_OFF)
                    .select_related("inspection", "force", "current_version")
                    .order_by("updated_at", "pk")[:QUEUE_LIMIT]
                ),
            )
            context["counts"]["responses_awaiting_sign_off"] = Response.objects.filter(
                status=Response.Status.AWAITING_SIGN_OFF
            ).count()
            context["waiting"] = (
                len(context["sign_off_records"])
                + len(context["pending_extensions"])
                + len(context["sign_off_responses"])
            )
        return super().get_context_data(**context, **kwargs)

    def _responses_near(self, force, today):
        """Inspections of this force whose s55 response is unpublished and whose last day is near or
        past (the first QUEUE_LIMIT of them), and how many there are in all."""
        near = response_filter(Inspection.objects.with_records(force), "last_day_near", today)
        inspections = list(near.order_by("response_due_on", "pk")[:QUEUE_LIMIT])
        total = near.count()
        started = {
            r.inspection_id: r
            for r in Response.objects.filter(inspection__in=inspections).select_related("force")
        }
        rows = [
            {
                "inspection": inspection,
                "response": started.get(inspection.pk),
                "days_left": (inspection.response_due_on - today).days,
            }
            for inspection in inspections
        ]
        return rows, total


# The inspections page's filters by the force's s55 response, each the list a home-page queue counts.
RESPONSE_FILTERS = ("awaiting_sign_off", "last_day_near")


def response_filter(inspections, name: str, today):
    """Inspections whose response (the URL force's; Response is scoped) is in that state. "last_day_near":
    unpublished, its last day within RESPONSE_WARNING_DAYS or past. An unknown name filters nothing."""
    if name == "awaiting_sign_off":
        waiting = Response.objects.filter(status=Response.Status.AWAITING_SIGN_OFF).values("inspection_id")
        return inspections.filter(pk__in=waiting)
    if name == "last_day_near":
        published = Response.objects.filter(published_version__isnull=False).values("inspection_id")
        return inspections.filter(response_due_on__lte=today + timedelta(days=RESPONSE_WARNING_DAYS)).exclude(
            pk__in=published
        )
    return inspections


class RecordListView(TemplateView):
    """Every record of the force, paged, with filters, search and sort; the count cards link here."""

    template_name = "recommendations/record_list.html"

    def get_context_data(self, **kwargs):
        force = self.request.force
        today = timezone.localdate()
        stale_after = listing.stale_after_days(force)
        inspections = Inspection.objects.with_records(force)
        form = listing.RecordListForm(
            self.request.GET or None, inspections=inspections, owners=list(Owner.objects.all())
        )
        values = form.clean_values()
        # No DISTINCT: every filter keeps one row per record (the owner filter joins one owner), and
        # DISTINCT over the page's wide rows made PostgreSQL sort every record of the force on disk.
        records = listing.filter_records(Record.objects.all(), values, today=today, stale_after=stale_after)
        page = request_page(self.request, records.for_overview())
        listing.attach_latest_answers(page.object_list)
        for record in page.object_list:
            record.days_left = record.days_to_due(today)
            record.stale_days = listing.stale_days(record, today, stale_after)
        return super().get_context_data(
            force=force,
            form=form,
            values=values,
            page=page,
            page_links=page_links(page),
            stale_after=stale_after,
            **kwargs,
        )


class InspectionListView(TemplateView):
    """The force's inspections, newest first, each with its progress and its s55 response's state."""

    template_name = "recommendations/inspection_list.html"
    per_page = 20

    def get_context_data(self, **kwargs):
        force = self.request.force
        today = timezone.localdate()
        mine = Q(recommendations__records__force=force)
        is_open = ~Q(recommendations__records__status__in=RecordQuerySet.CLOSED)
        response = self.request.GET.get("response")
        response = response if response in RESPONSE_FILTERS else None
        # One join to the force's records for the counts below; the response filter is a subquery.
        shown = Inspection.objects.all()
        if response:
            near = response_filter(Inspection.objects.with_records(force), response, today)
            shown = shown.filter(pk__in=near.values("pk"))

        def count(status):
            return Count("recommendations__records", filter=mine & Q(recommendations__records__status=status))

        inspections = (
            shown.filter(mine)
            .annotate(
                record_count=Count("recommendations__records", filter=mine),
                not_started=count(Status.NOT_STARTED),
                in_progress=count(Status.IN_PROGRESS),
                awaiting_sign_off=count(Status.AWAITING_SIGN_OFF),
                complete=count(Status.COMPLETE),
                no_further_action=count(Status.NO_FURTHER_ACTION),
                overdue=Count(
                    "recommendations__records",
                    filter=mine & RecordQuerySet.overdue_q(today, prefix="recommendations__records__"),
                ),
                next_due=Min("recommendations__records__current_due_on", filter=mine & is_open),
                last_due=Max("recommendations__records__current_due_on", filter=mine),
            )
            .order_by("-published_on", "pk")
        )
        page = request_page(self.request, inspections, self.per_page)
        responses = {
            r.inspection_id: r
            for r in Response.objects.filter(inspection__in=[i.pk for i in page.object_list]).select_related(
                "force", "inspection"
            )
        }
        for inspection in page.object_list:
            inspection.response = responses.get(inspection.pk)
            inspection.response_days_left = (
                (inspection.response_due_on - today).days if inspection.response_due_on else None
            )
        return super().get_context_data(
            force=force,
            page=page,
            page_links=page_links(page),
            today=today,
            response_filter=response,
            **kwargs,
        )
