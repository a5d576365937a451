"""Pages of a force's progress: overview, record, and the forms that add to a record's timeline.

Views parse, call a service and render. Every view runs inside the URL force's scope
(forces.middleware), so another force's id is a 404; views that change data also answer 404 when
the user may only read (national team, administrators) or is not a chief officer where one is needed.
"""

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, TemplateView, View

from forces.permissions import EDIT, SIGN_OFF, ForcePermissionRequiredMixin
from reminders.services import record_reminder_status

from . import evidence, listing, services
from .forms import (
    ClosureRequestForm,
    ExtensionDecisionForm,
    ExtensionRequestForm,
    HmicfrsClosureForm,
    HmicfrsReferenceForm,
    LastDayOverrideForm,
    NoFurtherActionForm,
    OverviewFilterForm,
    OwnerForm,
    ProgressUpdateForm,
    RecordOwnersForm,
    SignOffForm,
)
from .models import (
    ANSWER_KINDS,
    Attachment,
    DueDateExtension,
    Inspection,
    Owner,
    ProgressUpdate,
    Record,
    RecordQuerySet,
)
from .views_home import page_links

Status = Record.Status


class ForceOverviewView(TemplateView):
    """A force's records of recommendations in its open inspections, with filters and counts."""

    template_name = "recommendations/force_overview.html"
    inspections_per_page = 5

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        base = Record.objects.in_open_inspections()
        inspections = Inspection.objects.filter(is_open=True, recommendations__records__in=base).distinct()
        owners = list(Owner.objects.all())
        form = OverviewFilterForm(self.request.GET or None, inspections=inspections, owners=owners)
        records = base.for_overview()
        sort = "number"
        if form.is_valid():
            data = form.cleaned_data
            if data["inspection"]:
                records = records.filter(recommendation__inspection_id=data["inspection"])
            if data["status"]:
                records = records.filter(status=data["status"])
            if data["owner"] == 0:
                records = records.filter(owners__isnull=True)
            elif data["owner"]:
                records = records.filter(owners=data["owner"])
            if data["overdue"]:
                records = records.overdue(today)
            if data.get("closure"):
                records = records.at_closure_stage(data["closure"])
            sort = data["sort"] or "number"
        inspection_order = ["-recommendation__inspection__published_on", "recommendation__inspection_id"]
        if sort == "due":
            records = records.order_by(*inspection_order, "current_due_on", "recommendation__number")
        else:
            records = records.order_by(*inspection_order, "recommendation__kind", "recommendation__number")
        # A page of inspections at a time, so that the page stays short however many a force answers;
        # only the page's records are read.
        page = Paginator(
            Inspection.objects.filter(pk__in=records.values("recommendation__inspection_id")).order_by(
                "-published_on", "pk"
            ),
            self.inspections_per_page,
        ).get_page(self.request.GET.get("page"))
        shown = records.distinct().count()
        records = records.filter(recommendation__inspection__in=list(page.object_list))
        records = list(records.distinct())
        listing.attach_latest_answers(records)
        stale_after = listing.stale_after_days(self.request.force)
        for record in records:
            record.days_left = record.days_to_due(today)
            record.stale_days = listing.stale_days(record, today, stale_after)
        by_inspection = [
            (inspection, list(rows))
            for inspection, rows in groupby(records, key=lambda r: r.recommendation.inspection)
        ]
        counts = base.aggregate(
            not_started=Count("pk", filter=Q(status=Status.NOT_STARTED)),
            in_progress=Count("pk", filter=Q(status=Status.IN_PROGRESS)),
            awaiting_sign_off=Count("pk", filter=Q(status=Status.AWAITING_SIGN_OFF)),
            complete=Count("pk", filter=Q(status=Status.COMPLETE)),
            overdue=Count("pk", filter=RecordQuerySet.overdue_q(today)),
        )
        return super().get_context_data(
            force=self.request.force,
            by_inspection=by_inspection,
            page=page,
            page_links=page_links(page),
            counts=counts,
            filter_form=form,
            shown=shown,
            stale_after=stale_after,
            **kwargs,
        )


