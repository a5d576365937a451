"""The national team's pages: the one place that looks across forces, and logs each look.

Every view here answers 404 to anyone but the national team and administrators (an OPCC user must
not learn the pages exist), lifts the force scope explicitly for the view *and* its rendering, and
writes an AccessLog entry. Nothing here changes a force's data.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from django_scopes import scopes_disabled

from audit.models import AuditEvent
from audit.services import record_event
from forces.access import is_national
from recommendations.models import Recommendation

from . import exports
from .dashboard import (
    GROUPS,
    build_compare,
    build_dashboard,
    police_inspections,
    police_recommendations,
    search,
)
from .forms import clean_filters
from .models import AccessLog
from .services import log_access

MAX_QUERY_LENGTH = 200


class NationalView(View):
    """National team and administrators only (everyone else: 404); scope lifted and logged."""

    action: str = ""

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
    def chosen_inspection(self):
        """The inspection asked for (unknown id: 404), or the latest with police recommendations."""
        inspections = list(
            police_inspections().only("pk", "title", "slug", "published_on", "response_due_on")
        )
        raw = self.request.GET.get("inspection", "")
        if raw:
            try:
                wanted = int(raw)
            except ValueError:
                raise Http404("No such inspection.") from None
            inspection = next((i for i in inspections if i.pk == wanted), None)
            if inspection is None:
                raise Http404("No such inspection.")
        else:
            inspection = inspections[0] if inspections else None
        return inspection, inspections


class DashboardView(DashboardMixin, NationalView):
    action = AccessLog.Action.DASHBOARD

    def get(self, request):
        inspection, inspections = self.chosen_inspection()
        filters, form = self.filters()
        dashboard = build_dashboard(inspection, filters) if inspection else None
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
        inspection, _inspections = self.chosen_inspection()
        if inspection is None:
            raise Http404("No inspection to export.")
        filters, _form = self.filters(warn=False)
        dataset = exports.dashboard_dataset(build_dashboard(inspection, filters))
        return _download(dataset, fmt, f"{inspection.slug}-dashboard")


class CompareMixin:
    def recommendation(self):
        return get_object_or_404(Recommendation.objects.select_related("inspection"), pk=self.kwargs["pk"])


class CompareView(CompareMixin, NationalView):
    action = AccessLog.Action.COMPARE

    def get(self, request, pk):
        recommendation = self.recommendation()
        filters, form = self.filters()
        answers = build_compare(recommendation, filters)
        siblings = list(police_recommendations(recommendation.inspection_id).only("pk", "kind", "number"))
        return TemplateResponse(
            request,
            "national/compare_detail.html",
            {
                "recommendation": recommendation,
                "inspection": recommendation.inspection,
                "answers": answers,
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
        dataset = exports.compare_dataset(recommendation, build_compare(recommendation, filters))
        return _download(
            dataset, fmt, f"{recommendation.inspection.slug}-{recommendation.kind}-{recommendation.number}"
        )


class SearchView(NationalView):
    action = AccessLog.Action.SEARCH

    def get(self, request):
        q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
        updates, sections = search(q) if q else ([], [])
        return TemplateResponse(
            request,
            "national/search_results.html",
            {"q": q, "updates": updates, "sections": sections, "searched": bool(q)},
        )


def _download(dataset, fmt, stem) -> HttpResponse:
    content, content_type = exports.render(dataset, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response
