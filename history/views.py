"""Pages to bring in a force's published responses: upload, preview and correct, confirm.

They run inside the force's scope (ForceScopeMiddleware): DocumentImport.objects finds only the
URL's force's rows, so another force's preview by id is a 404. Only people who may change the
force's records (its OPCC staff and chief officers) and administrators (who bring in any force's
published history, one letter or a zip of them) use them; everyone else gets 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from forces.permissions import IMPORT_HISTORY, administrator_required, force_permission_required

from . import services
from .forms import BatchUploadForm, CorrectionForm, ReportForm, UploadForm
from .mapping import describe_flag
from .models import DocumentBatch, DocumentImport


def _see_other(to, **kwargs):
    response = redirect(to, **kwargs)
    response.status_code = 303
    return response


def _get(request, pk) -> DocumentImport:
    return get_object_or_404(
        DocumentImport.objects.select_related("force", "inspection", "uploaded_by", "response"), pk=pk
    )


@force_permission_required(IMPORT_HISTORY)
def import_list(request, force_slug):
    documents = DocumentImport.objects.filter(force=request.force).select_related("inspection", "uploaded_by")
    return render(request, "history/import_list.html", {"force": request.force, "documents": documents})


@force_permission_required(IMPORT_HISTORY)
def import_upload(request, force_slug):
    force = request.force
    form = UploadForm(request.POST or None, request.FILES or None, force=force)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.start_import(
                force, form.cleaned_data["inspection"], form.cleaned_data["document"], user=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("document", message)
        except PermissionDenied as exc:
            raise Http404 from exc
        else:
            return _see_other("history:preview", force_slug=force.slug, pk=document.pk)
    return render(request, "history/import_upload.html", {"force": force, "form": form})


def _flag_text(flag: str) -> str:
    kind, values = describe_flag(flag)
    words = {
        "printed": _(
            "The document numbers it %(printed)s; its text is recommendation %(actual)s's, so it is mapped to %(actual)s."
        ),
        "several_places": _("Answered in more than one place in the document: the parts are joined."),
        "text_differs": _(
            "The document numbers it %(printed)s but quotes a text that is not this inspection's recommendation %(printed)s: check that it answers this inspection."
        ),
    }.get(kind)
    return (words % values) if words else flag


def _set_aside_text(why: str) -> str:
    kind, _sep, number = why.partition(":")
    if kind == "other_agency":
        return _("An answer to recommendation %(number)s, which is not addressed to police forces") % {
            "number": number
        }
    return _("Taken as not an answer (a heading, a recommendation's own text, a signature or a letterhead)")


def _warning_text(warning: str) -> str:
    return {
        "number_only": _(
            "Every answer was found by its number only: the document quotes none of this inspection's recommendations. Check that it answers this inspection."
        ),
    }.get(warning, warning)


def _initial(payload: dict) -> dict:
    pcc = payload.get("pcc") or {}
    chief = payload.get("chief_officer") or {}
    initial = {
        "response_date": payload.get("response_date"),
        "date_unknown": not payload.get("response_date"),
        "pcc_name": pcc.get("name", ""),
        "pcc_title": pcc.get("title", ""),
        "chief_name": chief.get("name", ""),
        "chief_title": chief.get("title", ""),
        "chief_dated": chief.get("dated"),
    }
    for index, number in payload["assign"].items():
        initial[f"line_{index}"] = str(number) if number is not None else ""
    return initial


def _preview_context(document: DocumentImport, form=None) -> dict:
    context = {"force": document.force, "document": document}
    payload = document.reading
    if document.status not in (DocumentImport.Status.READY, DocumentImport.Status.CONFIRMED) or not payload:
        return context
    lines = payload["lines"]
    indexes = sorted(int(i) for i in payload["assign"])
    if form is None:
        form = CorrectionForm(initial=_initial(payload), lines=indexes, police=payload["police"])
    rows = []
    for number in payload["police"]:
        meta = payload["answers"].get(str(number), {})
        rows.append(
            {
                "number": number,
                "matched_by": meta.get("matched_by", ""),
                "confidence": meta.get("confidence", 0),
                "flags": [_flag_text(f) for f in meta.get("flags", [])],
                "voice": meta.get("voice", "pcc"),
                "paragraphs": [
                    {"index": i, "text": lines[i]["text"], "field": form[f"line_{i}"]}
                    for i in services.answer_lines(payload, number)
                ],
            }
        )
    context.update(
        {
            "form": form,
            "rows": rows,
            "unassigned": [
                {"index": i, "text": lines[i]["text"], "field": form[f"line_{i}"]}
                for i in services.unassigned_lines(payload)
            ],
            "set_aside": [
                {
                    "index": i,
                    "text": lines[i]["text"],
                    "why": _set_aside_text(why),
                    "field": form[f"line_{i}"],
                }
                for i, why in services.set_aside_lines(payload)
            ],
            "warnings": [_warning_text(w) for w in payload.get("warnings", [])],
            "payload": payload,
        }
    )
    return context


@force_permission_required(IMPORT_HISTORY)
def import_preview(request, force_slug, pk):
    document = _get(request, pk)
    return render(request, "history/import_preview.html", _preview_context(document))


@force_permission_required(IMPORT_HISTORY)
@require_POST
def import_correct(request, force_slug, pk):
    document = _get(request, pk)
    if document.status != DocumentImport.Status.READY:
        raise Http404
    payload = document.reading
    form = CorrectionForm(
        request.POST, lines=sorted(int(i) for i in payload["assign"]), police=payload["police"]
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.correct_preview(
                document,
                user=request.user,
                assignments=form.assignments(),
                response_date=data["response_date"],
                date_known=not data["date_unknown"],
                authors={
                    "pcc": {"name": data["pcc_name"], "title": data["pcc_title"]},
                    "chief_officer": {
                        "name": data["chief_name"],
                        "title": data["chief_title"],
                        "dated": data["chief_dated"],
                    },
                },
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Your corrections are saved. Nothing is imported until you confirm."))
            return _see_other("history:preview", force_slug=force_slug, pk=pk)
    return render(request, "history/import_preview.html", _preview_context(document, form), status=200)


@force_permission_required(IMPORT_HISTORY)
@require_POST
def import_confirm(request, force_slug, pk):
    document = _get(request, pk)
    try:
        services.confirm_import(document, user=request.user)
    except ValidationError as exc:
        context = _preview_context(document)
        context["confirm_errors"] = exc.messages
        return render(request, "history/import_preview.html", context)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("The response and its progress updates are imported."))
    return _see_other("history:preview", force_slug=force_slug, pk=pk)


@force_permission_required(IMPORT_HISTORY)
@require_POST
def import_delete(request, force_slug, pk):
    document = _get(request, pk)
    try:
        services.delete_import(document, user=request.user)
    except ValidationError as exc:
        context = _preview_context(document)
        context["confirm_errors"] = exc.messages
        return render(request, "history/import_preview.html", context)
    messages.success(request, _("The uploaded file is deleted."))
    return _see_other("history:list", force_slug=force_slug)


@force_permission_required(IMPORT_HISTORY)
def import_download(request, force_slug, pk):
    """The kept original document, as uploaded: always a download, never shown inline."""
    document = _get(request, pk)
    try:
        handle = services.open_kept_file(document, user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@administrator_required
def batch_list(request):
    batches = DocumentBatch.objects.select_related("inspection", "uploaded_by")[:50]
    return render(request, "history/batch_list.html", {"batches": batches})


@administrator_required
def batch_upload(request):
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.start_batch(
                form.cleaned_data["inspection"], form.cleaned_data["letters"], user=request.user
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("letters", message)
        else:
            return _see_other("history:batch", pk=batch.pk)
    return render(request, "history/batch_upload.html", {"form": form})


def _batch_context(batch: DocumentBatch) -> dict:
    documents = {document.pk: document for document in services.batch_documents(batch)}
    rows = [{**entry, "document": documents.get(entry.get("document"))} for entry in batch.letters]
    ready = [row for row in rows if row["document"] and row["document"].status == DocumentImport.Status.READY]
    return {"batch": batch, "rows": rows, "ready": len(ready)}


@administrator_required
def batch_detail(request, pk):
    batch = get_object_or_404(DocumentBatch.objects.select_related("inspection", "uploaded_by"), pk=pk)
    return render(request, "history/batch_detail.html", _batch_context(batch))


@administrator_required
@require_POST
def batch_delete_file(request, pk):
    batch = get_object_or_404(DocumentBatch.objects.select_related("inspection"), pk=pk)
    try:
        services.delete_batch_file(batch, user=request.user)
    except ValidationError as exc:
        context = _batch_context(batch)
        context["confirm_errors"] = exc.messages
        return render(request, "history/batch_detail.html", context)
    messages.success(request, _("The uploaded zip is deleted. The letters kept from it stay."))
    return _see_other("history:batch", pk=pk)


@administrator_required
@require_POST
def batch_confirm(request, pk):
    batch = get_object_or_404(DocumentBatch.objects.select_related("inspection"), pk=pk)
    confirmed, refused = services.confirm_batch(batch, user=request.user)
    if not refused:
        messages.success(
            request,
            ngettext(
                "%(count)s response and its progress updates are imported.",
                "%(count)s responses and their progress updates are imported.",
                len(confirmed),
            )
            % {"count": len(confirmed)},
        )
        return _see_other("history:batch", pk=pk)
    context = _batch_context(batch)
    context["confirmed"] = confirmed
    context["confirm_errors"] = [f"{document.original_name}: {message}" for document, message in refused]
    return render(request, "history/batch_detail.html", context)


@administrator_required
def report_read(request):
    """Administrators: an inspection report in, read, corrected, then checked by the inspection import."""
    form = ReportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if (data.get("findings") or "").strip():
            options = {
                "title": data["title"],
                "slug": "",
                "kind": data["kind"],
                "url": "",
                "lead_inspectorate": data["lead_inspectorate"],
                "timescale_months": data["timescale_months"],
                "published_on": data["published_on"].isoformat(),
                "inspectorates": "\n".join(
                    line.strip() for line in (data.get("inspectorates") or "").splitlines() if line.strip()
                ),
            }
            try:
                job = services.start_report_check(
                    user=request.user, options=options, findings=data["findings"]
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("findings", message)
            else:
                return _see_other(job.get_absolute_url())
        else:
            try:
                result = services.read_report_document(data.get("report"), data.get("pasted") or "")
            except (ValidationError, services.reading.UnreadableDocument) as exc:
                messages_ = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                for message in messages_:
                    form.add_error("report", message)
            else:
                if not result.findings:
                    form.add_error("report", _("No numbered recommendation was found in the report."))
                else:
                    form = type(form)(
                        initial={
                            "title": result.title,
                            "kind": data["kind"],
                            "published_on": result.published_on,
                            "lead_inspectorate": result.inspectorates[0] if result.inspectorates else "",
                            "inspectorates": "\n".join(result.inspectorates),
                            "timescale_months": result.timescale_months,
                            "findings": services.findings_as_lines(result),
                        }
                    )
    return render(request, "history/report_read.html", {"form": form, "result": result})
