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
