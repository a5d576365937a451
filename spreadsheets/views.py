"""Pages to import and export spreadsheets. Thin: the form reads the file, services do the rest."""

from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from audit.models import AuditEvent
from audit.services import record_event
from forces.permissions import AdministratorRequiredMixin, ForcePermissionRequiredMixin
from recommendations.models import Inspection, Recommendation, Record

from . import services
from .columns import INSPECTION_COLUMNS, PROGRESS_COLUMNS
from .forms import InspectionImportForm, ProgressImportForm
from .models import ImportJob
from .progress import IMPORT_COLUMNS
from .resources import (
    InspectionExportResource,
    RecordExportResource,
    UpdateExportResource,
    blank_template,
    file_response,
    records_for_export,
    updates_for_export,
)

FORMATS = ("csv", "xlsx")


class ForceEditorMixin(ForcePermissionRequiredMixin):
    """A force's import pages: its OPCC staff and chief officers only; everyone else 404."""


def _check_format(fmt):
    if fmt not in FORMATS:
        raise Http404


class JobContextMixin:
    columns = PROGRESS_COLUMNS

    def job_context(self, job):
        rows = job.result.get("rows", [])
        errors = [{"row": None, "text": error} for error in job.result.get("errors", [])]
        for row in rows:
            errors.extend({"row": row["row"], "text": error} for error in row["errors"])
        return {
            "job": job,
            "rows": rows,
            "problems": errors,
            "warnings": job.result.get("warnings", []),
            "changing_rows": [r for r in rows if r["actions"]],
            "unchanged_count": sum(1 for r in rows if not r["actions"] and not r["errors"]),
            "columns": self.columns,
        }


# --- A force's progress ------------------------------------------------------------------------


class ProgressImportView(ForceEditorMixin, FormView):
    template_name = "spreadsheets/progress_import.html"
    form_class = ProgressImportForm

    def get_form_kwargs(self):
        inspections = Inspection.objects.filter(
            pk__in=Record.objects.values("recommendation__inspection")
        ).order_by("-published_on")
        return {**super().get_form_kwargs(), "inspections": inspections}

    def get_context_data(self, **kwargs):
        jobs = ImportJob.objects.select_related("user", "inspection")[:10]
        return super().get_context_data(force=self.request.force, columns=IMPORT_COLUMNS, jobs=jobs, **kwargs)

    def form_valid(self, form):
        job, table = services.store_upload(
            kind=ImportJob.Kind.PROGRESS,
            user=self.request.user,
            upload=form.cleaned_data["file"],
            force=self.request.force,
            inspection=form.cleaned_data["inspection"],
        )
        services.start(job, commit=False, table=table)
        return redirect(job.get_absolute_url())


class ProgressJobView(ForceEditorMixin, JobContextMixin, TemplateView):
    """The preview of an import (or its progress while a task checks it); POST confirms it."""

    template_name = "spreadsheets/job_detail.html"

    def get_job(self):
        # ImportJob.objects is scoped to the URL's force: another force's job is not found.
        return get_object_or_404(
            ImportJob.objects.select_related("inspection", "force"), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            force=self.request.force, **self.job_context(self.get_job()), **kwargs
        )

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        if job.can_confirm:
            services.start(job, commit=True)
            record_event(request, AuditEvent.Action.IMPORT, summary=f"import {job.pk} confirmed", obj=job)
        elif job.can_retry and request.POST.get("action") == "retry":
            services.retry(job)
        return redirect(job.get_absolute_url())


class JobStatusView(View):
    def get(self, request, *args, **kwargs):
        job = self.get_job()
        processed = cache.get(f"spreadsheets:job:{job.pk}:processed") if job.is_running else None
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "running": job.is_running,
                "row_count": job.row_count,
                "processed": processed if processed is not None else job.processed,
                "url": job.get_absolute_url(),
            }
        )


