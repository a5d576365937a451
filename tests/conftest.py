"""Personas per force and a small real world built by the project's own loaders.

Every test can ask "and the other force?": Gwent and Dyfed-Powys each have OPCC staff and a chief
officer; `national` reads everything; `admin` is a superuser.
"""

import uuid
from dataclasses import dataclass
from importlib import import_module

import pytest
from django.conf import settings
from django.db import transaction
from django_scopes import scope, scopes_disabled

from accounts.models import User
from forces.demo import load_forces, load_office_holdings
from forces.models import Force, Membership
from forces.services import set_membership
from recommendations.demo import _read, load_inspection, load_seed_progress
from recommendations.models import Inspection, ProgressUpdate, Record

SEED_SLUGS = ("dyfed-powys", "gwent", "avon-and-somerset", "staffordshire", "gloucestershire")


@pytest.fixture(autouse=True)
def _no_scope_outside_requests(request):
    """Service tests marked `force_scope("gwent")` run inside that force's scope, as a request or a
    task does in production, so a service that forgets its scope fails here as it would there.

    Other tests build and inspect data across forces, so they run with scopes disabled; requests
    they make still run inside their force's scope (ForceScopeMiddleware).
    """
    marker = request.node.get_closest_marker("force_scope")
    if marker is None or request.node.get_closest_marker("across_forces"):
        with scopes_disabled():
            yield
        return
    force = getattr(request.getfixturevalue("world"), marker.args[0])
    with scope(force=force.pk):
        yield


@pytest.fixture(scope="session", autouse=True)
def _postgresql_flushes_by_delete():
    """A transactional test (browser, worker and fault tests) empties every table after it. On
    PostgreSQL Django's flush is one TRUNCATE of the 70 tables, which makes new files for each and
    took 0.37 s a test; deleting their few rows takes 0.02 s. Every foreign key Django makes on
    PostgreSQL is checked at commit, so the order of the deletes does not matter. A flush that must
    reset sequences or cascade beyond the listed tables keeps Django's TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(scope="session", autouse=True)
def _test_client_keeps_page_contexts_only():
    """Django's test client copies the context of every template it sees rendered, each include and
    each parent layout too, so that `response.context` can be read after the request; a page of rows
    made hundreds of copies, about a seventh of the tenancy matrix's and the form fuzzing's time.
    Here every template is still listed (`response.templates`, `assertTemplateUsed`), but only the
    contexts of top-level renders (the page, a fragment or an e-mail drawn on its own) are copied:
    an include or a layout is drawn inside its page's render, from its page's context, so
    `response.context` finds the view's names as before."""
    from copy import copy

    from django.test import client as test_client

    def store_rendered_templates(store, signal, sender, template, context, **kwargs):
        store.setdefault("templates", []).append(template)
        if "context" not in store:
            store["context"] = test_client.ContextList()
        if context.template is template:
            store["context"].append(copy(context))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(test_client, "store_rendered_templates", store_rendered_templates)
        yield


@pytest.fixture(autouse=True)
def _project_celery_app_stays_current():
    """An embedded test worker (celery.contrib.testing) makes its own app current and default and
    never puts the project's back; put it back so later tests in this process queue work as the
    product does, not to a dead test broker."""
    from mappa_tracker.celery import app

    yield
    app.set_current()
    app.set_default()


