from itertools import groupby

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, TemplateView

from .models import Record


class ForceOverviewView(TemplateView):
    """A force's records of recommendations in its open inspections."""

    template_name = "recommendations/force_overview.html"

    def get_context_data(self, **kwargs):
        records = list(Record.objects.in_open_inspections().for_overview())
        by_inspection = [
            (inspection, list(rows))
            for inspection, rows in groupby(records, key=lambda r: r.recommendation.inspection)
        ]
        return super().get_context_data(force=self.request.force, by_inspection=by_inspection, **kwargs)


class RecordDetailView(DetailView):
    """One record: the recommendation as published, its owners, dates and timeline."""

    template_name = "recommendations/record_detail.html"
    context_object_name = "record"

    def get_object(self, queryset=None):
        # Record.objects is scoped to the URL's force: another force's id is simply not found.
        return get_object_or_404(
            Record.objects.select_related("recommendation__inspection", "force").prefetch_related(
                "owners", "recommendation__addressees"
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        updates = self.object.updates.select_related("author").order_by("-dated", "-created_at", "-pk")
        return super().get_context_data(updates=updates, **kwargs)
