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
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from forces.access import ForceAccess, access_for
from forces.models import Force
from forces.separation import check_not_editor, note_editor
from forces.services import holders_on
from outbox.services import enqueue
from recommendations.date_rules import check_publication_date
from recommendations.models import Inspection, Record

from .emails import send_response_copy
from .letterheads import PRINTED_FIELDS, files_still_signed
from .letterheads import freeze as freeze_letterhead
from .models import (
    WELSH_VERSION_FIELDS,
    CopySent,
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
    "salutation",
    # Welsh Language Standards: the Welsh twins and the language of the letter.
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


def _may_edit(user, force: Force, access: ForceAccess | None) -> bool:
    """The caller's access (a history import hands its own in), else the user's, for this force."""
    access = access or access_for(user, force)
    return access.force.pk == force.pk and access.can_edit


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
    _require(access_for(user, force).can_edit, _("Only the force's OPCC staff can draft its response."))
    with transaction.atomic():
        response, created = Response.objects.get_or_create(force=force, inspection=inspection)
        if not created:
            return response
        # Until the letter is dated, its signatory is whoever holds the office today (not whoever
        # held it last time); dating the letter moves the default to that day's holder (save_draft).
        holders = holders_on(force, timezone.localdate())
        version = ResponseVersion.objects.create(
            force=force,
            response=response,
            number=1,
            addressee=settings.RESPONSE_DEFAULT_ADDRESSEE,
            signatory_name=holders.commissioner_name,
            signatory_title=holders.commissioner_title,
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
    _require(
        access_for(user, response.force).can_edit, _("Only the force's OPCC staff can edit its response.")
    )
    _check_welsh_allowed(response.force, fields, sections_cy)
    _check_not_before_report(response, {"chief_comments_due_on": chief_comments_due_on})
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
        fields = _signatory_follows_letter_date(version, fields)
        for name in TEXT_FIELDS:
            if name in fields:
                setattr(version, name, fields[name])
        note_editor(version, user)
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


def _signatory_follows_letter_date(version: ResponseVersion, fields: dict) -> dict:
    """`fields` with the default signatory moved to the commissioner in office on the new letter date.

    The signatory is the default while it is the commissioner who held office on the letter's date
    (or, undated, on the day the version was started). OPCC staff who changed it by hand, before or
    in this save, keep their choice.
    """
    if "letter_date" not in fields or fields["letter_date"] == version.letter_date:
        return fields
    by_hand = any(
        name in fields and (fields[name] or "").strip() != getattr(version, name).strip()
        for name in ("signatory_name", "signatory_title")
    )
    was = holders_on(version.force, version.letter_date or timezone.localdate(version.created_at))
    if by_hand or (version.signatory_name, version.signatory_title) != (
        was.commissioner_name,
        was.commissioner_title,
    ):
        return fields
    now = holders_on(version.force, fields["letter_date"])
    if not now.commissioner_name:
        return fields  # nobody recorded in office that day: keep the name rather than blank it
    return {**fields, "signatory_name": now.commissioner_name, "signatory_title": now.commissioner_title}


def _check_welsh_allowed(force: Force, fields: dict, sections_cy) -> None:
    """A force outside the Welsh Language Standards writes its letters in English only."""
    if force.welsh_language_standards:
        return
    language = fields.get("letter_language", LetterLanguage.ENGLISH)
    welsh_text = any(fields.get(name) for name in WELSH_VERSION_FIELDS) or any((sections_cy or {}).values())
    if language != LetterLanguage.ENGLISH or welsh_text:
        raise ValidationError(
            _("%(force)s is not under the Welsh Language Standards: its letters are in English only.")
            % {"force": force.local_name}
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
    _require(
        access_for(user, response.force).can_edit, _("Only the force's OPCC staff can submit its response.")
    )
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
        access_for(user, response.force).can_sign_off,
        _("Only a chief officer of this force can sign off its response."),
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
        check_not_editor(version, user)
        # The letterhead and signature printed on the letter are signed with the text (and frozen with it).
        freeze_letterhead(version)
        digest = version.content_sha256()
        if content_sha256 is not None and content_sha256 != digest:
            raise StaleResponse(
                _(
                    "The text, letterhead or signature changed while you were reading it. Read it again before signing off."
                )
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
    _require(
        access_for(user, response.force).can_publish,
        _("Only the force's OPCC staff can publish its response."),
    )
    with transaction.atomic():
        response = _lock(response)
        version = response.current_version
        if response.status != Response.Status.SIGNED_OFF or not version.is_signed:
            raise ValidationError(_("Only a version signed off by a chief officer can be published."))
        if not version.signature_matches():
            raise ValidationError(
                _("The signed text does not match its sign-off record. It cannot be published.")
            )
        check_publication_date(response, version, published_on)
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
        enqueue("responses.send_copies", force_id=response.force_id, copy_id=copy.pk)
    return response


def check_not_published_letter(version: ResponseVersion) -> None:
    """Once published, a version's PDF and its hash never change: a new version is the way to change it."""
    published = Response.objects.filter(pk=version.response_id, published_version_id=version.pk).exists()
    if published and LetterRender.objects.filter(version=version, is_current=True).exists():
        raise ValidationError(
            _(
                "This letter has been published, so its PDF and its SHA-256 cannot change. "
                "To change the letter, edit the response: that starts a new version."
            ),
            code="published",
        )


def request_render(version: ResponseVersion, *, user=None) -> LetterRender:
    """Queue a PDF render of a version (also the retry after a failure). Never renders in the request."""
    if user is not None:
        _require(
            access_for(user, version.force).can_edit, _("Only the force's OPCC staff can render its letter.")
        )
    with transaction.atomic():
        ResponseVersion.objects.select_for_update().get(pk=version.pk)
        check_not_published_letter(version)
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
        enqueue("responses.render_letter", force_id=version.force_id, render_id=render.pk)
    return render


def run_render(render_id: int) -> LetterRender:
    """Render one LetterRender (called in the Celery task). A failure is recorded, not raised."""
    # WeasyPrint is heavy to import; only the worker that renders pays for it.
    from .letters import render_pdf_for_version

    with transaction.atomic():
        render = (
            LetterRender.objects.select_for_update(of=("self",))
            .select_related("version", "force")
            .get(pk=render_id)
        )
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
    except Exception as exc:  # WeasyPrint, disk or the soft time limit: show it and offer a retry
        log.exception("Letter render %s failed", render_id)
        LetterRender.objects.filter(pk=render_id, status=LetterRender.Status.RENDERING).update(
            status=LetterRender.Status.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        render.refresh_from_db()
        return render
    with transaction.atomic():
        ResponseVersion.objects.select_for_update().get(pk=render.version_id)
        # The stuck-work sweep may have marked this render failed (and queued another) while it
        # ran: a render no longer "rendering" is not ours to finish, and its file is dropped.
        if LetterRender.objects.select_for_update().get(pk=render_id).status != LetterRender.Status.RENDERING:
            path.unlink(missing_ok=True)
            render.refresh_from_db()
            return render
        try:
            check_not_published_letter(render.version)
        except ValidationError as exc:  # queued before publication, finished after: keep the published PDF
            path.unlink(missing_ok=True)
            LetterRender.objects.filter(pk=render_id).update(
                status=LetterRender.Status.FAILED, error=" ".join(exc.messages), finished_at=timezone.now()
            )
            render.refresh_from_db()
            return render
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


def _claim_copy(copy: ResponseCopy, recipient: str, now) -> bool:
    """Insert the copy's row for `recipient`; True if this transaction claimed it (not sent before).

    A second task at the same time waits on the unique index until the first commits, then finds
    the row taken. Both PostgreSQL and SQLite (3.35+) speak this.
    """
    table = CopySent._meta.db_table
    sql = (
        f"INSERT INTO {table} (force_id, copy_id, recipient, sent_at) VALUES (%s, %s, %s, %s) "  # noqa: S608 - no user input in the SQL
        "ON CONFLICT (copy_id, recipient) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [copy.force_id, copy.pk, recipient, connection.ops.adapt_datetimefield_value(now)]
        )
        return cursor.fetchone() is not None


def send_copy(copy_id: int) -> ResponseCopy:
    """E-mail the published letter to HMICFRS and to the Home Secretary, once each (called in a task).

    Each recipient's copy is claimed and sent in one transaction, so a redelivered task sends
    nothing twice and a failed send is retried without resending what went.
    """
    copy = ResponseCopy.objects.select_related("version", "response__force", "response__inspection").get(
        pk=copy_id
    )
    if copy.sent_at:
        return copy
    letter = current_letter(copy.version)
    if letter is None:
        render = LetterRender.objects.create(force_id=copy.force_id, version=copy.version)
        letter = run_render(render.pk)
        if letter.status != LetterRender.Status.DONE:
            ResponseCopy.objects.filter(pk=copy_id).update(error=letter.error)
            raise RuntimeError(f"Letter for copy {copy_id} could not be rendered: {letter.error}")
    ledger_keys = dict(zip(settings.RESPONSE_COPY_RECIPIENTS, COPY_FIELDS, strict=False))
    for recipient in copy.recipients:
        with transaction.atomic():
            if _claim_copy(copy, recipient, timezone.now()):
                send_response_copy(copy, letter, recipient)
                if recipient in ledger_keys:  # the s55 ledger: which copy went, and when
                    record_copy_sent(
                        copy.response, recipient=ledger_keys[recipient], sent_on=timezone.localdate()
                    )
    ResponseCopy.objects.filter(pk=copy_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), letter=letter, error=""
    )
    copy.refresh_from_db()
    return copy


# --- The s55 ledger -------------------------------------------------------------------------------

# The chief officer's "by when" (s55(4), chief_comments_due_on) is written here or with the draft
# (save_draft), checked the same way by both.
LEDGER_DATE_FIELDS = (
    "chief_invited_on",
    "chief_comments_due_on",
    "chief_comments_received_on",
    "pcc_signed_on",
)
LEDGER_FIELDS = (*LEDGER_DATE_FIELDS, "chief_comments_received_from", "published_url")
COPY_FIELDS = {"hmicfrs": "copy_hmicfrs_sent_on", "home_secretary": "copy_home_secretary_sent_on"}


def _check_not_before_report(response: Response, values: dict) -> None:
    published = response.inspection.published_on
    errors = {
        name: _("The date cannot be before the report was published (%(date)s)")
        % {"date": _long_date(published)}
        for name, value in values.items()
        if value is not None and value < published
    }
    if errors:
        raise ValidationError(errors)


def record_ledger(response: Response, *, user, values: dict, access: ForceAccess | None = None) -> Response:
    """Record the s55 steps OPCC staff know of: invitation, the chief officer's comments, signing, address.

    Only the keys given change; a date before the report's publication is refused and nothing is saved.
    """
    _require(
        _may_edit(user, response.force, access),
        _("Only the force's OPCC staff can record the response's steps."),
    )
    unknown = set(values) - set(LEDGER_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown field: %(names)s") % {"names": ", ".join(sorted(unknown))})
    _check_not_before_report(response, {k: v for k, v in values.items() if k in LEDGER_DATE_FIELDS})
    invited = values.get("chief_invited_on", response.chief_invited_on)
    due = values.get("chief_comments_due_on", response.chief_comments_due_on)
    if invited and due and due < invited:
        raise ValidationError(
            {
                "chief_comments_due_on": _(
                    "The date the chief officer's comments are due cannot be before they were invited to comment"
                )
            }
        )
    with transaction.atomic():
        response = _lock(response)
        for name, value in values.items():
            if name in LEDGER_DATE_FIELDS:
                setattr(response, name, value or None)
            else:
                setattr(response, name, (value or "").strip())
        response.save(update_fields=[*values, "updated_at"])
    return response


def record_copy_sent(response: Response, *, recipient: str, sent_on) -> Response:
    """Record that the copy went to `recipient` ("hmicfrs" or "home_secretary") on `sent_on`.

    Called by the task that sends the copies (and by a loader of documents that show it), never by
    a page: the ledger says a copy went only when it did. A date before the report is refused.
    """
    field_name = COPY_FIELDS.get(recipient)
    if field_name is None:
        raise ValidationError(_("Unknown recipient of a copy: %(recipient)s") % {"recipient": recipient})
    _check_not_before_report(response, {field_name: sent_on})
    with transaction.atomic():
        locked = _lock(response)
        if getattr(locked, field_name) is None:  # the first sending is the one the ledger keeps
            setattr(locked, field_name, sent_on)
            locked.save(update_fields=[field_name, "updated_at"])
    return locked


def ledger(response: Response) -> list[dict]:
    """The s55 steps in order, each with its date (None: not recorded) and who or where."""
    version = response.published_version
    return [
        {
            "key": "chief_invited",
            "label": _("Chief officer invited to comment"),
            "dated": response.chief_invited_on,
            "detail": (
                _("comments asked for by %(date)s") % {"date": _long_date(response.chief_comments_due_on)}
                if response.chief_comments_due_on
                else ""
            ),
        },
        {
            "key": "chief_comments_received",
            "label": _("Chief officer's comments received"),
            "dated": response.chief_comments_received_on,
            "detail": response.chief_comments_received_from,
        },
        {
            "key": "pcc_signed",
            "label": _("Commissioner's comments signed"),
            "dated": response.pcc_signed_on,
            "detail": version.signatory_name if version and response.pcc_signed_on else "",
        },
        {
            "key": "published",
            "label": _("Published"),
            "dated": response.published_on,
            "detail": response.published_url,
            "published_undated": response.is_published and response.published_on is None,
        },
        {
            "key": "copy_hmicfrs",
            "label": _("Copy sent to HMICFRS"),
            "dated": response.copy_hmicfrs_sent_on,
            "detail": "",
        },
        {
            "key": "copy_home_secretary",
            "label": _("Copy sent to the Home Secretary"),
            "dated": response.copy_home_secretary_sent_on,
            "detail": "",
        },
    ]


def _long_date(day) -> str:
    from django.utils.formats import date_format

    return date_format(day, "j F Y")


def import_published_response(
    force: Force,
    inspection: Inspection,
    *,
    user,
    published_on,
    fields: dict,
    sections: dict[int, str],
    access: ForceAccess | None = None,
) -> Response:
    """A response published outside the app (brought in from its document), recorded as published.

    It was never signed off here, so its version carries no sign-off; `published_on` may be None
    when the document gives no date. Refused if the force already has a response to the inspection.
    """
    _require(_may_edit(user, force, access), _("Only the force's OPCC staff can import its response."))
    with transaction.atomic():
        if Response.objects.filter(force=force, inspection=inspection).exists():
            raise ValidationError(
                _("%(force)s already has a response to this inspection: it was not imported again.")
                % {"force": force.local_name}
            )
        response = Response.objects.create(force=force, inspection=inspection)
        version = ResponseVersion.objects.create(
            force=force,
            response=response,
            number=1,
            created_by=user,
            **{name: value for name, value in fields.items() if name in TEXT_FIELDS},
        )
        ResponseSection.objects.bulk_create(
            ResponseSection(force=force, version=version, recommendation_id=rec_id, text=text)
            for rec_id, text in sections.items()
        )
        response.current_version = version
        response.published_version = version
        response.status = Response.Status.PUBLISHED
        response.published_on = published_on
        response.published_by = user
        response.save()
    return response


# Letterheads and signatures: kept by the force's OPCC staff, printed on its letters. -----------

# Everything the letterhead page edits: the address and the printed words frozen at sign-off.
LETTERHEAD_FIELDS = ("address", *PRINTED_FIELDS)


def save_letterhead(force: Force, *, user, fields: dict, logo=None, remove_logo=False, signature=None):
    """Save the force's letterhead and, if given, a new logo or the signatory's signature.

    `logo` and `signature` are `responses.images.CheckedImage`s (already checked). The files are
    written first and removed again if the transaction fails, so nothing is left half-saved.
    """
    from .images import store_image
    from .models import Letterhead, Signature

    _require(access_for(user, force).can_edit, _("Only the force's OPCC staff can change its letterhead."))
    written, replaced = [], []
    try:
        with transaction.atomic():
            letterhead, _created = Letterhead.objects.select_for_update().get_or_create(force=force)
            for name in LETTERHEAD_FIELDS:
                if name in fields:
                    setattr(letterhead, name, fields[name] or "")
            if logo is not None or remove_logo:
                if letterhead.logo:
                    replaced.append(letterhead.logo)
                letterhead.logo = letterhead.logo_content_type = letterhead.logo_sha256 = ""
            if logo is not None:
                name, digest = store_image(force, "letterheads", logo)
                written.append(name)
                letterhead.logo, letterhead.logo_content_type, letterhead.logo_sha256 = (
                    name,
                    logo.content_type,
                    digest,
                )
            letterhead.updated_by = user
            letterhead.save()
            if signature is not None:
                signatory = (fields.get("signatory_name") or force.commissioner_name).strip()
                if not signatory:
                    raise ValidationError(_("Enter the name of the signatory whose signature this is."))
                name, digest = store_image(force, "signatures", signature)
                written.append(name)
                old = Signature.objects.filter(force=force, signatory_name=signatory).first()
                if old is not None:
                    replaced.append(old.file)
                    old.delete()
                Signature.objects.create(
                    force=force,
                    signatory_name=signatory,
                    file=name,
                    content_type=signature.content_type,
                    sha256=digest,
                    uploaded_by=user,
                )
    except Exception:
        _remove_files(written)
        raise
    # Old files go only once the new ones are committed, and never while a signed version still
    # prints them (its letterhead and signature were frozen at sign-off).
    kept = files_still_signed(force, replaced)
    transaction.on_commit(lambda: _remove_files([name for name in replaced if name not in kept]))
    return letterhead


def _remove_files(names):
    from recommendations.evidence import remove

    remove([name for name in names if name])


def recover_stopped_renders(now=None) -> dict:
    """Letter renders left "queued" or "rendering" by a dead worker: marked failed, then rendered
    once more; a second loss stays failed (the page offers its retry button)."""
    outcome = {"requeued": 0, "failed": 0}
    with scopes_disabled():
        pending = list(
            LetterRender.objects.filter(status__in=["queued", "rendering"]).select_related("version")
        )
        for render in pending:
            if not render.is_stale(now):
                continue
            lost_before = LetterRender.objects.filter(
                version_id=render.version_id, status=LetterRender.Status.FAILED, error__startswith="[stopped]"
            ).exists()
            with transaction.atomic():
                LetterRender.objects.filter(pk=render.pk, status__in=["queued", "rendering"]).update(
                    status=LetterRender.Status.FAILED,
                    error="[stopped] " + _("The render did not finish (the worker may have stopped)."),
                    finished_at=timezone.now(),
                )
            if lost_before:
                outcome["failed"] += 1
                continue
            try:
                request_render(render.version)
                outcome["requeued"] += 1
            except Exception:  # a published letter is never rendered again: failed is the outcome
                log.exception("Could not queue letter render again for version %s", render.version_id)
                outcome["failed"] += 1
    return outcome
