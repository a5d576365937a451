"""Writes on responses: drafting, sign-off, publication, letter renders and copies.

Each function runs in one transaction, locks the response row first (so two people acting at once
queue up rather than both "winning"), checks the acting user's role on the response's force
itself (not trusting the view), and queues Celery work through the outbox after the commit.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forces.access import access_for
from forces.models import Force, Membership
from outbox.services import enqueue
from recommendations.models import Inspection, Record

from .models import (
    WELSH_VERSION_FIELDS,
    LetterLanguage,
    LetterRender,
    Response,
    ResponseCopy,
    ResponseSection,
    ResponseVersion,
)

log = logging.getLogger(__name__)

# The parts of a version that OPCC staff edit (the rest is workflow metadata).
TEXT_FIELDS = (
    "pcc_initial_comments",
    "chief_officer_comments",
    "pcc_overall_comments",
    "addressee",
    "letter_date",
    "signatory_name",
    "signatory_title",
    # Welsh Language Standards (issue 9): the Welsh twins and the language of the letter.
    *WELSH_VERSION_FIELDS,
    "letter_language",
    "bilingual_layout",
)

# English fields whose Welsh twin must be filled before a Welsh or bilingual letter goes for sign-off.
# The addressee may stay English only (an address in England), the signatory's name has no twin.
WELSH_TWINS_REQUIRED = {
    "pcc_initial_comments": "pcc_initial_comments_cy",
    "chief_officer_comments": "chief_officer_comments_cy",
    "pcc_overall_comments": "pcc_overall_comments_cy",
    "signatory_title": "signatory_title_cy",
}


class StaleResponse(ValidationError):
    """Someone else saved a newer version since the form was opened."""


def can_draft(user, force: Force) -> bool:
    return access_for(user, force).can_edit


def can_sign_off(user, force: Force) -> bool:
    return access_for(user, force).can_sign_off


def can_publish(user, force: Force) -> bool:
    """OPCC staff publish on behalf of the PCC; a chief officer signs but does not publish."""
    return (
        access_for(user, force).can_edit
        and Membership.objects.filter(user=user, force=force, role=Membership.Role.OPCC_STAFF).exists()
    )


def _require(allowed: bool, message: str):
    if not allowed:
        raise PermissionDenied(message)


def _lock(response: Response) -> Response:
    return (
        Response.objects.select_for_update(of=("self",))
        .select_related("force", "inspection", "current_version")
        .get(pk=response.pk)
    )


def police_records(force: Force, inspection: Inspection):
    """The force's records of recommendations addressed to police, with their latest progress."""
    return (
        Record.objects.filter(force=force, recommendation__inspection=inspection)
        .select_related("recommendation", "latest_update")
        .order_by("recommendation__kind", "recommendation__number")
    )


def _latest_progress_text(record: Record) -> str:
    return record.latest_update.text if record.latest_update else ""


def start_response(force: Force, inspection: Inspection, *, user) -> Response:
    """The force's response to an inspection, started with version 1 pre-filled (or the existing one)."""
    _require(can_draft(user, force), _("Only the force's OPCC staff can draft its response."))
    with transaction.atomic():
        response, created = Response.objects.get_or_create(force=force, inspection=inspection)
        if not created:
            return response
        version = ResponseVersion.objects.create(
            force=force,
            response=response,
            number=1,
            addressee=settings.RESPONSE_DEFAULT_ADDRESSEE,
            signatory_name=force.commissioner_name,
            signatory_title=force.commissioner_title,
            created_by=user,
        )
        ResponseSection.objects.bulk_create(
            ResponseSection(
                force=force,
                version=version,
                recommendation=record.recommendation,
                text=_latest_progress_text(record),
            )
            for record in police_records(force, inspection)
        )
        response.current_version = version
        response.save(update_fields=["current_version", "updated_at"])
    return response


def _new_version(response: Response, base: ResponseVersion, *, user) -> ResponseVersion:
    """A fresh, unsigned copy of `base`; the signed one stays exactly as it was."""
    version = ResponseVersion.objects.create(
        force=response.force,
        response=response,
        number=base.number + 1,
        created_by=user,
        **{name: getattr(base, name) for name in TEXT_FIELDS},
    )
    ResponseSection.objects.bulk_create(
        ResponseSection(
            force=response.force,
            version=version,
            recommendation_id=s.recommendation_id,
            text=s.text,
            text_cy=s.text_cy,
        )
        for s in base.sections.all()
    )
    response.current_version = version
    return version


@dataclass
class SaveResult:
    response: Response
    version: ResponseVersion
    new_version: bool


