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


ROUTES: list[Route] = [
    Route("forces:overview", force_only, names_object=False),
    Route("recommendations:record-detail", record_kwargs),
]

# Named URLs outside the tenancy table: no force's data behind them, or tested on their own.
EXEMPT_PREFIXES = ("admin:",)
EXEMPT = {
    "home",
    "accounts:login",
    "accounts:logout",
    "forces:list",
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


# Issue 4: section 55 responses. Each force's seed response is published (so the public pages
# have content); `response_kwargs` loads them on first use.
def _seed_response(world, force):
    from responses.demo import load_seed_responses
    from responses.models import Response

    if not Response.objects.filter(force=force, inspection=world.inspection).exists():
        load_seed_responses(world.inspection, render=False)
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
