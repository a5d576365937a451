"""The public front door: every force's published responses to every inspection, as a page, as
open data (CSV and JSON) and as Atom feeds (national and per force).

No sign-in. Only published versions are read: the queries filter on `published_version`, and
nothing about a draft (its existence, status or text) reaches these pages. The reads cross forces,
so they run with the scopes disabled, each query filtered on what is public.
"""

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime, time

from django.contrib.auth.decorators import login_not_required
from django.contrib.syndication.views import Feed
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from forces.models import Force
from frontend.i18n import localised
from recommendations.dates import Timeliness
from recommendations.models import Inspection
from recommendations.views_home import page_links, request_page
from spreadsheets.formulas import escape_formula

from .models import LetterRender, Response

FEED_ITEMS = 50
# Inspections a page on the front door (each a table of every force), newest first.
FRONT_DOOR_PER_PAGE = 5
INSPECTION_ORDER = ("-published_on", "title", "pk")


@dataclass
class Cell:
    force: Force
    response: Response | None
    letter: LetterRender | None


def published_responses():
    """Every published response, across forces (call inside scopes_disabled)."""
    return Response.objects.filter(published_version__isnull=False).select_related(
        "force", "inspection", "published_version"
    )


def front_door_table(inspections=None):
    """[(inspection, [Cell per force])], forces in name order, for the given inspections (all, newest
    first, if none are given): three queries, whatever the numbers."""
    with scopes_disabled():
        forces = list(Force.objects.order_by("name"))
        if inspections is None:
            inspections = list(Inspection.objects.order_by(*INSPECTION_ORDER))
        # Read without joins: each response's force and inspection are the ones already read, and the
        # published version is needed only by its id (each row's cache key would otherwise carry
        # the version's whole text).
        responses = list(
            published_responses().select_related(None).filter(inspection__in=[i.pk for i in inspections])
        )
        force_by_pk = {force.pk: force for force in forces}
        inspection_by_pk = {inspection.pk: inspection for inspection in inspections}
        for response in responses:
            response.force = force_by_pk[response.force_id]
            response.inspection = inspection_by_pk[response.inspection_id]
        letters = {
            letter.version_id: letter
            for letter in LetterRender.objects.filter(
                is_current=True, version_id__in=[r.published_version_id for r in responses]
            )
        }
    by_key = {(r.inspection_id, r.force_id): r for r in responses}
    table = []
    for inspection in inspections:
        cells = []
        for force in forces:
            response = by_key.get((inspection.pk, force.pk))
            letter = letters.get(response.published_version_id) if response else None
            cells.append(Cell(force, response, letter))
        table.append((inspection, cells))
    return table


@login_not_required
def front_door(request):
    """A page of inspections, newest first, each with every force's response: a table of 43 rows an
    inspection, so years of inspections are paged rather than drawn as one page of megabytes."""
    with scopes_disabled():
        page = request_page(request, Inspection.objects.order_by(*INSPECTION_ORDER), FRONT_DOOR_PER_PAGE)
        table = front_door_table(page.object_list)
        force_count = len(table[0][1]) if table else Force.objects.count()
    rows = [
        {
            "inspection": inspection,
            "title": localised(inspection, "title"),
            "cells": cells,
            "published": sum(1 for c in cells if c.response),
        }
        for inspection, cells in table
    ]
    return render(
        request,
        "responses/public_front_door.html",
        {"rows": rows, "force_count": force_count, "page": page, "page_links": page_links(page)},
    )


DATA_FIELDS = (
    "inspection",
    "inspection_title",
    "inspection_published_on",
    "response_due_on",
    "force",
    "force_name",
    "country",
    "published",
    "published_on",
    # on_time, late, date_not_known (published on a date no document gives: cannot be judged) or
    # not_published: recommendations.dates.judge_timeliness, as every page and export says it.
    "timeliness",
    "on_time",
    "days_late",
    "response_url",
    "letter_url",
    "letter_sha256",
)


