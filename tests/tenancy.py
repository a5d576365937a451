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
    from recommendations.services import add_progress_update

    attachment = Attachment.objects.filter(force=obj_force).first()
    if attachment is None:
        checked = check_evidence(SimpleUploadedFile("minutes.txt", b"Panel minutes.\n"))
        result = add_progress_update(
            world.record(obj_force),
            author=None,
            text="Minutes attached.",
            check_permission=False,
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


def sign_off_data(world):
    """Puts Gwent's record in "awaiting sign-off" first, so that a chief officer's decision succeeds."""
    from recommendations.models import Record
    from recommendations.services import add_progress_update

    record = world.record(world.gwent)
    if record.status != Record.Status.AWAITING_SIGN_OFF:
        add_progress_update(
            record, author=None, text="Implemented.", status="awaiting_sign_off", check_permission=False
        )
    return {"decision": "complete"}


ROUTES: list[Route] = [
    Route("forces:overview", force_only, names_object=False),
    Route("recommendations:record-detail", record_kwargs),
    # Issue 3: the progress workflow (recommendations app). POSTs that succeed redirect (302).
    *[Route(name, record_kwargs, expect=dict(EDIT)) for name in ISSUE_3_EDIT_PAGES],
    *[Route(name, record_kwargs, expect=dict(SIGN_OFF)) for name in ISSUE_3_SIGN_OFF_PAGES],
    Route("recommendations:update-create", record_kwargs, EDITED, "post", lambda w: {"text": "Probe."}),
    Route("recommendations:record-owners", record_kwargs, EDITED, "post", lambda w: {"owners": []}),
    Route("recommendations:closure-request", record_kwargs, EDITED, "post", lambda w: {"text": "Done."}),
    Route(
        "recommendations:extension-create",
        record_kwargs,
        EDITED,
        "post",
        lambda w: {"new_due_on": "2099-01-31", "reason": "Training runs late."},
    ),
    Route("recommendations:record-sign-off", record_kwargs, SIGNED, "post", sign_off_data),
    Route(
        "recommendations:record-no-further-action",
        record_kwargs,
        SIGNED,
        "post",
        lambda w: {"reason": "Done."},
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
