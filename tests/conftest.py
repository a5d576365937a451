"""Personas per force and a small real world built by the project's own loaders.

Every test can ask "and the other force?": Gwent and Dyfed-Powys each have OPCC staff and a chief
officer; `national` reads everything; `admin` is a superuser.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django_scopes import scopes_disabled

from accounts.models import User
from forces.demo import load_forces
from forces.models import Force, Membership
from forces.services import set_membership
from recommendations.demo import _read, load_inspection, load_seed_progress
from recommendations.models import Inspection, ProgressUpdate, Record

SEED_SLUGS = ("dyfed-powys", "gwent", "avon-and-somerset", "staffordshire", "gloucestershire")


@pytest.fixture(autouse=True)
def _no_scope_outside_requests():
    """Tests build and inspect data across forces; requests still run inside their force's scope."""
    with scopes_disabled():
        yield


@pytest.fixture(autouse=True)
def _private_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "private"


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
    inspection = load_inspection(_read("mappa_inspection.json"))
    load_seed_progress(inspection)
    return World(inspection, Force.objects.get(slug="gwent"), Force.objects.get(slug="dyfed-powys"))


@pytest.fixture
def world(db) -> World:
    """The MAPPA inspection and the five seed forces with their 2022 answers."""
    return _load_world()


def make_user(username, *, force=None, role=None, **extra) -> User:
    user = User.objects.create_user(
        username=username, password="test-pass-2022", email=f"{username}@example.org", **extra
    )
    if force is not None:
        set_membership(user, force, role)
    return user


@pytest.fixture
def gwent_staff(world):
    return make_user("gwent.staff", force=world.gwent, role=Membership.Role.OPCC_STAFF)


@pytest.fixture
def gwent_chief(world):
    return make_user("gwent.chief", force=world.gwent, role=Membership.Role.CHIEF_OFFICER)


@pytest.fixture
def dyfed_staff(world):
    return make_user("dyfed-powys.staff", force=world.dyfed, role=Membership.Role.OPCC_STAFF)


@pytest.fixture
def dyfed_chief(world):
    return make_user("dyfed-powys.chief", force=world.dyfed, role=Membership.Role.CHIEF_OFFICER)


@pytest.fixture
def national(world):
    return make_user("national", is_national_team=True)


@pytest.fixture
def admin_user(world):
    return make_user("admin", is_staff=True, is_superuser=True)


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


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client signed in as `user` (None: signed out)."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
