"""The tenancy table: every named URL, what each role gets for an object of Gwent.

Add a Route for every new URL (test_every_url_is_in_the_tenancy_table fails otherwise). The
default expectation: Gwent's own people 200, Dyfed-Powys's people 404, the national team and
administrators may read (200), a signed-out visitor is sent to sign in (302).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("gwent_staff", "gwent_chief", "dyfed_staff", "dyfed_chief", "national", "admin", "anonymous")

READ = {
    "gwent_staff": 200,
    "gwent_chief": 200,
    "dyfed_staff": 404,
    "dyfed_chief": 404,
    "national": 200,
    "admin": 200,
    "anonymous": 302,
}
# Pages that change a force's data: only the force's own people; read-only roles get 404 too.
EDIT = {**READ, "national": 404, "admin": 404}
# Pages only a chief officer of the force may use.
SIGN_OFF = {**EDIT, "gwent_staff": 404}


@dataclass
class Route:
    name: str
    # kwargs(world, force, obj_force) -> URL kwargs: `force` is the force in the URL, `obj_force`
    # the force whose object the URL names (they differ in the "other force's id" probe).
    kwargs: Callable
    expect: dict = field(default_factory=lambda: dict(READ))
    method: str = "get"
    data: Callable | None = None
    names_object: bool = True


def force_only(world, force, obj_force):
    return {"force_slug": force.slug}


def record_kwargs(world, force, obj_force):
    return {"force_slug": force.slug, "pk": world.record(obj_force).pk}


# Issue 3 helpers: objects the progress workflow's URLs name, made on demand with the real services.
ISSUE_3_EDIT_PAGES = (
    "recommendations:update-create",
    "recommendations:record-owners",
    "recommendations:closure-request",
    "recommendations:extension-create",
)
ISSUE_3_SIGN_OFF_PAGES = ("recommendations:record-sign-off", "recommendations:record-no-further-action")
EDITED = {**EDIT, "gwent_staff": 302, "gwent_chief": 302}
SIGNED = {**SIGN_OFF, "gwent_chief": 302}


def _issue_3_author(force):
    from accounts.models import User

    return User.objects.filter(memberships__force=force).order_by("pk").first() or User.objects.create_user(
        username=f"probe-{force.slug}", password="probe-pass-2022"
    )


def attachment_kwargs(world, force, obj_force):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from recommendations.evidence import check_evidence
    from recommendations.models import Attachment
    from recommendations.services import add_progress_update, system_access

    attachment = Attachment.objects.filter(force=obj_force).first()
    if attachment is None:
        checked = check_evidence(SimpleUploadedFile("minutes.txt", b"Panel minutes.\n"))
        result = add_progress_update(
            world.record(obj_force),
            author=None,
            text="Minutes attached.",
            access=system_access(obj_force),
            attachments=[checked],
        )
        attachment = result.update.attachments.get()
    return {"force_slug": force.slug, "pk": attachment.pk}


def extension_kwargs(world, force, obj_force):
    from datetime import date

    from recommendations.models import DueDateExtension

    record = world.record(obj_force)
    extension = DueDateExtension.objects.filter(record=record, decision="pending").first()
    if extension is None:
        extension = DueDateExtension.objects.create(
            force=obj_force,
            record=record,
            requested_by=_issue_3_author(obj_force),
            new_due_on=date(2099, 1, 31),
            reason="Probe.",
        )
    return {"force_slug": force.slug, "pk": extension.pk}


def owner_kwargs(world, force, obj_force):
    from recommendations.models import Owner

    owner, _ = Owner.objects.get_or_create(force=obj_force, role_title="Head of Public Protection")
    return {"force_slug": force.slug, "owner_pk": owner.pk}


def _version(world) -> int:
    """The version of Gwent's record as the form would carry it (forms must send it)."""
    record = world.record(world.gwent)
    record.refresh_from_db()
    return record.version


