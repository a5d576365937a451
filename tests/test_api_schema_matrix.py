"""Every endpoint in the generated OpenAPI schema × every role × an object of own force and of another.

Fails if the schema gains an endpoint or method that is not in API_EXPECT, so no new API route
ships without its tenancy answer.
"""

import json

import pytest
from drf_spectacular.generators import SchemaGenerator

from recommendations.models import Owner, ProgressUpdate
from responses.models import Response

from .tenancy import API_READ, ROLES

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

API_WRITE = {
    "gwent_staff": 201,
    "gwent_chief": 201,
    "dyfed_staff": 404,
    "dyfed_chief": 404,
    "national": 404,
    "admin": 404,
    "anonymous": 401,
}

# Writes that change an existing object answer 200 with it.
API_CHANGE = {**API_WRITE, "gwent_staff": 200, "gwent_chief": 200}

# (path, method) -> (expected answer per role for a Gwent object, the collection its ids come from)
API_EXPECT = {
    ("/api/forces/{force_slug}/records/", "get"): (API_READ, None),
    ("/api/forces/{force_slug}/records/{id}/", "get"): (API_READ, "records"),
    ("/api/forces/{force_slug}/records/{record_pk}/updates/", "get"): (API_READ, "records"),
    ("/api/forces/{force_slug}/records/{record_pk}/updates/", "post"): (API_WRITE, "records"),
    ("/api/forces/{force_slug}/owners/", "get"): (API_READ, None),
    ("/api/forces/{force_slug}/owners/", "post"): (API_WRITE, None),
    ("/api/forces/{force_slug}/owners/{id}/", "get"): (API_READ, "owners"),
    ("/api/forces/{force_slug}/responses/", "get"): (API_READ, None),
    ("/api/forces/{force_slug}/responses/{id}/", "get"): (API_READ, "responses"),
    ("/api/forces/{force_slug}/responses/{id}/ledger/", "get"): (API_READ, "responses"),
    ("/api/forces/{force_slug}/responses/{id}/ledger/", "post"): (API_CHANGE, "responses"),
    ("/api/forces/{force_slug}/records/{id}/hmicfrs-closure/", "post"): (API_CHANGE, "records"),
}


def schema_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("get", "post")
    )


def test_every_schema_operation_has_a_tenancy_answer():
    missing = [op for op in schema_operations() if op not in API_EXPECT]
    assert not missing, f"Add these API operations to API_EXPECT: {missing}"


def _object(world, collection, force):
    if collection == "records":
        return world.record(force)
    if collection == "owners":
        return Owner.objects.get_or_create(force=force, role_title="Head of Public Protection")[0]
    if collection == "responses":
        return Response.objects.get_or_create(force=force, inspection=world.inspection)[0]
    return None


def _call(client, path, method, *, world, url_force, obj):
    url = path.replace("{force_slug}", url_force.slug)
    if obj is not None:
        url = url.replace("{id}", str(obj.pk)).replace("{record_pk}", str(obj.pk))
    if method == "get":
        return client.get(url)
    body = {"name": "Head of Offender Management"}
    if "updates" in path:
        body = {"text": "Matrix probe.", "expected_version": obj.version}
    elif "ledger" in path:
        body = {"chief_invited_on": "2022-07-20"}
    elif "hmicfrs-closure" in path:
        body = {
            "closed_on": "2024-01-15",
            "basis": "Authorised for closure on the basis of the audit.",
            "expected_version": obj.version,
        }
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("path", "method"), sorted(API_EXPECT), ids=lambda v: str(v))
@pytest.mark.parametrize("role", ROLES)
def test_role_gets_expected_api_answer_for_gwent_object(path, method, role, world, personas, client_for):
    expect, collection = API_EXPECT[(path, method)]
    obj = _object(world, collection, world.gwent)
    before = ProgressUpdate.objects.count(), Owner.objects.count()
    response = _call(client_for(personas[role]), path, method, world=world, url_force=world.gwent, obj=obj)
    assert response.status_code == expect[role], (role, method, path, response.content[:200])
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert (ProgressUpdate.objects.count(), Owner.objects.count()) == before


@pytest.mark.parametrize(
    ("path", "method"), sorted(k for k, v in API_EXPECT.items() if v[1]), ids=lambda v: str(v)
)
@pytest.mark.parametrize("role", ["dyfed_staff", "dyfed_chief"])
def test_gwent_object_under_own_force_api_url_is_not_found(path, method, role, world, personas, client_for):
    _, collection = API_EXPECT[(path, method)]
    obj = _object(world, collection, world.gwent)
    before = ProgressUpdate.objects.count(), Owner.objects.count()
    response = _call(client_for(personas[role]), path, method, world=world, url_force=world.dyfed, obj=obj)
    assert response.status_code == 404, (role, method, path)
    assert (ProgressUpdate.objects.count(), Owner.objects.count()) == before
