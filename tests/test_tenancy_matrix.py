"""Every force URL × every role × own force / other force. Another force's object answers 404."""

import pytest
from django.urls import reverse

from .tenancy import EXEMPT, EXEMPT_PREFIXES, PEOPLE_ROLES, ROLES, ROUTES, all_url_names

# ~600 cases read the same world: build it once for the module, each case rolls back its changes.
pytestmark = [pytest.mark.django_db, pytest.mark.shared_world, pytest.mark.shared_sessions]


def _request(client, route, url, world):
    data = route.data(world) if route.data else None
    return (
        getattr(client, route.method)(url, data=data)
        if data is not None
        else getattr(client, route.method)(url)
    )


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_answer_for_gwent_object(route, role, world, personas, client_for):
    url = reverse(route.name, kwargs=route.kwargs(world, world.gwent, world.gwent))
    response = _request(client_for(personas[role]), route, url, world)
    expected = route.expect[role]
    assert response.status_code == expected, f"{role} {route.method.upper()} {url}"
    if expected == 302 and role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    elif expected == 302:  # a form posted by someone allowed to: it saved and went back (not to sign in)
        assert "/accounts/login/" not in response["Location"]


@pytest.mark.parametrize("route", [r for r in ROUTES if r.names_object], ids=lambda r: r.name)
@pytest.mark.parametrize("role", ["dyfed_staff", "dyfed_chief"])
def test_gwent_object_under_own_force_url_is_not_found(route, role, world, personas, client_for):
    """Dyfed-Powys staff put Gwent's id into a Dyfed-Powys URL: the scope finds nothing."""
    url = reverse(route.name, kwargs=route.kwargs(world, world.dyfed, world.gwent))
    response = _request(client_for(personas[role]), route, url, world)
    assert response.status_code == 404, url


@pytest.mark.parametrize("route", [r for r in ROUTES if PEOPLE_ROLES[0] in r.expect], ids=lambda r: r.name)
@pytest.mark.parametrize("role", PEOPLE_ROLES)
def test_opcc_administrator_gets_expected_answer_for_gwent_people(route, role, world, client_for, request):
    """Gwent's OPCC administrator manages Gwent's people; Dyfed-Powys's gets 404 for every Gwent page."""
    user = request.getfixturevalue(role)
    url = reverse(route.name, kwargs=route.kwargs(world, world.gwent, world.gwent))
    response = _request(client_for(user), route, url, world)
    assert response.status_code == route.expect[role], f"{role} {route.method.upper()} {url}"


@pytest.mark.parametrize(
    "route", [r for r in ROUTES if PEOPLE_ROLES[0] in r.expect and r.names_object], ids=lambda r: r.name
)
def test_gwent_user_under_dyfed_people_url_is_not_found(route, world, dyfed_opcc_admin, client_for):
    """Dyfed-Powys's administrator puts a Gwent user's or invitation's id into a Dyfed-Powys URL: 404."""
    url = reverse(route.name, kwargs=route.kwargs(world, world.dyfed, world.gwent))
    response = _request(client_for(dyfed_opcc_admin), route, url, world)
    assert response.status_code == 404, url


def test_every_url_is_in_the_tenancy_table():
    covered = {route.name for route in ROUTES} | EXEMPT
    missing = sorted(
        name for name in all_url_names() if name not in covered and not name.startswith(EXEMPT_PREFIXES)
    )
    assert not missing, f"Add these URLs to tests/tenancy.py ROUTES (or EXEMPT, with a reason): {missing}"


def test_unknown_force_is_not_found(personas, client_for):
    response = client_for(personas["national"]).get("/forces/no-such-force/")
    assert response.status_code == 404