def sign_off_data(world):
    """Puts Gwent's record in "awaiting sign-off" first, so that a chief officer's decision succeeds."""
    from recommendations.models import Record
    from recommendations.services import add_progress_update, system_access

    record = world.record(world.gwent)
    if record.status != Record.Status.AWAITING_SIGN_OFF:
        add_progress_update(
            record,
            author=None,
            text="Implemented.",
            status="awaiting_sign_off",
            access=system_access(record.force),
        )
    return {"decision": "complete", "version": _version(world)}


ROUTES: list[Route] = [
    Route("forces:overview", force_only, names_object=False),
    Route("recommendations:record-detail", record_kwargs),
    # Issue 3: the progress workflow (recommendations app). POSTs that succeed redirect (302).
    *[Route(name, record_kwargs, expect=dict(EDIT)) for name in ISSUE_3_EDIT_PAGES],
    *[Route(name, record_kwargs, expect=dict(SIGN_OFF)) for name in ISSUE_3_SIGN_OFF_PAGES],
    Route(
        "recommendations:update-create",
        record_kwargs,
        EDITED,
        "post",
        lambda w: {"text": "Probe.", "version": _version(w)},
    ),
    Route(
        "recommendations:record-owners",
        record_kwargs,
        EDITED,
        "post",
        lambda w: {"owners": [], "version": _version(w)},
    ),
    Route(
        "recommendations:closure-request",
        record_kwargs,
        EDITED,
        "post",
        lambda w: {"text": "Done.", "version": _version(w)},
    ),
    Route(
        "recommendations:extension-create",
        record_kwargs,
        EDITED,
        "post",
        lambda w: {"new_due_on": "2099-01-31", "reason": "Training runs late.", "version": _version(w)},
    ),
    Route("recommendations:record-sign-off", record_kwargs, SIGNED, "post", sign_off_data),
    Route(
        "recommendations:record-no-further-action",
        record_kwargs,
        SIGNED,
        "post",
        lambda w: {"reason": "Done.", "version": _version(w)},
    ),
    Route("recommendations:extension-decide", extension_kwargs, expect=dict(SIGN_OFF)),
    Route(
        "recommendations:extension-decide",
        extension_kwargs,
        SIGNED,
        "post",
        lambda w: {"decision": "approve"},
    ),
    Route("recommendations:attachment-download", attachment_kwargs),
    Route("recommendations:owner-list", force_only, names_object=False),
    Route("recommendations:owner-create", force_only, expect=dict(EDIT), names_object=False),
    Route(
        "recommendations:owner-create",
        force_only,
        EDITED,
        "post",
        lambda w: {"role_title": "Head of Public Protection"},
        names_object=False,
    ),
    Route("recommendations:owner-update", owner_kwargs, expect=dict(EDIT)),
    Route("recommendations:owner-update", owner_kwargs, EDITED, "post", lambda w: {"name": "A. Person"}),
    # Issue 9 (Cymraeg): the user's own language preference, no force's data behind it.
    Route(
        "frontend:language-preference",
        lambda world, force, obj_force: {},
        expect={**{role: 200 for role in ROLES}, "anonymous": 302},
        names_object=False,
    ),
    # Issue 5: reminders.
    Route("reminders:force-list", force_only, names_object=False),
    Route("reminders:record-list", record_kwargs),
    Route("reminders:force-settings", force_only, expect=dict(EDIT), names_object=False),
    # A bad POST re-renders the form for the force's own people: no change, no 500.
    Route(
        "reminders:force-settings",
        force_only,
        expect=dict(EDIT),
        method="post",
        data=lambda world: {"days_before_due": "ninety"},
        names_object=False,
    ),
    # Everyone signed in sees their own preferences; no force's data behind the page.
    Route(
        "reminders:preferences",
        lambda world, force, obj_force: {},
        expect={**{role: 200 for role in ROLES}, "anonymous": 302},
        names_object=False,
    ),
]

# Issue 7: spreadsheet import and export.
# Inspection imports are for administrators (superusers) only; everyone else is told nothing exists.
ADMIN_ONLY = {role: 404 for role in ROLES} | {"admin": 200, "anonymous": 302}
# Published reports: every signed-in user may export an inspection's recommendations.
SIGNED_IN = {role: 200 for role in ROLES} | {"anonymous": 302}


