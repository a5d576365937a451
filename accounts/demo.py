"""Demo users: admin, national, and <slug>.staff / <slug>.chief for each seed force."""

from django.conf import settings
from django.contrib.auth.hashers import make_password

from forces.models import Force, Membership
from forces.services import set_membership

from .models import User

SEED_FORCES = ("dyfed-powys", "gwent", "avon-and-somerset", "staffordshire", "gloucestershire")


def _user(username, *, password: str, first_name="", last_name="", email="", **flags) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.first_name, user.last_name = first_name, last_name
    user.email = email or f"{username}@example.org"
    for key, value in flags.items():
        setattr(user, key, value)
    user.password = password
    user.save()
    return user


def load_users() -> list[str]:
    # A password hash is slow on purpose (a million PBKDF2 rounds): the demo users share one
    # published password, so it is hashed once for all of them, not twelve times (4 s a load).
    password = make_password(settings.DEMO_PASSWORD)
    made = [
        _user(
            "admin",
            password=password,
            first_name="Demo",
            last_name="Administrator",
            is_staff=True,
            is_superuser=True,
        ),
        _user("national", password=password, first_name="National", last_name="Team", is_national_team=True),
    ]
    for force in Force.objects.filter(slug__in=SEED_FORCES):
        area = force.area_name or force.name
        staff = _user(f"{force.slug}.staff", password=password, first_name=area, last_name="OPCC staff")
        chief = _user(f"{force.slug}.chief", password=password, first_name=area, last_name="Chief officer")
        set_membership(staff, force, Membership.Role.OPCC_STAFF)
        set_membership(chief, force, Membership.Role.CHIEF_OFFICER)
        made += [staff, chief]
    return [u.username for u in made]