class ProgressJobStatusView(ForceEditorMixin, JobStatusView):
    def get_job(self):
        return get_object_or_404(ImportJob.objects.select_related("force"), pk=self.kwargs["pk"])


class ProgressTemplateView(View):
    """A blank progress template; any reader of the force may download it (it holds no data)."""

    def get(self, request, force_slug, fmt):
        _check_format(fmt)
        dataset = blank_template(PROGRESS_COLUMNS, _("Progress"))
        return file_response(dataset, fmt, "progress-template", columns=PROGRESS_COLUMNS)


class ForceExportView(View):
    """A force's records (latest update each) or its whole timeline; readers of the force only."""

    def get(self, request, force_slug, what, fmt):
        _check_format(fmt)
        force = request.force
        if what == "records":
            # ?closure=implemented|signed_off|hmicfrs_authorised picks records at one closure event.
            records = records_for_export().at_closure_stage(request.GET.get("closure", ""))
            dataset = RecordExportResource().export(records)
        elif what == "updates":
            dataset = UpdateExportResource().export(updates_for_export())
        else:
            raise Http404
        dataset.title = _("Records") if what == "records" else _("Progress updates")
        record_event(
            request, AuditEvent.Action.EXPORT, summary=f"{force.slug} {what} as {fmt}", what=what, format=fmt
        )
        return file_response(dataset, fmt, f"{force.slug}-{what}", columns=PROGRESS_COLUMNS)


# --- Inspections (administrators) ----------------------------------------------------------------


class InspectionImportView(AdministratorRequiredMixin, FormView):
    template_name = "spreadsheets/inspection_import.html"
    form_class = InspectionImportForm

    def get_context_data(self, **kwargs):
        jobs = ImportJob.inspection_jobs.select_related("user", "inspection")[:10]
        return super().get_context_data(columns=INSPECTION_COLUMNS, jobs=jobs, **kwargs)

    def form_valid(self, form):
        job, table = services.store_upload(
            kind=ImportJob.Kind.INSPECTION,
            user=self.request.user,
            upload=form.cleaned_data["file"],
            options=form.options(),
        )
        services.start(job, commit=False, table=table)
        return redirect(job.get_absolute_url())


class InspectionJobView(AdministratorRequiredMixin, JobContextMixin, TemplateView):
    template_name = "spreadsheets/job_detail.html"
    columns = INSPECTION_COLUMNS

    def get_job(self):
        return get_object_or_404(ImportJob.inspection_jobs.select_related("inspection"), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(**self.job_context(self.get_job()), **kwargs)

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        if job.can_confirm:
            services.start(job, commit=True)
            record_event(request, AuditEvent.Action.IMPORT, summary=f"import {job.pk} confirmed", obj=job)
        return redirect(job.get_absolute_url())


class InspectionJobStatusView(AdministratorRequiredMixin, JobStatusView):
    def get_job(self):
        return get_object_or_404(ImportJob.inspection_jobs, pk=self.kwargs["pk"])


class InspectionTemplateView(AdministratorRequiredMixin, View):
    def get(self, request, fmt):
        _check_format(fmt)
        dataset = blank_template(INSPECTION_COLUMNS, _("Recommendations"))
        return file_response(dataset, fmt, "inspection-template", columns=INSPECTION_COLUMNS)


class InspectionExportView(View):
    """An inspection's recommendations: published reports, so any signed-in user may export them."""

    def get(self, request, slug, fmt):
        _check_format(fmt)
        inspection = get_object_or_404(Inspection, slug=slug)
        recs = Recommendation.objects.filter(inspection=inspection).prefetch_related("addressees")
        dataset = InspectionExportResource().export(recs)
        dataset.title = _("Recommendations")
        record_event(
            request,
            AuditEvent.Action.EXPORT,
            summary=f"{inspection.slug} recommendations as {fmt}",
            obj=inspection,
        )
        return file_response(dataset, fmt, f"{inspection.slug}-recommendations", columns=INSPECTION_COLUMNS)