def _import_job(force):
    from accounts.models import User
    from spreadsheets.models import ImportJob

    user = User.objects.order_by("pk").first()
    return ImportJob.objects.create(
        force=force,
        kind=ImportJob.Kind.INSPECTION if force is None else ImportJob.Kind.PROGRESS,
        user=user,
        file="imports/tenancy-probe",
        original_name="probe.csv",
        sha256="0" * 64,
        status=ImportJob.Status.PREVIEWED,
    )


def progress_job_kwargs(world, force, obj_force):
    job = _import_job(obj_force)
    job.inspection = world.inspection
    job.save()
    return {"force_slug": force.slug, "pk": job.pk}


def inspection_job_kwargs(world, force, obj_force):
    return {"pk": _import_job(None).pk}


ROUTES += [
    Route("spreadsheets:progress-import", force_only, expect=dict(EDIT), names_object=False),
    Route("spreadsheets:progress-job", progress_job_kwargs, expect=dict(EDIT)),
    Route("spreadsheets:progress-job-status", progress_job_kwargs, expect=dict(EDIT)),
    Route(
        "spreadsheets:progress-template",
        lambda world, force, obj_force: {"force_slug": force.slug, "fmt": "csv"},
        names_object=False,
    ),
    Route(
        "spreadsheets:force-export",
        lambda world, force, obj_force: {"force_slug": force.slug, "what": "records", "fmt": "csv"},
        names_object=False,
    ),
    Route("spreadsheets:inspection-import", lambda w, f, o: {}, expect=dict(ADMIN_ONLY), names_object=False),
    Route("spreadsheets:inspection-job", inspection_job_kwargs, expect=dict(ADMIN_ONLY), names_object=False),
    Route(
        "spreadsheets:inspection-job-status",
        inspection_job_kwargs,
        expect=dict(ADMIN_ONLY),
        names_object=False,
    ),
    Route(
        "spreadsheets:inspection-template",
        lambda w, f, o: {"fmt": "xlsx"},
        expect=dict(ADMIN_ONLY),
        names_object=False,
    ),
    Route(
        "spreadsheets:inspection-export",
        lambda w, f, o: {"slug": w.inspection.slug, "fmt": "csv"},
        expect=dict(SIGNED_IN),
        names_object=False,
    ),
]

# Issue 6: the national team's pages look across forces and carry no force_slug. Only the national
# team and administrators reach them; every force's people get 404 (not 403: they must not learn
# the pages exist).
NATIONAL_ONLY = {
    "gwent_staff": 404,
    "gwent_chief": 404,
    "dyfed_staff": 404,
    "dyfed_chief": 404,
    "national": 200,
    "admin": 200,
    "anonymous": 302,
}


def no_kwargs(world, force, obj_force):
    return {}


def csv_kwargs(world, force, obj_force):
    return {"fmt": "csv"}


def xlsx_kwargs(world, force, obj_force):
    return {"fmt": "xlsx"}


def recommendation_kwargs(world, force, obj_force):
    return {"pk": world.record(obj_force).recommendation_id}


def recommendation_csv_kwargs(world, force, obj_force):
    return {**recommendation_kwargs(world, force, obj_force), "fmt": "csv"}


def recommendation_xlsx_kwargs(world, force, obj_force):
    return {**recommendation_kwargs(world, force, obj_force), "fmt": "xlsx"}


def national_pack_render_kwargs(world, force, obj_force):
    from national.models import PackRender

    render = PackRender.objects.create(quarter="2022-Q3", status="done", pdf=b"%PDF-1.7")
    return {"pk": render.pk}


def force_pack_render_kwargs(world, force, obj_force):
    from national.models import PackRender

    render = PackRender.objects.create(force=obj_force, quarter="2022-Q3", status="done", pdf=b"%PDF-1.7")
    return {"force_slug": force.slug, "pk": render.pk}


def force_answers_kwargs(world, force, obj_force):
    return {"inspection_pk": world.inspection.pk, "slug": obj_force.slug}


