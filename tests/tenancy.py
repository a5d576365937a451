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


ROUTES += [
    Route("national:dashboard", no_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:dashboard-export", csv_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:dashboard-export", xlsx_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:compare", recommendation_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:compare-export", recommendation_csv_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:compare-export", recommendation_xlsx_kwargs, expect=NATIONAL_ONLY, names_object=False),
    Route("national:search", no_kwargs, expect=NATIONAL_ONLY, names_object=False),
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