def save_draft(
    response: Response,
    *,
    user,
    fields: dict,
    sections: dict[int, str],
    sections_cy: dict[int, str] | None = None,
    chief_comments_due_on=None,
    expected_version: int | None = None,
) -> SaveResult:
    """Save the draft's text. After sign-off this starts a new version that needs a new sign-off.

    `sections` maps recommendation ids to the response text for that recommendation, `sections_cy`
    to its Welsh text (forces under the Welsh Language Standards).
    """
    _require(can_draft(user, response.force), _("Only the force's OPCC staff can edit its response."))
    _check_welsh_allowed(response.force, fields, sections_cy)
    with transaction.atomic():
        response = _lock(response)
        version = response.current_version
        if expected_version is not None and version.number != expected_version:
            raise StaleResponse(
                _("Someone saved version %(number)s while you were editing. Reload the page and try again.")
                % {"number": version.number}
            )
        started = False
        if version.is_signed:
            version = _new_version(response, version, user=user)
            started = True
        for name in TEXT_FIELDS:
            if name in fields:
                setattr(version, name, fields[name])
        version.save()
        by_rec = {s.recommendation_id: s for s in version.sections.all()}
        for attribute, texts in (("text", sections), ("text_cy", sections_cy or {})):
            for rec_id, text in texts.items():
                section = by_rec.get(rec_id)
                if section is None:
                    raise ValidationError(_("That recommendation is not part of this response."))
                if getattr(section, attribute) != text:
                    setattr(section, attribute, text)
                    section.save(update_fields=[attribute])
        response.chief_comments_due_on = chief_comments_due_on
        # Any change sends it back to draft: what the chief officer was asked to sign has changed.
        response.status = Response.Status.DRAFT
        response.save(update_fields=["current_version", "chief_comments_due_on", "status", "updated_at"])
    return SaveResult(response, version, started)


def _check_welsh_allowed(force: Force, fields: dict, sections_cy) -> None:
    """A force outside the Welsh Language Standards writes its letters in English only."""
    if force.welsh_language_standards:
        return
    language = fields.get("letter_language", LetterLanguage.ENGLISH)
    welsh_text = any(fields.get(name) for name in WELSH_VERSION_FIELDS) or any((sections_cy or {}).values())
    if language != LetterLanguage.ENGLISH or welsh_text:
        raise ValidationError(
            _("%(force)s is not under the Welsh Language Standards: its letters are in English only.")
            % {"force": force.name}
        )


def welsh_gaps(version: ResponseVersion, sections=None) -> list[str]:
    """What a Welsh or bilingual letter still lacks in Welsh (empty for an English letter).

    On screen a missing Welsh text falls back to English, marked; in a signed letter it may not.
    """
    if not version.has_welsh:
        return []
    gaps = [
        str(ResponseVersion._meta.get_field(english).verbose_name)
        for english, welsh in WELSH_TWINS_REQUIRED.items()
        if getattr(version, english).strip() and not getattr(version, welsh).strip()
    ]
    gaps += [
        section.recommendation.label
        for section in (version.sections.select_related("recommendation") if sections is None else sections)
        if section.text.strip() and not section.text_cy.strip()
    ]
    return gaps


def _require_welsh_complete(version: ResponseVersion) -> None:
    gaps = welsh_gaps(version)
    if gaps:
        raise ValidationError(
            _("The letter is in Welsh but these parts have no Welsh text yet: %(parts)s.")
            % {"parts": ", ".join(gaps)}
        )


def submit_for_sign_off(response: Response, *, user) -> Response:
    _require(can_draft(user, response.force), _("Only the force's OPCC staff can submit its response."))
    with transaction.atomic():
        response = _lock(response)
        if response.status != Response.Status.DRAFT or response.current_version.is_signed:
            raise ValidationError(_("Only a draft can be sent for sign-off."))
        _require_welsh_complete(response.current_version)
        response.status = Response.Status.AWAITING_SIGN_OFF
        response.save(update_fields=["status", "updated_at"])
    return response


def sign_off(
    response: Response, *, user, version_number: int, content_sha256: str | None = None
) -> ResponseVersion:
    """A chief officer of the force signs the version they read; it is frozen with its SHA-256.

    `version_number` (and, from the page, the hash of what was shown) guard against signing text
    that changed after the page was opened; a replayed sign-off is refused and changes nothing.
    """
    _require(
        can_sign_off(user, response.force), _("Only a chief officer of this force can sign off its response.")
    )
    with transaction.atomic():
        response = _lock(response)
        version = ResponseVersion.objects.select_for_update().get(pk=response.current_version_id)
        if version.number != version_number:
            raise StaleResponse(
                _(
                    "The response has changed since you opened it (now version %(number)s). Read it again before signing off."
                )
                % {"number": version.number}
            )
        if version.is_signed:
            raise ValidationError(
                _("Version %(number)s was already signed off on %(when)s. Nothing was changed.")
                % {
                    "number": version.number,
                    "when": timezone.localtime(version.signed_off_at).strftime("%d %B %Y %H:%M"),
                }
            )
        if response.status != Response.Status.AWAITING_SIGN_OFF:
            raise ValidationError(_("The response has not been sent for sign-off."))
        _require_welsh_complete(version)
        digest = version.content_sha256()
        if content_sha256 is not None and content_sha256 != digest:
            raise StaleResponse(
                _("The text changed while you were reading it. Read it again before signing off.")
            )
        version.signed_off_by = user
        version.signed_off_at = timezone.now()
        version.signed_sha256 = digest
        version.save()
        response.status = Response.Status.SIGNED_OFF
        response.save(update_fields=["status", "updated_at"])
    return version