def _record_or_404(pk):
    # Record.objects is scoped to the URL's force: another force's id is simply not found.
    return get_object_or_404(
        Record.objects.select_related("recommendation__inspection", "force", "latest_update"), pk=pk
    )


class RecordDetailView(DetailView):
    """One record: the recommendation as published, its owners, dates and timeline."""

    template_name = "recommendations/record_detail.html"
    context_object_name = "record"

    def get_object(self, queryset=None):
        return get_object_or_404(
            Record.objects.select_related("recommendation__inspection", "force").prefetch_related(
                "owners", "recommendation__addressees"
            ),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        record = self.object
        access = self.request.force_access
        updates = (
            record.updates.select_related("author", "corrects")
            .prefetch_related(
                "attachments", Prefetch("corrections", queryset=ProgressUpdate.objects.order_by("pk"))
            )
            .order_by("-dated", "-created_at", "-pk")
        )
        extensions = list(record.extensions.select_related("requested_by", "decided_by"))
        pending = next((e for e in extensions if e.is_pending), None)
        can_edit = bool(access and access.can_edit)
        can_sign_off = bool(access and access.can_sign_off)
        reminders = record_reminder_status(record)
        return super().get_context_data(
            reminders_sent=reminders["reminders_sent"],
            unreachable_owners=reminders["unreachable_owners"],
            updates=updates,
            extensions=extensions,
            pending_extension=pending,
            can_edit=can_edit,
            can_sign_off=can_sign_off,
            can_request_closure=can_edit and record.status in (Status.NOT_STARTED, Status.IN_PROGRESS),
            can_decide_closure=can_sign_off and record.status == Status.AWAITING_SIGN_OFF,
            can_close_nfa=can_sign_off and record.status in (Status.NOT_STARTED, Status.IN_PROGRESS),
            can_request_extension=can_edit and not record.is_closed and pending is None,
            **kwargs,
        )


class ForceActionMixin(ForcePermissionRequiredMixin):
    """Refuses (404) users who may not act on the record, then loads the record of the URL."""

    needs_sign_off = False
    success_message = ""

    def get_force_permissions(self):
        return SIGN_OFF if self.needs_sign_off else EDIT

    def dispatch(self, request, *args, **kwargs):
        self.record = self.get_record()
        return super().dispatch(request, *args, **kwargs)

    def get_record(self):
        return _record_or_404(self.kwargs["pk"])

    def get_initial(self):
        return {**super().get_initial(), "version": self.record.version}

    def get_context_data(self, **kwargs):
        return super().get_context_data(record=self.record, force=self.record.force, **kwargs)

    def form_valid(self, form):
        try:
            self.perform(form)
        except ValidationError as error:  # StaleRecord included
            _errors_to_form(form, error)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You cannot do this."))
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.record.get_absolute_url()

    def expected_version(self, form):
        return form.cleaned_data.get("version")


def _errors_to_form(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


class UpdateCreateView(ForceActionMixin, FormView):
    """Add a progress update (or a correction of one) with optional status, RAG and evidence."""

    template_name = "recommendations/update_create.html"
    form_class = ProgressUpdateForm

    def get_record(self):
        self.record = super().get_record()
        self.correcting = self.get_correcting()
        return self.record

    def get_correcting(self):
        raw = self.request.POST.get("corrects") or self.request.GET.get("corrects")
        if not raw:
            return None
        try:
            # Only the force's own words are corrected; a chief officer's decision or a system step is not.
            return get_object_or_404(ProgressUpdate, pk=int(raw), record=self.record, kind__in=ANSWER_KINDS)
        except (TypeError, ValueError):
            raise Http404(_("Page not found")) from None

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "record": self.record,
            "user": self.request.user,
            "allowed": services.allowed_statuses(self.record, access=self.request.force_access),
            "correcting": self.correcting,
        }

    def get_initial(self):
        initial = super().get_initial()
        if self.correcting is not None:
            initial["corrects"] = self.correcting.pk
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(correcting=self.correcting, **kwargs)

    def perform(self, form):
        data = form.cleaned_data
        services.add_progress_update(
            self.record,
            author=self.request.user,
            access=self.request.force_access,
            text=data["text"],
            status=data.get("status") or None,
            rag=data.get("rag") or None,
            corrects=self.correcting,
            expected_version=self.expected_version(form),
            attachments=data.get("evidence") or [],
            voice=data.get("voice") or "",
            author_name=data.get("author_name") or "",
            source_document=data.get("source_document") or "",
            source_dated=data.get("source_dated"),
        )
        self.success_message = (
            _("Correction added") if self.correcting is not None else _("Progress update added")
        )


class AttachmentDownloadView(View):
    """Send an evidence file, only inside its force's scope, always as a download."""

    def get(self, request, *args, **kwargs):
        attachment = get_object_or_404(Attachment.objects.select_related("update"), pk=kwargs["pk"])
        storage = evidence.evidence_storage()
        try:
            handle = storage.open(attachment.file, "rb")
        except (FileNotFoundError, OSError):
            raise Http404(_("Page not found")) from None
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class OwnerListView(TemplateView):
    """The force's owners (people or roles), with e-mails for reminders."""

    template_name = "recommendations/owner_list.html"

    def get_context_data(self, **kwargs):
        owners = Owner.objects.annotate(record_count=Count("records"))
        return super().get_context_data(force=self.request.force, owners=owners, **kwargs)


class OwnerFormView(ForcePermissionRequiredMixin, FormView):
    template_name = "recommendations/owner_form.html"
    form_class = OwnerForm

    def dispatch(self, request, *args, **kwargs):
        self.owner = get_object_or_404(Owner, pk=kwargs["owner_pk"]) if "owner_pk" in kwargs else None
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.owner}

    def get_context_data(self, **kwargs):
        return super().get_context_data(force=self.request.force, owner=self.owner, **kwargs)

    def form_valid(self, form):
        try:
            services.save_owner(
                self.request.force,
                acting_user=self.request.user,
                owner=self.owner,
                **{k: form.cleaned_data[k] for k in ("name", "role_title", "email")},
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Owner changed") if self.owner else _("Owner added"))
        return redirect("recommendations:owner-list", force_slug=self.request.force.slug)


class RecordOwnersView(ForceActionMixin, FormView):
    template_name = "recommendations/record_owners.html"
    form_class = RecordOwnersForm
    success_message = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "force": self.record.force}

    def get_initial(self):
        return {**super().get_initial(), "owners": list(self.record.owners.all())}

    def perform(self, form):
        result = services.set_record_owners(
            self.record,
            acting_user=self.request.user,
            owners=form.cleaned_data["owners"],
            expected_version=self.expected_version(form),
        )
        self.success_message = _("Owners changed") if result else _("The owners are unchanged")


