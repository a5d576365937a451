"""Redis down: pages are read from the database, changes are refused with a 503, nothing is lost.

In production REDIS_URL names one Redis for the broker, the cache, the sessions' cache and the page
cache's data version. Here the cache points at a port where nothing listens, as when that Redis is
down (the broker's outage is tests/test_faults.py's).
"""

import contextlib
import uuid

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from mappa_tracker import cache as shared_cache
from recommendations.models import ProgressUpdate

from .test_faults import CLOSED_PORT
from .test_one_writer import via_api, via_page

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def redis_down():
    """The cache, the sessions' cache and the page cache on a Redis that cannot be reached, until
    the block ends (then the test's own cache is back, as Redis would be)."""
    down = {
        "default": {
            "BACKEND": "mappa_tracker.cache.RedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    shared_cache.outage.until = 0.0
    try:
        with override_settings(CACHES=down, SESSION_ENGINE="frontend.sessions", PAGE_CACHE_SECONDS=300):
            yield
    finally:
        shared_cache.outage.until = 0.0


def test_every_page_is_read_from_the_database(world, gwent_staff, client_for, settings):
    client = client_for(gwent_staff)
    record = world.record(world.gwent, 14)
    with redis_down():
        for url in (
            "/forces/gwent/home/",
            "/forces/gwent/",
            "/forces/gwent/records/",
            record.get_absolute_url(),
            f"/forces/gwent/records/{record.pk}/history/",
            "/forces/gwent/responses/",
            "/api/forces/gwent/records/",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            # Served from the database, and not kept: the page cache had nowhere to keep it.
            assert response.context is not None or hasattr(response, "data"), url
        assert shared_cache.outage.ongoing()
        assert client_for(None).get("/accounts/login/").status_code == 200
        assert client_for(None).get(reverse("responses:public-index")).status_code == 200


@pytest.mark.parametrize("door", [via_page, via_api], ids=["page", "api"])
def test_a_change_is_refused_with_a_503_and_nothing_is_saved(door, world, gwent_staff, client_for, settings):
    client = client_for(gwent_staff)
    record = world.record(world.gwent, 14)
    updates = ProgressUpdate.objects.count()
    text = f"Saved while Redis was down {uuid.uuid4().hex[:8]}."
    with redis_down():
        response = door(client, world, record, text=text)
    assert response.status_code == 503
    assert response["Retry-After"] == str(int(shared_cache.RETRY_SECONDS))
    if door is via_api:
        assert "cannot save changes just now" in response.json()["detail"]
    else:
        page = response.content.decode()
        assert "Sorry, the service cannot save changes just now" in page
        assert "Nothing you entered has been saved" in page
    assert ProgressUpdate.objects.count() == updates
    assert not ProgressUpdate.objects.filter(text=text).exists()
    # Once Redis is back (the test's own cache), the same change goes through.
    record.refresh_from_db()
    assert door(client, world, record, text=text).status_code in (201, 302)
    assert ProgressUpdate.objects.filter(text=text).exists()


def test_signing_out_is_refused_whole_so_no_cached_copy_can_sign_the_user_back_in(
    world, gwent_staff, client_for, settings
):
    client = client_for(gwent_staff)
    key = client.session.session_key
    with redis_down():
        # In a savepoint of its own: in production the request is not inside the test's transaction,
        # which a refused write outside any atomic block would otherwise mark for rollback.
        with transaction.atomic():
            response = client.post("/accounts/logout/")
        assert response.status_code == 503
        # Refused before anything changed (signing out writes the audit trail first): the session
        # is whole, its row there and still signing the user in, with no copy left to outlive it.
        assert Session.objects.filter(session_key=key).exists()
        assert client.get("/forces/gwent/home/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=key).exists()


def test_a_sign_out_removes_the_cached_copy_before_and_after_the_row(settings, own_cache):
    from django.core.cache import cache

    from frontend.sessions import SessionStore

    settings.SESSION_ENGINE = "frontend.sessions"
    store = SessionStore()
    store["signed"] = "in"
    store.save()
    key = store.session_key
    assert cache.get(store.cache_key) == {"signed": "in"}
    order = []
    real_delete = cache.delete

    def delete(cache_key, *args, **kwargs):
        order.append(("cache", Session.objects.filter(session_key=key).exists()))
        return real_delete(cache_key, *args, **kwargs)

    cache.delete = delete
    try:
        SessionStore(session_key=key).delete()
    finally:
        del cache.delete
    # Removed from the cache while the row was there, then again once it had gone.
    assert order == [("cache", True), ("cache", False)]
    assert cache.get(SessionStore.cache_key_prefix + key) is None
    assert not Session.objects.filter(session_key=key).exists()