def force_answers_csv_kwargs(world, force, obj_force):
    return {**force_answers_kwargs(world, force, obj_force), "fmt": "csv"}


def force_answers_xlsx_kwargs(world, force, obj_force):
    return {**force_answers_kwargs(world, force, obj_force), "fmt": "xlsx"}


ROUTES += [
    Route("national:dashboard", no_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:dashboard-export", csv_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:dashboard-export", xlsx_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:compare", recommendation_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:compare-export", recommendation_csv_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:compare-export", recommendation_xlsx_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:search", no_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:search-export", csv_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:search-export", xlsx_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:force-answers", force_answers_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route(
        "national:force-answers-export", force_answers_csv_kwargs, expect=NATIONAL_ONLY, names_object=False
    ),
    Route(
        "national:force-answers-export", force_answers_xlsx_kwargs, expect=NATIONAL_ONLY, names_object=False
    ),
    # The quarterly pack: the national team's (all forces), and each force's own under its URL.
    Route("national:pack", no_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:pack-docx", no_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route(
        "national:pack-pdf",
        no_kwargs,
        expect={**NATIONAL_ONLY, "national": 302, "admin": 302},
        method="post",
        data=lambda w: {"quarter": "2022-Q3"},
        names_object=False,
    ),
    Route(
        "national:pack-pdf-download", national_pack_render_kwargs, expect=NATIONAL_ONLY, names_object=False
    ),
    Route("national:force-pack", force_only, names_object=False),
    Route("national:force-pack-docx", force_only, names_object=False),
    Route(
        "national:force-pack-pdf",
        force_only,
        expect={**READ, "gwent_staff": 302, "gwent_chief": 302, "national": 302, "admin": 302},
        method="post",
        data=lambda w: {"quarter": "2022-Q3"},
        names_object=False,
    ),
    Route("national:force-pack-pdf-download", force_pack_render_kwargs),
]

# Named URLs outside the tenancy table: no force's data behind them, or tested on their own.
EXEMPT_PREFIXES = ("admin:",)
EXEMPT = {
    "home",
    "accounts:login",
    "accounts:logout",
    "forces:list",
    # Issue 9: sets the language for anyone, signed in or not, then redirects to `next`
    # (tests/test_i18n.py covers it).
    "frontend:language-switch",
}


def all_url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{namespace}{entry.name}")
    return names


# Section 55 responses. Each force's seed response is published (so the public pages have
# content); `response_kwargs` loads the one it needs on first use.
def _seed_response(world, force):
    from responses.demo import load_seed_responses
    from responses.models import Response

    if not Response.objects.filter(force=force, inspection=world.inspection).exists():
        load_seed_responses(world.inspection, render=False, only={force.slug})
    return Response.objects.get(force=force, inspection=world.inspection)


def response_kwargs(world, force, obj_force):
    return {"force_slug": force.slug, "pk": _seed_response(world, obj_force).pk}


def _done_letter(world, obj_force):
    """A finished PDF of the force's published version (a stand-in file: no WeasyPrint needed)."""
    from django.conf import settings

    from responses.models import LetterRender

    version = _seed_response(world, obj_force).published_version
    letter = LetterRender.objects.filter(version=version, is_current=True).first()
    if letter is None:
        path = settings.MEDIA_ROOT / "letters" / f"{obj_force.slug}.pdf"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7 stand-in")
        letter = LetterRender.objects.create(
            force=obj_force,
            version=version,
            status="done",
            is_current=True,
            file=f"letters/{obj_force.slug}.pdf",
        )
    return letter


def letter_kwargs(world, force, obj_force):
    return {**response_kwargs(world, force, obj_force), "render_pk": _done_letter(world, obj_force).pk}


def start_kwargs(world, force, obj_force):
    return {"force_slug": force.slug, "inspection_pk": world.inspection.pk}


def public_kwargs(world, force, obj_force):
    _done_letter(world, obj_force)
    return {"slug": force.slug, "pk": _seed_response(world, obj_force).pk}


