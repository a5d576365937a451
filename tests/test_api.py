"""The API under exactly the pages' rules: scoping, roles, workflow steps, validation, JSON errors."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from recommendations.models import Owner, ProgressUpdate, Record

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


def api(client, method, url, body=None, **extra):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str | bytes) else json.dumps(body)
    return getattr(client, method)(url, **kwargs, **extra)


def updates_url(force, record):
    return f"/api/forces/{force.slug}/records/{record.pk}/updates/"


def counts():
    return (
        ProgressUpdate.objects.count(),
        Owner.objects.count(),
        list(Record.objects.values_list("version", "status")),
    )


def test_staff_lists_only_their_force_records_paginated(world, gwent_staff, client_for):
    response = client_for(gwent_staff).get("/api/forces/gwent/records/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and {"next", "previous", "results"} <= set(body)
    assert {row["force"] for row in body["results"]} == {"gwent"}
    assert sorted(row["recommendation"]["number"] for row in body["results"]) == [14, 15, 18, 19]


def test_other_force_answers_json_404(world, dyfed_staff, client_for):
    response = client_for(dyfed_staff).get("/api/forces/gwent/records/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_gwent_record_id_under_dyfed_url_is_not_found(world, dyfed_staff, client_for):
    record = world.record(world.gwent)
    client = client_for(dyfed_staff)
    assert client.get(f"/api/forces/dyfed-powys/records/{record.pk}/").status_code == 404
    before = counts()
    response = api(
        client, "post", updates_url(world.dyfed, record), {"text": "x", "expected_version": record.version}
    )
    assert response.status_code == 404 and response.json()["detail"]
    assert counts() == before


def test_national_reads_but_cannot_write(world, national, client_for):
    client = client_for(national)
    record = world.record(world.gwent)
    assert client.get(f"/api/forces/gwent/records/{record.pk}/").json()["id"] == record.pk
    before = counts()
    response = api(
        client, "post", updates_url(world.gwent, record), {"text": "x", "expected_version": record.version}
    )
    assert response.status_code == 404
    assert api(client, "post", "/api/forces/gwent/owners/", {"name": "A"}).status_code == 404
    assert counts() == before


def test_workflow_from_update_to_sign_off_and_a_replay_changes_nothing(
    world, gwent_staff, gwent_chief, client_for
):
    record = world.record(world.gwent, 18)
    staff, chief = client_for(gwent_staff), client_for(gwent_chief)
    url = updates_url(world.gwent, record)

    response = api(
        staff,
        "post",
        url,
        {"text": "Done.", "status": "awaiting_sign_off", "expected_version": record.version},
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "closure_requested"
    record.refresh_from_db()

    # OPCC staff may not close a record: the service's role check answers 403 with its message.
    response = api(
        staff, "post", url, {"text": "Closing", "status": "complete", "expected_version": record.version}
    )
    assert response.status_code == 403 and "cannot move" in response.json()["detail"]

    sign_off = {"text": "Signed off.", "status": "complete", "expected_version": record.version}
    response = api(chief, "post", url, sign_off)
    assert response.status_code == 201 and response.json()["kind"] == "signed_off"
    before = counts()
    replay = api(chief, "post", url, sign_off)
    assert replay.status_code == 409 and replay.json()["detail"]
    assert counts() == before
    record.refresh_from_db()
    assert record.status == Record.Status.COMPLETE


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ("{not json", 400, "detail"),
        ([1, 2], 400, "non_field_errors"),
        ({"text": 5, "expected_version": "seven"}, 400, "expected_version"),
        ({"text": "x", "expected_version": 1, "status": "flying"}, 400, "status"),
        ({"text": "x", "expected_version": 1, "author": 1}, 400, "author"),
        ({"text": "   ", "expected_version": 1}, 400, "text"),
        ({"text": "x", "expected_version": 1, "dated": "31/02/2023"}, 400, "dated"),
        ({"text": "x", "expected_version": 1, "corrects": 999999}, 400, "corrects"),
    ],
)
def test_bad_input_is_a_clear_4xx_and_changes_nothing(world, gwent_staff, client_for, body, status, field):
    record = world.record(world.gwent)
    before = counts()
    response = api(client_for(gwent_staff), "post", updates_url(world.gwent, record), body)
    assert response.status_code == status, response.content
    assert field in response.json()
    assert counts() == before


def test_no_further_action_needs_a_reason(world, gwent_chief, client_for):
    record = world.record(world.gwent, 15)
    response = api(
        client_for(gwent_chief),
        "post",
        updates_url(world.gwent, record),
        {"text": "NFA", "status": "no_further_action", "expected_version": record.version},
    )
    assert response.status_code == 400 and "reason" in response.json()


def test_huge_payload_is_413_json(world, gwent_staff, client_for, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    record = world.record(world.gwent)
    before = counts()
    response = api(
        client_for(gwent_staff),
        "post",
        updates_url(world.gwent, record),
        {"text": "x" * 5000, "expected_version": 1},
    )
    assert response.status_code == 413 and "too large" in response.json()["detail"]
    assert counts() == before


def test_wrong_media_type_and_method_are_json(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    record = world.record(world.gwent)
    response = client.post(updates_url(world.gwent, record), {"text": "x", "expected_version": 1})
    assert response.status_code == 415 and response.json()["detail"]
    response = api(client, "put", f"/api/forces/gwent/records/{record.pk}/", {})
    assert response.status_code == 405 and response.json()["detail"]
    response = api(client, "delete", updates_url(world.gwent, record))
    assert response.status_code == 405


def test_unknown_api_url_is_json_404(world, gwent_staff, client_for):
    response = client_for(gwent_staff).get("/api/nothing-here/")
    assert response.status_code == 404 and response.json() == {"detail": "Not found."}


def test_session_post_without_csrf_token_is_refused(world, gwent_staff):
    client = Client(enforce_csrf_checks=True)
    client.force_login(gwent_staff)
    before = counts()
    response = api(client, "post", "/api/forces/gwent/owners/", {"name": "Head of Public Protection"})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert counts() == before


def test_token_authentication_is_scoped_like_a_session(world, gwent_staff):
    token = Token.objects.create(user=gwent_staff)
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/forces/gwent/records/").status_code == 200
    assert client.get("/api/forces/dyfed-powys/records/").status_code == 404
    # A token needs no CSRF token: it is not sent by a browser on its own.
    response = api(
        client, "post", "/api/forces/gwent/owners/", {"role_title": "MOSOVO DI", "email": "di@example.org"}
    )
    assert response.status_code == 201, response.content
    assert Owner.objects.get(pk=response.json()["id"]).force == world.gwent


def test_bad_token_and_anonymous_get_json_refusals(world):
    bad = Client(HTTP_AUTHORIZATION="Token nope").get("/api/forces/gwent/records/")
    assert bad.status_code == 401 and bad.json()["detail"]
    anonymous = Client().get("/api/forces/gwent/records/")
    assert anonymous.status_code == 401 and anonymous.json()["detail"]


def test_owners_validation_and_isolation(world, gwent_staff, dyfed_staff, client_for):
    client = client_for(gwent_staff)
    assert api(client, "post", "/api/forces/gwent/owners/", {"name": "", "role_title": ""}).status_code == 400
    assert (
        api(client, "post", "/api/forces/gwent/owners/", {"name": "A", "email": "not-an-email"}).status_code
        == 400
    )
    created = api(client, "post", "/api/forces/gwent/owners/", {"name": "A", "force": "dyfed-powys"})
    assert created.status_code == 400 and "force" in created.json()
    owner = api(client, "post", "/api/forces/gwent/owners/", {"name": "A"}).json()
    assert client.get(f"/api/forces/gwent/owners/{owner['id']}/").status_code == 200
    assert client_for(dyfed_staff).get(f"/api/forces/dyfed-powys/owners/{owner['id']}/").status_code == 404


def test_schema_and_docs_need_sign_in_and_docs_have_no_inline_script(world, gwent_staff, client_for):
    assert Client().get("/api/schema/").status_code == 401
    client = client_for(gwent_staff)
    schema = client.get("/api/schema/?format=json")
    assert schema.status_code == 200 and "/api/forces/{force_slug}/records/" in schema.json()["paths"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "<script>" not in html and "<style" not in html and "cdn" not in html.lower()
    assert client.get("/api/docs/?script=").status_code == 200


def test_token_page_and_command(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    assert client.get("/api/token/").status_code == 200
    response = client.post("/api/token/", follow=True)
    key = Token.objects.get(user=gwent_staff).key
    assert key in response.content.decode()
    assert key not in client.get("/api/token/").content.decode()  # shown once
    out = io.StringIO()
    call_command("api_token", "gwent.staff", stdout=out)
    assert out.getvalue().strip() == key


def test_the_response_list_asks_the_same_queries_for_one_response_or_several(
    world, gwent_staff, client_for, django_assert_max_num_queries
):
    """The ledger (published version) and the office-holders on each response's date are read for the
    whole list at once, not once per response."""
    from datetime import date

    from recommendations.models import Inspection
    from responses.models import Response, ResponseVersion

    def add_published(n):
        inspection = Inspection.objects.create(
            title=f"Another inspection {n}", slug=f"another-{n}", published_on=date(2023, 1, 1 + n)
        )
        response = Response.objects.create(
            force=world.gwent, inspection=inspection, status="published", published_on=date(2023, 2, 1 + n)
        )
        version = ResponseVersion.objects.create(force=world.gwent, response=response, number=1)
        response.published_version = response.current_version = version
        response.save()

    client = client_for(gwent_staff)
    add_published(0)
    client.get("/api/forces/gwent/responses/")  # warm the session
    with django_assert_max_num_queries(30) as captured:
        assert client.get("/api/forces/gwent/responses/").status_code == 200
    few = len(captured.captured_queries)
    for n in range(1, 6):
        add_published(n)
    with django_assert_max_num_queries(few):
        body = client.get("/api/forces/gwent/responses/").json()
    assert len(body["results"]) >= 6
