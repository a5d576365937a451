"""Repeat reads of the force pages come from the cache, and never outlive a change or cross a tenancy.

The suite runs with the page cache off (its transactions are rolled back, which no cache can see);
these tests turn it on, each with an empty local-memory cache of its own.
"""

import re
import time
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontend import page_cache
from frontend.sessions import REFRESHED_KEY
from recommendations.models import Record
from tests.test_one_writer import via_api, via_import, via_page

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

OVERVIEW = "/forces/gwent/"
RECORDS = "/forces/gwent/records/"
PAGES = [
    OVERVIEW,
    RECORDS,
    "/forces/gwent/records/?status=in_progress&sort=due&page=1",
    "/forces/gwent/home/",
    "/forces/gwent/inspections/",
    "/forces/gwent/responses/",
    "/api/forces/gwent/records/",
]


@pytest.fixture(autouse=True)
def page_cache_on(settings, own_cache):
    settings.PAGE_CACHE_SECONDS = 300


def _drawn(response) -> bool:
    """Whether the view ran: a template was rendered (test client's context) or the API's data set."""
    return response.context is not None or hasattr(response, "data")


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, len(ctx.captured_queries)


def _cached(client, url) -> bool:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return not _drawn(response)


def _without_csrf(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", html)


@pytest.mark.parametrize("url", PAGES + ["record"])
def test_a_repeat_read_is_the_same_page_without_running_the_view(url, world, gwent_staff, client_for):
    if url == "record":
        url = world.record(world.gwent).get_absolute_url()
    client = client_for(gwent_staff)
    first, drawn = _get(client, url)
    second, served = _get(client, url)
    assert first.status_code == second.status_code == 200
    assert _drawn(first) and not _drawn(second)
    assert served < drawn and served <= 1  # at most the session row (none with Redis sessions)
    assert _without_csrf(second.content) == _without_csrf(first.content)
    assert second["Content-Type"] == first["Content-Type"]


def test_a_cached_form_carries_a_working_csrf_token(world, gwent_staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(gwent_staff)
    record = world.record(world.gwent)
    client.get(record.get_absolute_url())
    page = client.get(record.get_absolute_url())
    assert not _drawn(page)
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    assert tokens and page_cache.CSRF_PLACEHOLDER not in page.content.decode()
    # Signing out (a POST form in the header of every page) with the token of the cached page works.
    response = client.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302


DOORS = {"page": via_page, "api": via_api, "import": via_import}


@pytest.mark.parametrize("door", sorted(DOORS))
def test_a_change_through_any_door_shows_at_once(door, world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    record = world.record(world.gwent, 18)
    pages = [OVERVIEW, RECORDS, record.get_absolute_url(), "/api/forces/gwent/records/"]
    for url in pages:
        client.get(url)
        assert _cached(client, url)
    text = f"Change through the {door} {uuid.uuid4().hex[:8]}."
    response = DOORS[door](client, world, record, text=text)
    assert response.status_code in (200, 201, 302), response.content[:500]
    update = record.updates.get(text=text)
    for url in pages:
        page = client.get(url).content.decode()
        shown = f'"latest_update_id":{update.pk}' if url.startswith("/api/") else text
        assert shown in page, f"{url} still shows the page from before the {door} change"


def test_the_commit_replaces_the_token(world, django_capture_on_commit_callbacks):
    from django.db import transaction

    record = world.record(world.gwent, 18)
    # As in a transaction of its own (the shared world's open transaction has one bump waiting).
    waiting = list(connection.run_on_commit)
    connection.run_on_commit[:] = []
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
            before = page_cache.data_version()
            Record.objects.filter(pk=record.pk).update(version=record.version + 1)
            at_write = page_cache.data_version()
            Record.objects.filter(pk=record.pk).update(version=record.version + 2)
    finally:
        connection.run_on_commit[:0] = waiting
    assert at_write != before
    assert [c for c in callbacks if c is page_cache._bump_after_commit] == [page_cache._bump_after_commit]
    callbacks[0]()
    assert page_cache.data_version() not in (before, at_write)


def test_a_write_outside_a_transaction_replaces_the_token_once_it_has_committed():
    """A page drawn while an autocommit write runs (the token already replaced, the rows not yet
    changed) must not be filed under a token that outlives the write."""

    class Autocommit:
        in_atomic_block = False

    drawn_under = []

    def statement(sql, params, many, context):
        drawn_under.append(page_cache.data_version())  # a reader draws the page now, from the old rows
        return "executed"

    before = page_cache.data_version()
    sql = 'UPDATE "recommendations_record" SET "version" = 2'
    assert page_cache._watch_writes(statement, sql, (), False, {"connection": Autocommit()}) == "executed"
    assert drawn_under[0] != before
    assert page_cache.data_version() not in (before, drawn_under[0])


def test_reading_writes_nothing_that_drops_the_cache(world, gwent_staff, client_for, settings):
    settings.SESSION_REFRESH_SECONDS = 0  # the session row is written on this read
    client = client_for(gwent_staff)
    client.get(OVERVIEW)
    before = page_cache.data_version()
    with CaptureQueriesContext(connection) as ctx:
        client.get(RECORDS)
    assert any(q["sql"].startswith("UPDATE") for q in ctx.captured_queries)
    assert page_cache.data_version() == before


@pytest.mark.parametrize("url", PAGES)
def test_one_force_or_role_never_gets_anothers_cached_page(url, world, personas, client_for):
    # Everyone signs in first (signing in writes the user's last sign-in, which empties the cache).
    clients = {name: client_for(user) for name, user in personas.items() if user is not None}
    staff_client = clients["gwent_staff"]
    staff_client.get(url)
    assert _cached(staff_client, url)  # Gwent's OPCC staff's page is in the cache
    staff_page = staff_client.get(url).content
    for name in ("dyfed_staff", "dyfed_chief"):  # another force: not found, never the cached page
        response = clients[name].get(url)
        assert response.status_code in (403, 404), name
        assert _without_csrf(response.content) != _without_csrf(staff_page)
    for name in ("gwent_chief", "national", "admin"):  # another role or user: a page drawn for them
        response = clients[name].get(url)
        assert response.status_code == 200 and _drawn(response), (
            f"{name} was served Gwent staff's cached page"
        )
        assert _cached(clients[name], url)  # then their own page is cached, apart from the staff's
    assert _cached(staff_client, url)  # and the staff's is still theirs
    # The other force's own page is drawn for it.
    dyfed = clients["dyfed_staff"].get(url.replace("/gwent/", "/dyfed-powys/"))
    assert dyfed.status_code == 200 and _drawn(dyfed)
    assert _without_csrf(dyfed.content) != _without_csrf(staff_page)


def test_losing_access_stops_the_cached_page_at_once(world, gwent_staff, gwent_chief, admin_user, client_for):
    from accounts.people import deactivate
    from forces.services import remove_membership

    staff, chief = client_for(gwent_staff), client_for(gwent_chief)
    for client in (staff, chief):
        client.get(RECORDS)
        assert _cached(client, RECORDS)
    remove_membership(gwent_staff, world.gwent)
    assert staff.get(RECORDS).status_code == 404
    deactivate(gwent_chief, force=world.gwent, acting_user=admin_user)
    assert chief.get(RECORDS).status_code == 403  # the deactivated account's page, not the records


def test_a_signed_out_session_gets_no_cached_page(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    client.get(RECORDS)
    assert _cached(client, RECORDS)
    client.post(reverse("accounts:logout"))
    response = client.get(RECORDS)
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_each_language_has_its_own_page(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    assert "Sign out" in client.get(OVERVIEW).content.decode()
    client.get("/language/cy/")
    welsh = client.get(OVERVIEW).content.decode()
    assert '<html lang="cy"' in welsh and "Allgofnodi" in welsh and "Sign out" not in welsh


def test_a_message_is_shown_once_on_a_drawn_page(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    record = world.record(world.gwent, 18)
    url = record.get_absolute_url()
    client.get(url)
    response = via_page(client, world, record, text="Message test update.")
    assert response.status_code == 302
    after = client.get(url).content.decode()
    assert 'class="govuk-notification-banner' in after
    again = client.get(url).content.decode()
    assert 'class="govuk-notification-banner govuk-notification-banner--success' not in again


def test_the_page_of_another_day_is_drawn_again(world, gwent_staff, client_for, monkeypatch):
    from datetime import date

    client = client_for(gwent_staff)
    client.get(RECORDS)
    assert _cached(client, RECORDS)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: date(2099, 1, 1))
    assert not _cached(client, RECORDS)


def test_the_session_is_written_at_most_once_a_refresh_interval(world, gwent_staff, client_for, settings):
    settings.PAGE_CACHE_SECONDS = 0
    settings.SESSION_REFRESH_SECONDS = 60
    client = client_for(gwent_staff)
    client.get(OVERVIEW)

    def session_writes():
        with CaptureQueriesContext(connection) as ctx:
            client.get(OVERVIEW)
        return [q for q in ctx.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]

    assert session_writes() == []  # refreshed a moment ago
    session = client.session
    session[REFRESHED_KEY] = int(time.time()) - 61
    session.save()
    assert len(session_writes()) == 1  # more than a minute since: the expiry is pushed back
    assert client.session.get_expiry_age() > settings.SESSION_COOKIE_AGE - 5
    assert session_writes() == []


def test_the_records_list_shows_a_record_with_two_owners_once(world, gwent_staff, client_for, settings):
    """The list pages without DISTINCT (for speed): no filter may repeat a record."""
    from django_scopes import scope

    from recommendations.services import save_owner, set_record_owners

    settings.PAGE_CACHE_SECONDS = 0
    record = world.record(world.gwent, 18)
    with scope(force=world.gwent.pk):
        first = save_owner(world.gwent, acting_user=gwent_staff, name="Ann Owner", role_title="Lead")
        second = save_owner(world.gwent, acting_user=gwent_staff, name="Ben Owner", role_title="Deputy")
        set_record_owners(record, acting_user=gwent_staff, owners=[first, second])
    client = client_for(gwent_staff)
    detail = record.get_absolute_url()
    for query in ("", f"?owner={first.pk}", f"?owner={second.pk}", "?q=18", "?sort=updated"):
        html = client.get(RECORDS + query).content.decode()
        assert html.count(f'href="{detail}"') == 1, query


@pytest.mark.parametrize(
    ("sql", "write"),
    [
        ('SELECT "recommendations_record"."id" FROM "recommendations_record"', False),
        ('SAVEPOINT "s1_x1"', False),
        ('RELEASE SAVEPOINT "s1_x1"', False),
        ('UPDATE "django_session" SET "session_data" = %s', False),
        ('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)', False),
        ('UPDATE "recommendations_record" SET "status" = %s', True),
        ('INSERT INTO "recommendations_progressupdate" ("text") VALUES (%s)', True),
        ('DELETE FROM "recommendations_record_owners" WHERE 1', True),
        ("WITH moved AS (UPDATE recommendations_record SET status = 'complete' RETURNING id) SELECT 1", True),
        ('TRUNCATE "recommendations_owner"', True),
        ("COPY recommendations_progressupdate FROM STDIN", True),
    ],
)
def test_what_counts_as_a_write(sql, write):
    assert page_cache._is_write(sql) is write


def test_raw_sql_that_writes_drops_the_cache(world):
    before = page_cache.data_version()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE recommendations_owner SET name = name WHERE 1 = 0")
    assert page_cache.data_version() != before


def test_a_request_with_an_api_token_is_never_served_from_the_session_cache(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    url = "/api/forces/gwent/records/"
    client.get(url)
    assert _cached(client, url)
    response = client.get(url, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert not (response.status_code == 200 and not _drawn(response))


def test_a_connection_opened_inside_an_execute_wrapper_keeps_its_write_watcher():
    class Connection:
        def __init__(self):
            self.execute_wrappers = []

    def timer(*args):
        pass

    opened = Connection()
    opened.execute_wrappers.append(timer)  # as connection.execute_wrapper(timer) does on entering
    page_cache.watch_connection(None, opened)  # the connection is first opened inside the block
    opened.execute_wrappers.pop()  # ... which pops the last wrapper when it ends
    assert opened.execute_wrappers == [page_cache._watch_writes]
    page_cache.watch_connection(None, opened)  # opened again later: still one watcher
    assert opened.execute_wrappers == [page_cache._watch_writes]


def test_the_page_cache_sits_under_sessions_and_csrf_and_over_authentication():
    from django.conf import settings as django_settings

    order = django_settings.MIDDLEWARE
    here = order.index("frontend.page_cache.PageCacheMiddleware")
    assert order.index("frontend.sessions.SessionMiddleware") < here
    assert order.index("django.middleware.csrf.CsrfViewMiddleware") < here
    assert here < order.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    assert here < order.index("forces.middleware.ForceScopeMiddleware")


NATIONAL_PAGES = [
    "/national/",
    "/national/?sort=overdue",
    "national:compare",
    "national:force-answers",
    "/national/search/?q=training",
    "/national/pack/",
]


def _national_url(url, world):
    if url == "national:compare":
        return reverse("national:compare", kwargs={"pk": world.inspection.recommendations.get(number=14).pk})
    if url == "national:force-answers":
        return reverse(
            "national:force-answers", kwargs={"inspection_pk": world.inspection.pk, "slug": "gwent"}
        )
    return url


@pytest.mark.parametrize("url", NATIONAL_PAGES)
def test_a_national_page_from_the_cache_is_written_down_like_a_drawn_one(url, world, national, client_for):
    """Every look across forces is in the access log, whether the page was drawn or came from the cache."""
    from national.models import AccessLog

    url = _national_url(url, world)
    client = client_for(national)
    first = client.get(url)
    assert first.status_code == 200 and _drawn(first)
    drawn_entry = AccessLog.objects.order_by("-pk").first()
    second = client.get(url)
    assert second.status_code == 200 and not _drawn(second)
    assert _without_csrf(second.content) == _without_csrf(first.content)
    served_entry = AccessLog.objects.order_by("-pk").first()
    assert served_entry.pk != drawn_entry.pk
    assert (served_entry.user_id, served_entry.action, served_entry.path, served_entry.parameters) == (
        drawn_entry.user_id,
        drawn_entry.action,
        drawn_entry.path,
        drawn_entry.parameters,
    )
    assert served_entry.user_id == national.pk


@pytest.mark.parametrize("url", ["/national/", "national:compare"])
def test_no_one_else_gets_the_national_teams_cached_page(url, world, personas, client_for):
    url = _national_url(url, world)
    clients = {name: client_for(user) for name, user in personas.items() if user is not None}
    clients["national"].get(url)
    assert _cached(clients["national"], url)
    for name in ("gwent_staff", "gwent_chief", "dyfed_staff", "dyfed_chief"):
        assert clients[name].get(url).status_code == 404, name
    admin = clients["admin"].get(url)
    assert admin.status_code == 200 and _drawn(admin)


def test_leaving_the_national_team_stops_its_cached_page_at_once(world, national, client_for):
    client = client_for(national)
    client.get("/national/")
    assert _cached(client, "/national/")
    national.is_national_team = False
    national.save(update_fields=["is_national_team"])
    assert client.get("/national/").status_code == 404