# Actions that answer a form (200, with the reason) when the state does not allow them: the seed
# response is already published, so submit/publish/sign-off explain why not, and change nothing.
EDIT_FORM = {**EDIT, "gwent_staff": 200, "gwent_chief": 200}
# Anyone, signed in or not, reads a force's published responses.
PUBLIC = dict.fromkeys(ROLES, 200)

ROUTES += [
    Route("responses:list", force_only, names_object=False),
    # Gwent's response exists already, so starting answers with a redirect (303 See Other) to it.
    Route(
        "responses:start",
        start_kwargs,
        expect={**EDIT, "gwent_staff": 303, "gwent_chief": 303},
        method="post",
        names_object=False,
    ),
    Route("responses:detail", response_kwargs),
    Route("responses:edit", response_kwargs, expect={**EDIT}),
    Route("responses:submit", response_kwargs, expect=EDIT_FORM, method="post"),
    Route("responses:sign-off", response_kwargs, expect={**SIGN_OFF, "gwent_chief": 200}, method="post"),
    # OPCC staff publish on behalf of the commissioner; a chief officer signs off but never publishes.
    Route("responses:publish", response_kwargs, expect={**EDIT_FORM, "gwent_chief": 404}, method="post"),
    Route("responses:history", response_kwargs),
    Route(
        "responses:letter-render",
        response_kwargs,
        expect={**EDIT, "gwent_staff": 303, "gwent_chief": 303},
        method="post",
    ),
    Route("responses:letter-status", response_kwargs),
    Route("responses:letter-download", letter_kwargs),
    Route(
        "responses:public-list",
        lambda world, force, obj_force: {"slug": force.slug},
        expect=PUBLIC,
        names_object=False,
    ),
    Route("responses:public-detail", public_kwargs, expect=PUBLIC),
    Route("responses:public-letter", public_kwargs, expect=PUBLIC),
]
# Issue 8: audit pages and the API. ------------------------------------------------------------
# API answers are JSON: a signed-out caller gets 401, never a redirect to the sign-in page.
API_READ = {**READ, "anonymous": 401}
SIGNED_IN = {role: 200 for role in ROLES} | {"anonymous": 302}
NATIONAL_ONLY = {**SIGNED_IN, "gwent_staff": 403, "gwent_chief": 403, "dyfed_staff": 403, "dyfed_chief": 403}


def _owner_kwargs(world, force, obj_force):
    from recommendations.models import Owner

    owner, _ = Owner.objects.get_or_create(force=obj_force, role_title="Head of Public Protection")
    return {"force_slug": force.slug, "pk": owner.pk}


def _response_kwargs(world, force, obj_force):
    from responses.models import Response

    response, _ = Response.objects.get_or_create(force=obj_force, inspection=world.inspection)
    return {"force_slug": force.slug, "pk": response.pk}


def _updates_kwargs(world, force, obj_force):
    return {"force_slug": force.slug, "record_pk": world.record(obj_force).pk}


def _none(world, force, obj_force):
    return {}


ROUTES += [
    Route("audit:record-history", record_kwargs),
    Route("audit:export", _none, expect=NATIONAL_ONLY, names_object=False),
    Route("api:schema", _none, expect={**SIGNED_IN, "anonymous": 401}, names_object=False),
    Route("api:docs", _none, expect=SIGNED_IN, names_object=False),
    Route("api:token", _none, expect=SIGNED_IN, names_object=False),
    Route("api:record-list", force_only, expect=API_READ, names_object=False),
    Route("api:record-detail", record_kwargs, expect=API_READ),
    Route("api:update-list", _updates_kwargs, expect=API_READ),
    Route("api:owner-list", force_only, expect=API_READ, names_object=False),
    Route("api:owner-detail", _owner_kwargs, expect=API_READ),
    Route("api:response-list", force_only, expect=API_READ, names_object=False),
    Route("api:response-detail", _response_kwargs, expect=API_READ),
]


# The statutory record: HMICFRS's closure (OPCC staff), the s55 ledger (OPCC staff), office-holders and
# an inspection's last day (administrators only).
def _holding_kwargs(world, force, obj_force):
    from forces.models import OfficeHolding

    holding = OfficeHolding.objects.filter(force=obj_force).first()
    return {"force_slug": force.slug, "pk": holding.pk}


