"""Pages of a force's section 55 responses, and the public page of its published ones.

Force pages run inside the force's scope (ForceScopeMiddleware): Response.objects only finds the
URL's force's rows. Views that change data answer 404 to anyone who may not change them, and
turn the services' refusals into GOV.UK errors.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_scopes import scope

from forces.models import Force
from forces.permissions import EDIT, PUBLISH, force_permission_required
from forces.services import holders_on
from recommendations.models import Inspection
from recommendations.views_home import page_links, request_page

from . import services
from .forms import HashCheckForm, LedgerForm, LetterheadForm, PublishForm, ResponseEditForm, SignOffForm
from .letterheads import digest_to_sign
from .models import Letterhead, LetterRender, Response, ResponseCopy, ResponseVersion, Signature


def _see_other(to, **kwargs):
    """Post/redirect/get with 303 See Other: the answer to a form that did its work."""
    response = redirect(to, **kwargs)
    response.status_code = 303
    return response


def _get_response(request, pk) -> Response:
    return get_object_or_404(
        Response.objects.select_related(
            "force", "inspection", "current_version", "published_version", "published_by"
        ),
        pk=pk,
    )


def _errors(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# A page of the responses list: inspections at a time.
RESPONSES_PER_PAGE = 25


def response_list(request, force_slug):
    """The force's responses, one per inspection that concerns it, with their deadlines and state.

    A page of inspections at a time (a force answers some 30 a year and keeps years of them); only
    the page's responses are read.
    """
    force = request.force
    inspections = Inspection.objects.with_records(force).order_by("-published_on", "title", "pk")
    page = request_page(request, inspections, RESPONSES_PER_PAGE)
    shown = page.object_list
    responses = {
        r.inspection_id: r
        for r in Response.objects.filter(force=force, inspection__in=shown).select_related(
            "force", "inspection", "current_version", "published_version"
        )
    }
    rows = [(inspection, responses.get(inspection.pk)) for inspection in shown]
    return render(
        request,
        "responses/response_list.html",
        {"force": force, "rows": rows, "page": page, "page_links": page_links(page)},
    )


@require_POST
@force_permission_required(EDIT)
def response_start(request, force_slug, inspection_pk):
    inspection = get_object_or_404(Inspection.objects.with_records(request.force), pk=inspection_pk)
    response = services.start_response(request.force, inspection, user=request.user)
    return _see_other("responses:edit", force_slug=force_slug, pk=response.pk)


def _detail_context(request, response, **extra):
    version = response.current_version
    sections = list(version.sections.select_related("recommendation"))
    access = request.force_access
    latest = LetterRender.objects.filter(version=version).first()
    context = {
        "force": response.force,
        "response": response,
        "version": version,
        "sections": sections,
        "latest_render": latest,
        "current_letter": services.current_letter(version),
        "published_letter": services.current_letter(response.published_version)
        if response.published_version
        else None,
        "copies": list(ResponseCopy.objects.filter(response=response)),
        "can_edit": access.can_edit,
        "can_sign_off": access.can_sign_off and response.status == Response.Status.AWAITING_SIGN_OFF,
        "can_publish": response.status == Response.Status.SIGNED_OFF and access.can_publish,
        "can_submit": access.can_edit and response.status == Response.Status.DRAFT,
        "content_sha256": digest_to_sign(version, sections),
        "welsh_gaps": services.welsh_gaps(version, sections),
        "ledger": services.ledger(response),
        # Who held office on the response's date (today for a response not yet dated).
        "holders": holders_on(response.force, response.office_date),
        "errors": [],
    }
    context.setdefault(
        "sign_off_form",
        SignOffForm(initial={"version": version.number, "content_sha256": context["content_sha256"]}),
    )
    context.setdefault("publish_form", PublishForm())
    context.update(extra)
    return context


def response_detail(request, force_slug, pk):
    response = _get_response(request, pk)
    return render(request, "responses/response_detail.html", _detail_context(request, response))


@force_permission_required(EDIT)
def response_edit(request, force_slug, pk):
    response = _get_response(request, pk)
    version = response.current_version
    sections = list(version.sections.select_related("recommendation"))
    welsh = response.force.welsh_language_standards
    if request.method == "POST":
        form = ResponseEditForm(request.POST, sections=sections, welsh=welsh)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.save_draft(
                    response,
                    user=request.user,
                    fields={name: data[name] for name in services.TEXT_FIELDS if name in data},
                    sections=form.section_texts(),
                    sections_cy=form.section_texts_cy(),
                    chief_comments_due_on=data["chief_comments_due_on"],
                    expected_version=data["expected_version"],
                )
            except ValidationError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                if result.new_version:
                    messages.success(
                        request,
                        _(
                            "Saved as version %(number)s. It needs a new sign-off; the signed version is unchanged."
                        )
                        % {"number": result.version.number},
                    )
                else:
                    messages.success(request, _("Draft saved."))
                return _see_other(response.get_absolute_url())
    else:
        form = ResponseEditForm(
            initial=ResponseEditForm.initial_for(response, version), sections=sections, welsh=welsh
        )
    return render(
        request,
        "responses/response_edit.html",
        {"force": response.force, "response": response, "version": version, "form": form},
    )


@require_POST
@force_permission_required(EDIT)
def response_submit(request, force_slug, pk):
    response = _get_response(request, pk)
    try:
        services.submit_for_sign_off(response, user=request.user)
    except ValidationError as exc:
        return render(
            request, "responses/response_detail.html", _detail_context(request, response, errors=_errors(exc))
        )
    messages.success(request, _("Sent to the chief officer for sign-off."))
    return _see_other(response.get_absolute_url())


@require_POST
@force_permission_required(PUBLISH)
def response_publish(request, force_slug, pk):
    response = _get_response(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.publish(response, user=request.user, published_on=form.cleaned_data["published_on"])
        except ValidationError as exc:
            for message in _errors(exc):
                form.add_error(None, message)
        else:
            messages.success(
                request, _("Published. Copies are being sent to HMICFRS and the Home Secretary.")
            )
            return _see_other(response.get_absolute_url())
    response.refresh_from_db()
    return render(
        request, "responses/response_detail.html", _detail_context(request, response, publish_form=form)
    )


def response_history(request, force_slug, pk):
    response = _get_response(request, pk)
    versions = list(
        ResponseVersion.objects.filter(response=response)
        .select_related("created_by", "signed_off_by")
        .prefetch_related("sections__recommendation")
        .order_by("-number")
    )
    return render(
        request,
        "responses/response_history.html",
        {"force": response.force, "response": response, "versions": versions},
    )


@require_POST
@force_permission_required(EDIT)
def letter_render(request, force_slug, pk):
    """Queue a render of the current version's letter (or a retry after a failure)."""
    response = _get_response(request, pk)
    try:
        services.request_render(response.current_version, user=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:  # a published letter is never rendered again
        for message in _errors(exc):
            messages.error(request, message)
        return _see_other(response.get_absolute_url() + "#letter")
    messages.success(request, _("The letter is being prepared. This page shows when it is ready."))
    return _see_other(response.get_absolute_url() + "#letter")


def letter_status(request, force_slug, pk):
    """The letter job's state as JSON, for the status panel's script."""
    response = _get_response(request, pk)
    render_row = LetterRender.objects.filter(version=response.current_version).first()
    if render_row is None:
        return JsonResponse({"status": "none"})
    data = {
        "id": render_row.pk,
        "status": render_row.status,
        "status_label": render_row.get_status_display(),
        "stale": render_row.is_stale(),
        "error": render_row.error,
    }
    if render_row.status == LetterRender.Status.DONE:
        data["download_url"] = reverse(
            "responses:letter-download",
            kwargs={"force_slug": force_slug, "pk": response.pk, "render_pk": render_row.pk},
        )
        data["sha256"] = render_row.sha256
    return JsonResponse(data)


def _pdf_response(render_row: LetterRender, *, inline=False):
    root = Path(settings.MEDIA_ROOT).resolve()
    path = (root / render_row.file).resolve()
    if not render_row.file or root not in path.parents or not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=not inline,
        filename=render_row.filename,
        content_type="application/pdf",
    )


