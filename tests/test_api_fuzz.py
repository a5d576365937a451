"""Schemathesis against the live schema, as an OPCC user, a chief officer and the national team.

Positive and negative examples for every operation, through the WSGI app in-process: no 500s,
every response matches the schema, and no other force's data ever appears. Path ids are drawn
from the ids of Gwent's *and* Dyfed-Powys's objects, so the cross-force probe is part of the run.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from forces.models import Force
from recommendations.models import Owner, Record
from responses.models import Response

pytestmark = pytest.mark.django_db

EXAMPLES = 12  # per operation, mode and role: about 1,000 requests in all


def _ids(world):
    for force in (world.gwent, world.dyfed):
        Owner.objects.get_or_create(force=force, role_title="Head of Public Protection")
        Response.objects.get_or_create(force=force, inspection=world.inspection)
    return {
        "records": list(
            Record.objects.filter(force__in=[world.gwent, world.dyfed]).values_list("pk", flat=True)
        ),
        "owners": list(Owner.objects.values_list("pk", flat=True)),
        "responses": list(Response.objects.values_list("pk", flat=True)),
    }


@pytest.fixture
def keep_test_connection():
    """Serve the WSGI app in-process without closing the test's database connection between requests.

    Django's own test client does the same: request_started/finished would otherwise close the
    connection that holds the test transaction (PostgreSQL with CONN_MAX_AGE).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _pick(ids, value) -> int:
    try:
        return ids[abs(int(value)) % len(ids)]
    except (TypeError, ValueError):
        return value


@pytest.mark.parametrize("role", ["gwent_staff", "gwent_chief", "national"])
def test_fuzzed_api_never_fails_and_never_leaks(role, world, personas, keep_test_connection):
    ids = _ids(world)
    other_slugs = list(Force.objects.exclude(pk=world.gwent.pk).values_list("slug", flat=True))
    token = Token.objects.create(user=personas[role])
    headers = {"Authorization": f"Token {token.key}"}
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 9
    seen = {"2xx": 0, "4xx": 0}

    def make_run(operation, collection, mode):
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            params = case.path_parameters
            if mode is GenerationMode.POSITIVE:
                params["force_slug"] = "gwent"
                for name in ("id", "record_pk"):
                    if name in params:
                        params[name] = _pick(
                            ids["records" if name == "record_pk" else collection], params[name]
                        )
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.method, case.formatted_path, response.text[:300])
            case.validate_response(
                response,
                checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
                headers=headers,
            )
            seen["2xx" if response.status_code < 300 else "4xx"] += 1
            if response.status_code < 300 and response.text:
                body = json.loads(response.text)
                rows = body.get("results", [body]) if isinstance(body, dict) else body
                for row in rows:
                    assert row.get("force", "gwent") == "gwent", row
                for slug in other_slugs:
                    assert f'"{slug}"' not in response.text

        return run

    for operation in operations:
        collection = operation.path.split("/")[4]  # /api/forces/{force_slug}/<collection>/...
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            make_run(operation, collection, mode)()
    assert seen["2xx"] > 0 and seen["4xx"] > 0, seen