def publish(response: Response, *, user, published_on=None) -> Response:
    """OPCC staff publish the signed-off version on behalf of the PCC; copies go out after commit."""
    _require(can_publish(user, response.force), _("Only the force's OPCC staff can publish its response."))
    with transaction.atomic():
        response = _lock(response)
        version = response.current_version
        if response.status != Response.Status.SIGNED_OFF or not version.is_signed:
            raise ValidationError(_("Only a version signed off by a chief officer can be published."))
        if not version.signature_matches():
            raise ValidationError(
                _("The signed text does not match its sign-off record. It cannot be published.")
            )
        response.status = Response.Status.PUBLISHED
        response.published_version = version
        response.published_on = published_on or timezone.localdate()
        response.published_by = user
        response.save()
        copy = ResponseCopy.objects.create(
            force=response.force,
            response=response,
            version=version,
            recipients=list(settings.RESPONSE_COPY_RECIPIENTS),
        )
        from .tasks import send_copies

        enqueue(send_copies, force_id=response.force_id, copy_id=copy.pk)
    return response


def request_render(version: ResponseVersion, *, user=None) -> LetterRender:
    """Queue a PDF render of a version (also the retry after a failure). Never renders in the request."""
    if user is not None:
        _require(can_draft(user, version.force), _("Only the force's OPCC staff can render its letter."))
    with transaction.atomic():
        ResponseVersion.objects.select_for_update().get(pk=version.pk)
        pending = LetterRender.objects.filter(version=version, status__in=["queued", "rendering"]).first()
        if pending is not None and not pending.is_stale():
            return pending
        if pending is not None:
            # The worker that took it is gone: record that, so the page does not wait for ever.
            pending.status = LetterRender.Status.FAILED
            pending.error = _("The render did not finish (the worker may have stopped).")
            pending.finished_at = timezone.now()
            pending.save(update_fields=["status", "error", "finished_at"])
        render = LetterRender.objects.create(force=version.force, version=version, requested_by=user)
        from .tasks import render_letter

        enqueue(render_letter, force_id=version.force_id, render_id=render.pk)
    return render


def run_render(render_id: int) -> LetterRender:
    """Render one LetterRender (called in the Celery task). A failure is recorded, not raised."""
    from .letters import render_pdf_for_version

    with transaction.atomic():
        render = LetterRender.objects.select_for_update().select_related("version", "force").get(pk=render_id)
        if render.status == LetterRender.Status.DONE:
            return render  # a redelivered message: the work is done already
        render.status = LetterRender.Status.RENDERING
        render.started_at = timezone.now()
        render.error = ""
        render.save(update_fields=["status", "started_at", "error"])
    try:
        pdf = render_pdf_for_version(render.version)
        path = (
            settings.MEDIA_ROOT
            / "letters"
            / render.force.slug
            / f"response-{render.version.response_id}-v{render.version.number}-{render.pk}.pdf"
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(pdf)
    except Exception as exc:  # WeasyPrint or disk: show it on the page and offer a retry
        log.exception("Letter render %s failed", render_id)
        LetterRender.objects.filter(pk=render_id).update(
            status=LetterRender.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        render.refresh_from_db()
        return render
    with transaction.atomic():
        ResponseVersion.objects.select_for_update().get(pk=render.version_id)
        LetterRender.objects.filter(version_id=render.version_id, is_current=True).exclude(
            pk=render_id
        ).update(is_current=False)
        LetterRender.objects.filter(pk=render_id).update(
            status=LetterRender.Status.DONE,
            file=str(path.relative_to(settings.MEDIA_ROOT)),
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            finished_at=timezone.now(),
            is_current=True,
        )
    render.refresh_from_db()
    return render


def current_letter(version: ResponseVersion) -> LetterRender | None:
    return LetterRender.objects.filter(version=version, is_current=True).first()


def send_copy(copy_id: int) -> ResponseCopy:
    """E-mail the published letter to HMICFRS and the Home Secretary, once (called in a task)."""
    from .emails import send_response_copy

    with transaction.atomic():
        copy = ResponseCopy.objects.select_for_update().select_related("version", "response").get(pk=copy_id)
        if copy.sent_at:
            return copy
    letter = current_letter(copy.version)
    if letter is None:
        render = LetterRender.objects.create(force_id=copy.force_id, version=copy.version)
        letter = run_render(render.pk)
        if letter.status != LetterRender.Status.DONE:
            ResponseCopy.objects.filter(pk=copy_id).update(error=letter.error)
            raise RuntimeError(f"Letter for copy {copy_id} could not be rendered: {letter.error}")
    send_response_copy(copy, letter)
    ResponseCopy.objects.filter(pk=copy_id).update(sent_at=timezone.now(), letter=letter, error="")
    copy.refresh_from_db()
    return copy