def letter_download(request, force_slug, pk, render_pk):
    response = _get_response(request, pk)
    render_row = get_object_or_404(
        LetterRender.objects.select_related("version", "force"),
        pk=render_pk,
        version__response=response,
        status=LetterRender.Status.DONE,
    )
    return _pdf_response(render_row)


# Public pages: no sign-in. The URL names the force by `slug` (not `force_slug`, which would make
# the middleware ask for membership); each view enters the force's scope itself and shows only
# published versions.


def _public_force(slug) -> Force:
    return get_object_or_404(Force, slug=slug)


def _published(force, pk=None):
    queryset = (
        Response.objects.filter(force=force, published_version__isnull=False)
        .select_related("inspection", "published_version", "force")
        .prefetch_related("force__office_holdings")  # who held office on each response's date
    )
    if pk is None:
        return queryset
    return get_object_or_404(queryset, pk=pk)


@login_not_required
def public_list(request, slug):
    force = _public_force(slug)
    with scope(force=force.pk):
        published = _published(force).order_by("-inspection__published_on", "inspection__title", "pk")
        page = request_page(request, published, RESPONSES_PER_PAGE)
        responses = page.object_list
        letters = {
            letter.version_id: letter
            for letter in LetterRender.objects.filter(
                version__in=[r.published_version_id for r in responses], is_current=True
            )
        }
        rows = [(r, letters.get(r.published_version_id)) for r in responses]
        return render(
            request,
            "responses/public_list.html",
            {"force": force, "rows": rows, "page": page, "page_links": page_links(page)},
        )