def _data_rows(request):
    for inspection, cells in front_door_table():
        for cell in cells:
            response = cell.response
            timeliness = response.timeliness() if response else None
            yield {
                "inspection": inspection.slug,
                "inspection_title": inspection.title,
                "inspection_published_on": inspection.published_on.isoformat()
                if inspection.published_on
                else None,
                "response_due_on": inspection.response_due_on.isoformat()
                if inspection.response_due_on
                else None,
                "force": cell.force.slug,
                "force_name": cell.force.name,
                "country": cell.force.country,
                "published": response is not None,
                "published_on": response.published_on.isoformat()
                if response and response.published_on
                else None,
                "timeliness": response.timeliness_state if response else Timeliness.NOT_PUBLISHED,
                "on_time": {"on_time": True, "late": False}.get(timeliness["kind"]) if timeliness else None,
                "days_late": max(response.days_late(), 0)
                if response and response.days_late() is not None
                else None,
                "response_url": request.build_absolute_uri(response.get_public_url()) if response else None,
                "letter_url": request.build_absolute_uri(
                    reverse("responses:public-letter", kwargs={"slug": cell.force.slug, "pk": response.pk})
                )
                if cell.letter
                else None,
                "letter_sha256": cell.letter.sha256 if cell.letter else None,
            }


@login_not_required
def open_data(request, fmt):
    """The front door's table as open data: one row per force and inspection."""
    rows = list(_data_rows(request))
    if fmt == "json":
        body = json.dumps(
            {
                "generated_at": timezone.now().isoformat(timespec="seconds"),
                "fields": DATA_FIELDS,
                "rows": rows,
            },
            ensure_ascii=False,
            indent=1,
        )
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=DATA_FIELDS, lineterminator="\r\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    k: ("" if v is None else str(v).lower() if isinstance(v, bool) else escape_formula(v))
                    for k, v in row.items()
                }
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="s55-responses.csv"'
    else:
        raise Http404
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    return response


class PublishedResponsesFeed(Feed):
    """Newly published responses, newest first: every force, or one force."""

    feed_type = Atom1Feed
    subtitle = gettext_lazy(
        "Responses by police and crime commissioners to inspection reports, under section 55 of the Police Act 1996."
    )

    def get_object(self, request, slug=None):
        if slug is None:
            return None
        return get_object_or_404(Force, slug=slug)

    def title(self, force=None):
        if force is None:
            return _("Published responses to inspection reports")
        return _("Published responses to inspection reports – %(force)s") % {"force": force.local_name}

    def link(self, force=None):
        return (
            reverse("responses:public-list", kwargs={"slug": force.slug})
            if force
            else reverse("responses:public-index")
        )

    def feed_url(self, force=None):
        if force is None:
            return reverse("responses:public-feed")
        return reverse("responses:public-force-feed", kwargs={"slug": force.slug})

    def items(self, force=None):
        with scopes_disabled():
            queryset = published_responses()
            if force is not None:
                queryset = queryset.filter(force=force)
            # Undated publications last on every database (PostgreSQL sorts NULL first when descending).
            return list(queryset.order_by(F("published_on").desc(nulls_last=True), "-pk")[:FEED_ITEMS])

    def item_title(self, item):
        return f"{item.force.local_name}: {localised(item.inspection, 'title').text}"

    def item_description(self, item):
        if item.published_on:
            return _("%(force)s published its response on %(date)s.") % {
                "force": item.force.local_name,
                "date": item.published_on.strftime("%d/%m/%Y"),
            }
        return _("%(force)s has published its response (date of publication not known).") % {
            "force": item.force.local_name
        }

    def item_link(self, item):
        return item.get_public_url()

    def item_guid(self, item):
        return f"tag:mappa-tracker,2022:response/{item.pk}/v{item.published_version.number}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        if item.published_on:
            return timezone.make_aware(datetime.combine(item.published_on, time(12, 0)))
        return None

    def item_updateddate(self, item):
        # Atom needs an <updated> on every entry: a response whose publication date is not known
        # gives the time the service recorded it.
        return self.item_pubdate(item) or item.updated_at

    def item_author_name(self, item):
        return item.published_version.signatory_name or item.force.commissioner_name or item.force.name


public_feed = login_not_required(PublishedResponsesFeed())
