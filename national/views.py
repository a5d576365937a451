"""The national team's pages: the one place that looks across forces, and logs each look.

Every view here answers 404 to anyone but the national team and administrators (an OPCC user must
not learn the pages exist), lifts the force scope explicitly for the view *and* its rendering, and
writes an AccessLog entry. Nothing here changes a force's data.
"""

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from audit.services import record_event
from forces.access import is_national
from forces.models import Force
from frontend.fields import as_id
from recommendations.models import Inspection, Recommendation

from . import exports
from . import search as fulltext
from .dashboard import (
    COMPARE_VIEWS,
    GROUPS,
    Sort,
    build_compare,
    build_dashboard,
    build_force_answers,
    police_inspections,
    police_recommendations,
    split_answers,
)
from .forms import SearchForm, clean_filters
from .models import AccessLog
from .services import log_access

MAX_QUERY_LENGTH = fulltext.MAX_QUERY_LENGTH
# The examples under the search box: each must find answers in the demo data (a test runs them).
# They are search terms for the forces' English text, so they stay English (marked lang="en").
SEARCH_EXAMPLES = ('training "domestic abuse"', "ViSOR", "training -probation")
VIEW_LABELS = {
    "update": gettext_lazy("Latest progress update"),
    "response": gettext_lazy("Published response"),
}


class NationalView(View):
    """National team and administrators only (everyone else: 404); scope lifted and logged."""

    action: str = ""

    @staticmethod
    def page_cache_allows(request) -> bool:
        """The page cache (frontend.page_cache) may keep this page for the national team alone."""
        return is_national(request.user)

    @classmethod
    def page_cache_served(cls, request) -> None:
        """A page served from the page cache is a look across forces too: write it down as the
        view does. The cache answers before authentication runs, so the user is the session's
        (the cache only serves a page to the session it was drawn for)."""
        log_access(
            request.session[SESSION_KEY],
            cls.action,
            path=request.path,
            parameters={**dict(request.GET.lists()), **request.page_cache_kwargs},
        )

    def dispatch(self, request, *args, **kwargs):
        if not is_national(request.user):
            raise Http404("Not found.")
        with scopes_disabled():
            log_access(
                request.user,
                self.action,
                path=request.path,
                parameters={**dict(request.GET.lists()), **kwargs},
            )
            if self.action.startswith("export"):
                # Exports also go in the audit trail that administrators and the national team export.
                record_event(request, AuditEvent.Action.EXPORT, summary=f"national {self.action}", **kwargs)
            response = super().dispatch(request, *args, **kwargs)
            # Render here, while the scope is still lifted (the template walks related rows).
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    def filters(self, *, warn=True):
        filters, ignored, form = clean_filters(self.request.GET)
        if ignored and warn:
            messages.warning(
                self.request,
                _("These filters had values that make no sense and were ignored: %(names)s.")
                % {"names": ", ".join(ignored)},
            )
        return filters, form


class DashboardMixin:
    def chosen_inspection(self, *, warn=True):
        """The inspection asked for, or the latest with police recommendations; an id that is not
        a number or not such an inspection gives the latest, and the page says so."""
        inspections = list(
            police_inspections().only("pk", "title", "title_cy", "slug", "published_on", "response_due_on")
        )
        latest = inspections[0] if inspections else None
        raw = self.request.GET.get("inspection", "").strip()
        if not raw:
            return latest, inspections
        wanted = as_id(raw)
        inspection = next((i for i in inspections if i.pk == wanted), None)
        if inspection is None:
            if warn and latest is not None:
                messages.warning(
                    self.request,
                    _(
                        "There is no inspection “%(raw)s” with recommendations to police: this is the latest, %(title)s."
                    )
                    % {"raw": raw[:20], "title": latest.title},
                )
            inspection = latest
        return inspection, inspections

    def sort(self, inspection, *, warn=True) -> Sort:
        rec_ids = list(police_recommendations(inspection).values_list("pk", flat=True)) if inspection else []
        sort, understood = Sort.parse(self.request.GET.get("sort", ""), rec_ids)
        if not understood and warn:
            messages.warning(self.request, _("The table cannot be sorted that way; it is sorted by force."))
        return sort


class DashboardView(DashboardMixin, NationalView):
    action = AccessLog.Action.DASHBOARD

    def get(self, request):
        inspection, inspections = self.chosen_inspection()
        filters, form = self.filters()
        sort = self.sort(inspection)
        dashboard = build_dashboard(inspection, filters, sort=sort) if inspection else None
        return TemplateResponse(
            request,
            "national/dashboard_detail.html",
            {
                "dashboard": dashboard,
                "inspection": inspection,
                "inspections": inspections,
                "form": form,
                "filters": filters,
                "groups": GROUPS,
                "overdue_label": _("Overdue"),
                "no_record_label": _("No record"),
            },
        )


class DashboardExportView(DashboardMixin, NationalView):
    action = AccessLog.Action.EXPORT_DASHBOARD

    def get(self, request, fmt):
        inspection, _inspections = self.chosen_inspection(warn=False)
        if inspection is None:
            raise Http404("No inspection to export.")
        filters, _form = self.filters(warn=False)
        sort = self.sort(inspection, warn=False)
        sheet = exports.dashboard_sheet(build_dashboard(inspection, filters, sort=sort))
        return _download(sheet, fmt, f"{inspection.slug}-dashboard")


class CompareMixin:
    def recommendation(self):
        return get_object_or_404(Recommendation.objects.select_related("inspection"), pk=self.kwargs["pk"])


