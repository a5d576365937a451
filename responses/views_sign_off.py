"""Signing a response after reading it, and what changed between versions.

The sign-off page shows the version's text first, then what changed since the last signed version,
then the confirmation at its end. Versions are found by number within the URL's response, itself
found in the URL force's scope: another force's or another response's version is a 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from forces.permissions import SIGN_OFF, force_permission_required

from . import diff, services
from .forms import SignOffForm
from .letterheads import digest_to_sign, printed_letterhead, signatory_for
from .models import Response, ResponseVersion
from .views import _errors, _get_response, _see_other


@force_permission_required(SIGN_OFF)
def response_sign_off(request, force_slug, pk):
    """GET: read the version, its changes and confirm at the end. POST: sign it off."""
    response = _get_response(request, pk)
    version = response.current_version
    if version is None:
        raise Http404
    sections = list(version.sections.select_related("recommendation"))
    if request.method == "POST":
        form = SignOffForm(request.POST)
        if form.is_valid():
            try:
                signed = services.sign_off(
                    response,
                    user=request.user,
                    version_number=form.cleaned_data["version"],
                    content_sha256=form.cleaned_data["content_sha256"],
                )
            except ValidationError as exc:
                for message in _errors(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _signed_message(signed.number))
                return _see_other(response.get_absolute_url())
        response.refresh_from_db()
    else:
        form = SignOffForm(
            initial={"version": version.number, "content_sha256": digest_to_sign(version, sections)}
        )
    previous = diff.last_signed_before(version)
    context = {
        "force": response.force,
        "response": response,
        "version": version,
        "sections": sections,
        "previous": previous,
        # What will be printed with the text and frozen with it at sign-off.
        "letterhead": printed_letterhead(version),
        "signatory": signatory_for(version),
        "form": form,
        "can_sign_off": response.status == Response.Status.AWAITING_SIGN_OFF,
    }
    if previous is not None:
        context.update(diff.summary(diff.compare(previous, version, new_sections=sections)))
    return render(request, "responses/response_sign_off.html", context)


def _signed_message(number):
    return _("Version %(number)s signed off.") % {"number": number}


def version_changes(request, force_slug, pk, number):
    """One version against an earlier one (by default the last signed before it), word by word."""
    response = _get_response(request, pk)
    versions = ResponseVersion.objects.filter(response=response).select_related("signed_off_by", "created_by")
    version = get_object_or_404(versions, number=number)
    against = request.GET.get("against")
    previous = None
    if against is not None:
        try:
            previous = get_object_or_404(versions.exclude(pk=version.pk), number=int(against))
        except ValueError:
            previous = None
    if previous is None:
        previous = (
            diff.last_signed_before(version) or versions.filter(number__lt=number).order_by("-number").first()
        )
    context = {"force": response.force, "response": response, "version": version, "previous": previous}
    if previous is not None:
        context.update(diff.summary(diff.compare(previous, version)))
    return render(request, "responses/version_changes.html", context)