class ClosureRequestView(ForceActionMixin, FormView):
    template_name = "recommendations/closure_request.html"
    form_class = ClosureRequestForm

    def perform(self, form):
        services.request_closure(
            self.record,
            acting_user=self.request.user,
            text=form.cleaned_data["text"],
            expected_version=self.expected_version(form),
            attachments=form.cleaned_data.get("evidence") or [],
        )
        self.success_message = _("Sent to the chief officer for sign-off")


class SignOffView(ForceActionMixin, FormView):
    template_name = "recommendations/record_sign_off.html"
    form_class = SignOffForm
    needs_sign_off = True

    def get_context_data(self, **kwargs):
        from responses.signed_text import signed_text_for_record

        context = super().get_context_data(**kwargs)
        answer = (
            self.record.updates.filter(kind__in=ANSWER_KINDS).order_by("-dated", "-created_at", "-pk").first()
        )
        signed = signed_text_for_record(self.record)
        context.update(answer=answer, signed=signed)
        if signed is not None and answer is not None:
            from responses import diff

            context.update(
                diff.summary(
                    [diff.PartChange(_("The force's answer"), diff.word_diff(signed["text"], answer.text))]
                )
            )
        return context

    def perform(self, form):
        data = form.cleaned_data
        if data["decision"] == "complete":
            services.sign_off(
                self.record,
                acting_user=self.request.user,
                text=data["reason"],
                expected_version=self.expected_version(form),
            )
            self.success_message = _("Signed off as complete")
        else:
            services.return_record(
                self.record,
                acting_user=self.request.user,
                reason=data["reason"],
                expected_version=self.expected_version(form),
            )
            self.success_message = _("Returned to OPCC staff")