class CompareView(CompareMixin, NationalView):
    action = AccessLog.Action.COMPARE

    def get(self, request, pk):
        recommendation = self.recommendation()
        filters, form = self.filters()
        view = _view(request)
        answers = build_compare(recommendation, filters)
        answered, unanswered = split_answers(answers, view)
        siblings = list(police_recommendations(recommendation.inspection_id).only("pk", "kind", "number"))
        return TemplateResponse(
            request,
            "national/compare_detail.html",
            {
                "recommendation": recommendation,
                "inspection": recommendation.inspection,
                "answers": answers,
                "answered": answered,
                "unanswered": unanswered,
                "view": view,
                "views": _view_counts(answers),
                "siblings": siblings,
                "form": form,
                "filters": filters,
            },
        )


class CompareExportView(CompareMixin, NationalView):
    action = AccessLog.Action.EXPORT_COMPARE

    def get(self, request, pk, fmt):
        recommendation = self.recommendation()
        filters, _form = self.filters(warn=False)
        sheet = exports.compare_sheet(recommendation, build_compare(recommendation, filters))
        return _download(
            sheet, fmt, f"{recommendation.inspection.slug}-{recommendation.kind}-{recommendation.number}"
        )


def _view(request) -> str:
    view = request.GET.get("view", "")
    return view if view in COMPARE_VIEWS else COMPARE_VIEWS[0]


def _view_counts(answers) -> list:
    """(view, label, forces that answered in it) for the switch between the two answers."""
    return [(key, VIEW_LABELS[key], len(split_answers(answers, key)[0])) for key in COMPARE_VIEWS]


class ForceAnswersMixin:
    def objects(self):
        inspection = get_object_or_404(Inspection, pk=self.kwargs["inspection_pk"])
        force = get_object_or_404(Force, slug=self.kwargs["slug"])
        return inspection, force


class ForceAnswersView(ForceAnswersMixin, NationalView):
    """One force's answers to every police recommendation of one inspection."""

    action = AccessLog.Action.COMPARE

    def get(self, request, inspection_pk, slug):
        inspection, force = self.objects()
        view = _view(request)
        answers = build_force_answers(inspection, force)
        return TemplateResponse(
            request,
            "national/force_answers.html",
            {
                "inspection": inspection,
                "force": force,
                "answers": answers,
                "view": view,
                "views": _view_counts(answers),
            },
        )


class ForceAnswersExportView(ForceAnswersMixin, NationalView):
    action = AccessLog.Action.EXPORT_COMPARE

    def get(self, request, inspection_pk, slug, fmt):
        inspection, force = self.objects()
        sheet = exports.force_answers_sheet(inspection, force, build_force_answers(inspection, force))
        return _download(sheet, fmt, f"{inspection.slug}-{force.slug}")


class SearchMixin:
    def parse_request(self):
        """(form, parsed query, filters, kind, page, notes): bad parts are dropped and said so."""
        request = self.request
        params = request.GET.copy()
        notes = []
        raw = params.get("q", "").replace("\x00", "")
        if len(raw) > MAX_QUERY_LENGTH:
            notes.append(
                _("Only the first %(count)d characters of your search were used.")
                % {"count": MAX_QUERY_LENGTH}
            )
            raw = raw[:MAX_QUERY_LENGTH]
        params["q"] = raw
        for key in ("force", "inspection", "recommendation", "date_from", "date_to"):
            if key in params:
                params[key] = params[key].replace("\x00", "")
        form = SearchForm(params)
        form.is_valid()
        data = form.cleaned_data
        q = data.get("q") or ""
        parsed = fulltext.parse(q)
        if q and not parsed.searchable:
            notes.append(
                _(
                    "Your search has no words that can be looked for: symbols and very common words "
                    "such as “the” or “and” are left out, and a search cannot only leave words out. "
                    "Try other words."
                )
            )
        filters = fulltext.SearchFilters(
            force_id=data["force"].pk if data.get("force") else None,
            inspection_id=data["inspection"].pk if data.get("inspection") else None,
            recommendation_id=data["recommendation"].pk if data.get("recommendation") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
        kind = params.get("in", "")
        kind = kind if kind in fulltext.KINDS else "updates"
        try:
            page = int(params.get("page", "1"))
        except ValueError:
            page = 1
            notes.append(_("That page number makes no sense; this is the first page."))
        return form, q, parsed, filters, kind, page, notes


class SearchView(SearchMixin, NationalView):
    action = AccessLog.Action.SEARCH

    def get(self, request):
        form, q, parsed, filters, kind, page, notes = self.parse_request()
        results = fulltext.search(parsed, filters, kind=kind, page=page) if parsed.searchable else None
        if results is not None and results.page_past_end:
            notes.append(
                _("There is no page %(asked)d: these are the last results, page %(page)d.")
                % {"asked": page, "page": results.page}
            )
        return TemplateResponse(
            request,
            "national/search_results.html",
            {
                "form": form,
                "q": q,
                "results": results,
                "notes": notes,
                "searched": results is not None,
                "examples": SEARCH_EXAMPLES,
                "kinds": [("updates", _("Progress updates")), ("responses", _("Published responses"))],
            },
        )


class SearchExportView(SearchMixin, NationalView):
    action = AccessLog.Action.EXPORT_SEARCH

    def get(self, request, fmt):
        form, q, parsed, filters, kind, page, notes = self.parse_request()
        hits = fulltext.all_hits(parsed, filters, kind) if parsed.searchable else []
        return _download(exports.search_sheet(kind, hits), fmt, f"search-{kind}")


def _download(sheet, fmt, stem) -> HttpResponse:
    content, content_type = exports.render(sheet, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