@login_not_required
def public_detail(request, slug, pk):
    """A published response as accessible HTML, its PDF, and a check of a file against its SHA-256."""
    force = _public_force(slug)
    with scope(force=force.pk):
        response = _published(force, pk)
        version = response.published_version
        letter = services.current_letter(version)
        result = None
        if request.method == "POST":
            form = HashCheckForm(request.POST, request.FILES)
            if form.is_valid():
                digest = hashlib.sha256()
                for chunk in form.cleaned_data["file"].chunks():
                    digest.update(chunk)
                result = {
                    "sha256": digest.hexdigest(),
                    "matches": bool(letter) and digest.hexdigest() == letter.sha256,
                }
        else:
            form = HashCheckForm()
        return render(
            request,
            "responses/public_detail.html",
            {
                "force": force,
                "response": response,
                "version": version,
                "sections": list(version.sections.select_related("recommendation")),
                "letter": letter,
                "form": form,
                "result": result,
            },
        )


@login_not_required
def public_letter(request, slug, pk):
    force = _public_force(slug)
    with scope(force=force.pk):
        response = _published(force, pk)
        letter = services.current_letter(response.published_version)
        if letter is None:
            raise Http404
        return _pdf_response(letter)


@force_permission_required(EDIT)
def response_ledger(request, force_slug, pk):
    """OPCC staff record the s55 steps: invitation, the chief officer's comments, signing, address."""
    response = _get_response(request, pk)
    if request.method == "POST":
        form = LedgerForm(request.POST)
        if form.is_valid():
            try:
                services.record_ledger(response, user=request.user, values=form.cleaned_data)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("The response's steps are saved."))
                return _see_other(f"{response.get_absolute_url()}#ledger")
    else:
        form = LedgerForm(initial={name: getattr(response, name) for name in LedgerForm.base_fields})
    return render(
        request,
        "responses/response_ledger.html",
        {"force": response.force, "response": response, "form": form},
    )


@force_permission_required(EDIT)
def letterhead_edit(request, force_slug):
    """The force's letterhead and signatures, kept by its OPCC staff. Bad files: error summary, nothing stored."""
    force = request.force
    letterhead = Letterhead.objects.filter(force=force).first()
    welsh = force.welsh_language_standards
    if request.method == "POST":
        form = LetterheadForm(request.POST, request.FILES, welsh=welsh)
        if form.is_valid():
            data = form.cleaned_data
            fields = {name: data[name] for name in services.LETTERHEAD_FIELDS if name in data}
            fields["signatory_name"] = data.get("signatory_name", "")
            try:
                services.save_letterhead(
                    force,
                    user=request.user,
                    fields=fields,
                    logo=data.get("logo"),
                    remove_logo=data.get("remove_logo", False),
                    signature=data.get("signature"),
                )
            except ValidationError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Letterhead saved. Letters rendered from now on use it."))
                return _see_other("responses:letterhead", force_slug=force.slug)
    else:
        initial = (
            {name: getattr(letterhead, name) for name in services.LETTERHEAD_FIELDS} if letterhead else {}
        )
        initial.setdefault("address", force.letterhead_address)
        initial["signatory_name"] = force.commissioner_name
        form = LetterheadForm(initial=initial, welsh=welsh)
    return render(
        request,
        "responses/letterhead_edit.html",
        {
            "force": force,
            "form": form,
            "letterhead": letterhead,
            "signatures": list(Signature.objects.filter(force=force)),
        },
    )