LEDGER_SAVED = {**EDIT, "gwent_staff": 303, "gwent_chief": 303}
# A form-encoded body is refused as 415 (the API reads JSON only) once the record is found.
API_WRITE_FORM = {**API_READ, "gwent_staff": 415, "gwent_chief": 415, "national": 404, "admin": 404}

ROUTES += [
    Route("recommendations:hmicfrs-closure", record_kwargs, expect=dict(EDIT)),
    Route(
        "recommendations:hmicfrs-closure",
        record_kwargs,
        EDITED,
        "post",
        # As the page posts it: the GOV.UK day, month and year boxes, and the record's version.
        lambda w: {
            "closed_on_day": "15",
            "closed_on_month": "1",
            "closed_on_year": "2024",
            "basis": "Authorised for closure on the basis of the audit.",
            "version": _version(w),
        },
    ),
    Route("recommendations:hmicfrs-reference", record_kwargs, expect=dict(EDIT)),
    Route(
        "recommendations:hmicfrs-reference",
        record_kwargs,
        EDITED,
        "post",
        lambda w: {"hmicfrs_reference": "MAPPA-14", "version": _version(w)},
    ),
    Route("responses:ledger", response_kwargs, expect=dict(EDIT)),
    Route(
        "responses:ledger",
        response_kwargs,
        LEDGER_SAVED,
        "post",
        lambda w: {"chief_invited_on": "2022-07-20"},
    ),
    Route("forces:office-holders", force_only, expect=dict(ADMIN_ONLY), names_object=False),
    Route("forces:office-holder-edit", _holding_kwargs, expect=dict(ADMIN_ONLY), names_object=False),
    Route(
        "inspections:last-day",
        lambda w, f, o: {"slug": w.inspection.slug},
        expect=dict(ADMIN_ONLY),
        names_object=False,
    ),
    Route("api:response-ledger", _response_kwargs, expect=API_READ),
    Route(
        "api:record-hmicfrs-closure",
        record_kwargs,
        expect=API_WRITE_FORM,
        method="post",
        data=lambda w: {"x": "1"},
    ),
]

# Sign-in pages hold no force's data; tests/test_security.py covers them (two-factor, reset).
EXEMPT |= {
    "accounts:two-factor-verify",
    "accounts:two-factor-setup",
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
}

# The letterhead page (OPCC staff of the force only) and the public front door (anyone, no sign-in).
ROUTES += [
    Route("responses:letterhead", force_only, expect=dict(EDIT), names_object=False),
    # A bad POST (an e-mail address that is not one) re-renders the form with the error summary.
    Route(
        "responses:letterhead",
        force_only,
        expect=dict(EDIT),
        method="post",
        data=lambda world: {"email": "not an address"},
        names_object=False,
    ),
    Route("responses:public-index", no_kwargs, expect=PUBLIC, names_object=False),
    Route("responses:public-data", csv_kwargs, expect=PUBLIC, names_object=False),
    Route("responses:public-data", lambda w, f, o: {"fmt": "json"}, expect=PUBLIC, names_object=False),
    Route("responses:public-feed", no_kwargs, expect=PUBLIC, names_object=False),
    Route(
        "responses:public-force-feed",
        lambda world, force, obj_force: {"slug": force.slug},
        expect=PUBLIC,
        names_object=False,
    ),
]


# Imported history: a force's uploaded responses and their previews are its own people's only.
def _document_kwargs(world, force, obj_force):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from history import services as history_services
    from history.models import DocumentImport

    document = DocumentImport.objects.filter(force=obj_force).first()
    if document is None:
        text = (
            f"{obj_force.name}\n\nRecommendation 18\n\nAll offender managers are trained.\n\n"
            "Recommendation 19\n\nWorkloads are reviewed every month.\n"
        )
        document = history_services.start_import(
            obj_force,
            world.inspection,
            SimpleUploadedFile("response.txt", text.encode()),
            user=_issue_3_author(obj_force),
        )
        history_services.run_reading(document.pk)
    return {"force_slug": force.slug, "pk": document.pk}