@pytest.fixture(scope="session", autouse=True)
def _static_root():
    """WhiteNoise warns about a missing STATIC_ROOT; the settings no longer make folders on import."""
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _default_language_for_each_test():
    """Each test starts in the default language. Django activates a request's language in the
    thread and leaves it there, so a Welsh page drawn by one test would otherwise decide the
    language of the next test's templates and e-mails."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def own_cache(settings):
    """An empty local-memory cache for this test alone (the page and row cache tests)."""
    from django.core.cache import cache

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }
    yield
    cache.clear()


@dataclass
class World:
    inspection: Inspection
    gwent: Force
    dyfed: Force

    def record(self, force: Force, number: int = 14) -> Record:
        return Record.objects.get(
            force=force, recommendation__inspection=self.inspection, recommendation__number=number
        )

    def update(self, force: Force, number: int = 14) -> ProgressUpdate:
        return self.record(force, number).updates.order_by("-pk").first()


def _load_world(slugs=SEED_SLUGS) -> World:
    path = settings.BASE_DIR / "fixtures" / "forces.json"
    load_forces(path, only=slugs)
    load_office_holdings(only=slugs)
    inspection = load_inspection(_read("mappa_inspection.json"))
    load_seed_progress(inspection)
    return World(inspection, Force.objects.get(slug="gwent"), Force.objects.get(slug="dyfed-powys"))


def make_user(username, *, force=None, role=None, **extra) -> User:
    with scopes_disabled():  # setting up people is not the code under test
        user = User.objects.create_user(
            username=username, password="test-pass-2022", email=f"{username}@example.org", **extra
        )
        if force is not None:
            set_membership(user, force, role)
    return user


# The personas, by fixture name: (username, force attribute of World or None, role, extra fields).
PERSONAS = {
    "gwent_staff": ("gwent.staff", "gwent", Membership.Role.OPCC_STAFF, {}),
    "gwent_chief": ("gwent.chief", "gwent", Membership.Role.CHIEF_OFFICER, {}),
    "dyfed_staff": ("dyfed-powys.staff", "dyfed", Membership.Role.OPCC_STAFF, {}),
    "dyfed_chief": ("dyfed-powys.chief", "dyfed", Membership.Role.CHIEF_OFFICER, {}),
    "national": ("national", None, None, {"is_national_team": True}),
    "admin_user": ("admin", None, None, {"is_staff": True, "is_superuser": True}),
}


def _make_persona(world: World, name: str) -> User:
    username, force, role, extra = PERSONAS[name]
    return make_user(username, force=getattr(world, force) if force else None, role=role, **extra)


@pytest.fixture(scope="module", autouse=True)
def _shared_world(request):
    """For modules marked `shared_world`: the world and the personas built once for the module.

    They are written inside a transaction that stays open for the whole module and is rolled back
    at its end; each test runs in a savepoint inside it (pytest-django's `db`), so whatever a test
    changes is undone before the next one, exactly as if the world had been built afresh. Only for
    modules without transactional tests (those flush the database, and the world with it).
    """
    if request.node.get_closest_marker("shared_world") is None:
        yield None
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    atomic = transaction.atomic()
    with blocker.unblock(), scopes_disabled():
        atomic.__enter__()
        shared = _load_world()
        for name in PERSONAS:
            _make_persona(shared, name)
    try:
        yield shared
    finally:
        with blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def world(db, _shared_world) -> World:
    """The MAPPA inspection and the five seed forces with their 2022 answers."""
    if _shared_world is None:
        with scopes_disabled():  # the loaders write every force's rows
            return _load_world()
    return World(
        Inspection.objects.get(pk=_shared_world.inspection.pk),
        Force.objects.get(pk=_shared_world.gwent.pk),
        Force.objects.get(pk=_shared_world.dyfed.pk),
    )


def _persona(request, world, name) -> User:
    if request.getfixturevalue("_shared_world") is None:
        return _make_persona(world, name)
    with scopes_disabled():
        return User.objects.get(username=PERSONAS[name][0])


@pytest.fixture
def gwent_staff(request, world):
    return _persona(request, world, "gwent_staff")


@pytest.fixture
def gwent_chief(request, world):
    return _persona(request, world, "gwent_chief")


@pytest.fixture
def dyfed_staff(request, world):
    return _persona(request, world, "dyfed_staff")


@pytest.fixture
def dyfed_chief(request, world):
    return _persona(request, world, "dyfed_chief")


@pytest.fixture
def national(request, world):
    return _persona(request, world, "national")


@pytest.fixture
def admin_user(request, world):
    return _persona(request, world, "admin_user")


@pytest.fixture
def gwent_opcc_admin(world):
    """Gwent's OPCC administrator: manages Gwent's people (made per test, not in the shared world)."""
    return make_user("gwent.opcc-admin", force=world.gwent, role=Membership.Role.OPCC_ADMIN)


@pytest.fixture
def dyfed_opcc_admin(world):
    return make_user("dyfed-powys.opcc-admin", force=world.dyfed, role=Membership.Role.OPCC_ADMIN)


@pytest.fixture
def personas(gwent_staff, gwent_chief, dyfed_staff, dyfed_chief, national, admin_user):
    return {
        "gwent_staff": gwent_staff,
        "gwent_chief": gwent_chief,
        "dyfed_staff": dyfed_staff,
        "dyfed_chief": dyfed_chief,
        "national": national,
        "admin": admin_user,
        "anonymous": None,
    }


@pytest.fixture(scope="module")
def _persona_sessions(request, _shared_world):
    """For modules marked `shared_sessions` (and `shared_world`): each persona signed in once for
    the module, inside the module's transaction. {user id: (session key, session data)}.

    Signing in writes the session, the user's last sign-in and an audit event, and cost more than
    many of the requests the tenancy matrix and the form fuzzing make with it. Only for modules
    that do not count sign-ins: a test there gets a session made before it, not by it."""
    if _shared_world is None or request.node.get_closest_marker("shared_sessions") is None:
        return {}
    from django.test import Client

    sessions = {}
    with request.getfixturevalue("django_db_blocker").unblock(), scopes_disabled():
        for username, *_rest in PERSONAS.values():
            user = User.objects.get(username=username)
            client = Client()
            client.force_login(user)
            session = client.session
            sessions[user.pk] = (session.session_key, dict(session))
    return sessions


@pytest.fixture
def client_for(client, _persona_sessions):
    """client_for(user) -> a test client signed in as `user` (None: signed out)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is None:
            return c
        if user.pk in _persona_sessions:
            # The module's session for this persona, put back as it was made: whatever an earlier
            # test changed in it (the language, a sign-out) is undone in the database by that
            # test's rollback, and in a cache in front of it by this save.
            key, data = _persona_sessions[user.pk]
            store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
            store._session_cache = dict(data)
            store.save()
            c.cookies[settings.SESSION_COOKIE_NAME] = key
            return c
        c.force_login(user)
        return c

    return make
