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
# Sign-in pages hold no force's data; tests/test_security.py covers them (two-factor, reset).
EXEMPT |= {
    "accounts:two-factor-verify",
    "accounts:two-factor-setup",
    "accounts:password-reset",
    "accounts:password-reset-done",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
}