# Administrators bring in any force's published history too (never the national team).
HISTORY = {**EDIT, "admin": 200}
HISTORY_DONE = {**HISTORY, "gwent_staff": 303, "gwent_chief": 303, "admin": 303}
ROUTES += [
    Route("history:list", force_only, expect=dict(HISTORY), names_object=False),
    Route("history:upload", force_only, expect=dict(HISTORY), names_object=False),
    Route("history:preview", _document_kwargs, expect=dict(HISTORY)),
    Route("history:correct", _document_kwargs, HISTORY_DONE, "post", lambda w: {"date_unknown": "on"}),
    Route("history:confirm", _document_kwargs, HISTORY_DONE, "post", lambda w: {}),
    Route("history:delete", _document_kwargs, HISTORY_DONE, "post", lambda w: {}),
    Route("history:download", _document_kwargs, expect=dict(HISTORY)),
]
ROUTES += [Route("history:report", _none, expect=dict(ADMIN_ONLY), names_object=False)]


# A zip of many forces' letters: administrators' only.
def _batch_kwargs(world, force, obj_force):
    from history.models import DocumentBatch

    batch = DocumentBatch.objects.first() or DocumentBatch.objects.create(
        inspection=world.inspection,
        uploaded_by=_issue_3_author(obj_force),
        original_name="letters.zip",
        file="history/batches/none.zip",
        size=1,
        sha256="0" * 64,
        status=DocumentBatch.Status.DONE,
    )
    return {"pk": batch.pk}


def _fresh_batch_kwargs(world, force, obj_force):
    """A read batch of its own, so that deleting its zip never depends on another case's."""
    from history.models import DocumentBatch

    batch = DocumentBatch.objects.create(
        inspection=world.inspection,
        uploaded_by=_issue_3_author(obj_force),
        original_name="letters.zip",
        file="history/batches/none.zip",
        size=1,
        sha256="0" * 64,
        status=DocumentBatch.Status.DONE,
    )
    return {"pk": batch.pk}


ROUTES += [
    Route(
        "history:batch-delete-file",
        _fresh_batch_kwargs,
        expect=ADMIN_ONLY | {"admin": 303},
        method="post",
        data=lambda w: {},
        names_object=False,
    ),
    Route("history:batch-list", _none, expect=dict(ADMIN_ONLY), names_object=False),
    Route("history:batch-upload", _none, expect=dict(ADMIN_ONLY), names_object=False),
    Route("history:batch", _batch_kwargs, expect=dict(ADMIN_ONLY), names_object=False),
    Route(
        "history:batch-confirm",
        _batch_kwargs,
        expect=ADMIN_ONLY | {"admin": 303},
        method="post",
        data=lambda w: {},
        names_object=False,
    ),
]


# Work pages of a force: each role's home, the paged records list and the inspections list; the
# response sign-off page (read, see changes, confirm) and the word-level changes between versions.
def version_kwargs(world, force, obj_force):
    return {**response_kwargs(world, force, obj_force), "number": 1}


ROUTES += [
    Route("recommendations:home", force_only, names_object=False),
    Route("recommendations:record-list", force_only, names_object=False),
    Route("recommendations:inspection-list", force_only, names_object=False),
    Route("responses:sign-off", response_kwargs, expect={**SIGN_OFF}),
    Route("responses:version-changes", version_kwargs),
]

# Hardening: the health check holds no force's data and answers everyone, signed in or not.
ROUTES += [
    Route("healthz", _none, expect={role: 200 for role in ROLES}, names_object=False),
]


# People: a force's OPCC administrator manages its users; administrators every force's and the
# national team's. Everyone else, the national team included, gets 404. The two OPCC
# administrators are not in ROLES (they would change every other route's table):
# tests/test_tenancy_matrix.py checks them on these routes through the extra keys.
PEOPLE = {role: 404 for role in ROLES} | {
    "admin": 200,
    "anonymous": 302,
    "gwent_opcc_admin": 200,
    "dyfed_opcc_admin": 404,
}
PEOPLE_POSTED = {**PEOPLE, "admin": 302, "gwent_opcc_admin": 302}
NATIONAL_PEOPLE = {role: 404 for role in ROLES} | {"admin": 200, "anonymous": 302}
PEOPLE_ROLES = ("gwent_opcc_admin", "dyfed_opcc_admin")


