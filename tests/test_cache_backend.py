"""The Redis cache shares one redis-py client per connection pool (mappa_tracker.cache) and still
behaves as Django's Redis cache does."""

import os
import threading
import uuid

import pytest
from django.core.cache import caches

from mappa_tracker.cache import RedisCache

REDIS_URL = os.environ.get("REDIS_URL")


@pytest.fixture
def redis_cache():
    if not REDIS_URL:
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL")
        pytest.skip("needs REDIS_URL")
    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"cache-test-{uuid.uuid4().hex}"})
    yield cache
    cache.delete_many(["a", "b", "c", "n"])


def test_every_call_gets_the_same_client_of_its_pool(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client("a", write=True) is client
    assert redis_cache._cache.get_client("a") is client  # one server: reads share the pool


def test_it_stores_reads_and_forgets_as_djangos_redis_cache_does(redis_cache):
    redis_cache.set("a", {"x": 1})
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache.add("a", 2) is False
    redis_cache.set_many({"b": 1, "c": 2})
    assert redis_cache.get_many(["b", "c", "d"]) == {"b": 1, "c": 2}
    assert redis_cache.incr("b") == 2
    redis_cache.delete("a")
    assert redis_cache.get("a", "gone") == "gone"


def test_threads_share_the_client_safely(redis_cache):
    redis_cache.set("n", 0)
    errors = []

    def bump():
        try:
            for _ in range(50):
                redis_cache.incr("n")
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and redis_cache.get("n") == 200


def test_the_service_uses_it_when_redis_is_configured():
    if not REDIS_URL:
        pytest.skip("the embedded default caches in memory")
    assert isinstance(caches["default"], RedisCache)
