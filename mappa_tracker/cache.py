"""Django's Redis cache, with one redis-py client per connection pool and a defined outage.

One client per pool: Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` object for
every cache operation, and building one (its table of some 170 response callbacks) took longer than
the operation's own round trip on loopback. A page makes several: the session, the page and row
caches, the data version that every write replaces. A redis-py client is safe to share between
threads (each command takes a connection from the pool), so each pool gets one client, made on
first use; the pools themselves are Django's.

An outage: when Redis cannot be reached, reading carries on from the database and changing is
refused, so nothing that other processes read can be left out of date:

- reads (`get`, `get_many`, `has_key`) answer as a miss, and filling the cache (`set`, `add`,
  `set_many`, `touch`) is skipped: a page or a session is read from the database instead;
- removals and counters (`delete`, `delete_many`, `clear`, `incr`) raise `CacheUnavailable`:
  they are how a change reaches every process (a signed-out session, a new data version for the
  page cache), and losing one would let a process serve what is no longer true once Redis is back.
  The service answers 503 ("cannot save changes just now; nothing was saved").

After a failure the process does not try Redis again for RETRY_SECONDS, so an outage costs a page
one failed connection at most, not one per operation; Redis's own socket timeouts
(settings.CACHES) bound that connection.
"""

import logging
import time

from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 5.0


class CacheUnavailable(Exception):
    """The shared cache cannot be reached, so a change that must reach every process cannot be made."""


class _Outage:
    """This process's view of whether Redis is reachable: after a failure, not tried for a while."""

    def __init__(self):
        self.until = 0.0

    def ongoing(self) -> bool:
        return time.monotonic() < self.until

    def begin(self, exc: Exception) -> None:
        if not self.ongoing():
            logger.warning(
                "The cache (Redis) cannot be reached (%s); reading from the database and refusing "
                "changes for %.0f s before trying again.",
                exc,
                RETRY_SECONDS,
            )
        self.until = time.monotonic() + RETRY_SECONDS


outage = _Outage()


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient

    @staticmethod
    def _read(missing, operation, *args):
        """A read or a fill: a miss (`missing`) when Redis cannot be reached."""
        if outage.ongoing():
            return missing
        try:
            return operation(*args)
        except RedisError as exc:
            outage.begin(exc)
            return missing

    @staticmethod
    def _change(operation, *args):
        """A removal or a counter: refused with CacheUnavailable when Redis cannot be reached."""
        if outage.ongoing():
            raise CacheUnavailable("the cache (Redis) cannot be reached")
        try:
            return operation(*args)
        except RedisError as exc:
            outage.begin(exc)
            raise CacheUnavailable(str(exc)) from exc

    def get(self, key, default=None, version=None):
        return self._read(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._read({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._read(False, super().has_key, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._read(None, super().set, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._read(False, super().add, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._read(False, super().touch, key, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._read(list(data), super().set_many, data, timeout, version)

    def delete(self, key, version=None):
        return self._change(super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._change(super().delete_many, keys, version)

    def clear(self):
        return self._change(super().clear)

    def incr(self, key, delta=1, version=None):
        return self._change(super().incr, key, delta, version)