def person_kwargs(world, force, obj_force):
    from accounts.models import User

    # A member an OPCC administrator may manage (a fuzzed form may have changed gwent.staff's role).
    user = (
        User.objects.filter(memberships__force=obj_force)
        .exclude(memberships__role="opcc_admin")
        .order_by("pk")
        .first()
    )
    return {"force_slug": force.slug, "pk": user.pk}


def _probe_invitation(force):
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Invitation

    invitation, _ = Invitation.objects.get_or_create(
        force=force,
        email=f"probe@{force.slug if force else 'national'}.example.org",
        defaults={
            "role": "opcc_staff" if force else "national_team",
            "expires_at": timezone.now() + timedelta(days=7),
        },
    )
    return invitation


def invitation_kwargs(world, force, obj_force):
    return {"force_slug": force.slug, "pk": _probe_invitation(obj_force).pk}


def national_person_kwargs(world, force, obj_force):
    from accounts.models import User

    return {"pk": User.objects.filter(is_national_team=True).first().pk}


def national_invitation_kwargs(world, force, obj_force):
    return {"pk": _probe_invitation(None).pk}


def invitation_link_kwargs(world, force, obj_force):
    import hashlib

    invitation = _probe_invitation(obj_force)
    invitation.token_sha256 = hashlib.sha256(b"probe-link-secret").hexdigest()
    invitation.save(update_fields=["token_sha256"])
    return {"token": "probe-link-secret"}


ROUTES += [
    Route("people:list", force_only, expect=dict(PEOPLE), names_object=False),
    Route("people:invite", force_only, expect=dict(PEOPLE), names_object=False),
    Route("people:audit", force_only, expect=dict(PEOPLE), names_object=False),
    Route("people:person", person_kwargs, expect=dict(PEOPLE)),
    Route("people:deactivate", person_kwargs, expect=dict(PEOPLE)),
    Route("people:invitation-resend", invitation_kwargs, expect=dict(PEOPLE_POSTED), method="post"),
    Route("people:invitation-cancel", invitation_kwargs, expect=dict(PEOPLE_POSTED), method="post"),
    Route("people:national-list", _none, expect=dict(NATIONAL_PEOPLE), names_object=False),
    Route("people:national-invite", _none, expect=dict(NATIONAL_PEOPLE), names_object=False),
    Route("people:national-audit", _none, expect=dict(NATIONAL_PEOPLE), names_object=False),
    Route("people:national-person", national_person_kwargs, expect=dict(NATIONAL_PEOPLE), names_object=False),
    Route(
        "people:national-deactivate", national_person_kwargs, expect=dict(NATIONAL_PEOPLE), names_object=False
    ),
    Route(
        "people:national-invitation-resend",
        national_invitation_kwargs,
        expect={**NATIONAL_PEOPLE, "admin": 302},
        method="post",
        names_object=False,
    ),
    Route(
        "people:national-invitation-cancel",
        national_invitation_kwargs,
        expect={**NATIONAL_PEOPLE, "admin": 302},
        method="post",
        names_object=False,
    ),
    # The invitation link is the key: anyone holding it sees the invitation, signed in or not.
    Route("people:accept", invitation_link_kwargs, expect=dict(PUBLIC), names_object=False),
    # Single sign-on: the choice of provider is public; a callback without a state of this
    # browser's is refused (400) whoever asks. Starting needs a live provider (tests/test_oidc.py).
    Route("oidc:choose", _none, expect=dict(PUBLIC), names_object=False),
    Route("oidc:callback", _none, expect={role: 400 for role in ROLES}, names_object=False),
]
EXEMPT.add("oidc:start")  # redirects to the force's live identity provider: tests/test_oidc.py