class NoFurtherActionView(ForceActionMixin, FormView):
    template_name = "recommendations/record_no_further_action.html"
    form_class = NoFurtherActionForm
    needs_sign_off = True

    def perform(self, form):
        services.close_no_further_action(
            self.record,
            acting_user=self.request.user,
            reason=form.cleaned_data["reason"],
            expected_version=self.expected_version(form),
        )
        self.success_message = _("Closed with no further action")


class ExtensionCreateView(ForceActionMixin, FormView):
    template_name = "recommendations/extension_create.html"
    form_class = ExtensionRequestForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "record": self.record}

    def perform(self, form):
        services.request_extension(
            self.record,
            requested_by=self.request.user,
            new_due_on=form.cleaned_data["new_due_on"],
            reason=form.cleaned_data["reason"],
            expected_version=self.expected_version(form),
        )
        self.success_message = _("Extension requested: a chief officer will decide")


class ExtensionDecideView(ForceActionMixin, FormView):
    template_name = "recommendations/extension_decide.html"
    form_class = ExtensionDecisionForm
    needs_sign_off = True

    def get_record(self):
        self.extension = get_object_or_404(
            DueDateExtension.objects.select_related(
                "record__recommendation__inspection", "record__force", "requested_by"
            ),
            pk=self.kwargs["pk"],
        )
        return self.extension.record

    def get_initial(self):
        return {}

    def get_context_data(self, **kwargs):
        return super().get_context_data(extension=self.extension, **kwargs)

    def perform(self, form):
        approve = form.cleaned_data["decision"] == "approve"
        services.decide_extension(
            self.extension,
            decided_by=self.request.user,
            approve=approve,
            reason=form.cleaned_data["decision_reason"],
        )
        self.success_message = _("Extension approved") if approve else _("Extension refused")


class HmicfrsClosureView(ForceActionMixin, FormView):
    """OPCC staff record HMICFRS's closure notice: a third event beside "implemented" and sign-off."""

    template_name = "recommendations/hmicfrs_closure.html"
    form_class = HmicfrsClosureForm

    def get_initial(self):
        return {**super().get_initial(), "register_reference": self.record.hmicfrs_reference}

    def perform(self, form):
        data = form.cleaned_data
        with transaction.atomic():
            record = services.record_hmicfrs_closure(
                self.record,
                user=self.request.user,
                closed_on=data["closed_on"],
                reference=data["reference"],
                basis=data["basis"],
                expected_version=self.expected_version(form),
            )
            if data["register_reference"] != record.hmicfrs_reference:
                services.set_hmicfrs_reference(
                    record, user=self.request.user, reference=data["register_reference"]
                )
        self.success_message = _("HMICFRS's closure recorded")


class HmicfrsReferenceView(ForceActionMixin, FormView):
    """OPCC staff set (or correct) HMICFRS's register reference for the record, at any time."""

    template_name = "recommendations/hmicfrs_reference.html"
    form_class = HmicfrsReferenceForm

    def get_initial(self):
        return {**super().get_initial(), "hmicfrs_reference": self.record.hmicfrs_reference}

    def perform(self, form):
        services.set_hmicfrs_reference(
            self.record,
            user=self.request.user,
            access=self.request.force_access,
            reference=form.cleaned_data["hmicfrs_reference"],
            expected_version=self.expected_version(form),
        )
        self.success_message = _("HMICFRS register reference saved")


class LastDayOverrideView(FormView):
    """Administrators set a different last day to publish for one inspection, with its reason."""

    template_name = "recommendations/last_day_override.html"
    form_class = LastDayOverrideForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise Http404
        self.inspection = get_object_or_404(Inspection, slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {
            "response_due_override_on": self.inspection.response_due_override_on,
            "response_due_override_reason": self.inspection.response_due_override_reason,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(inspection=self.inspection, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.set_last_day_override(
                self.inspection,
                user=self.request.user,
                override_on=data["response_due_override_on"],
                reason=data["response_due_override_reason"],
            )
        except ValidationError as error:
            _errors_to_form(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Last day saved"))
        return redirect("inspections:last-day", slug=self.inspection.slug)
