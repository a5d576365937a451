"""Django's Redis cache with one redis-py client per connection pool, not one per call.

Django's `RedisCacheClient.get_client()` builds a new `redis.Redis` object for every cache
operation, and building one (its table of some 170 response callbacks) took longer than the
operation's own round trip on loopback. A page makes several: the session, the page and row
caches, the data version that every write bumps. A redis-py client is safe to share between
threads (each command takes a connection from the pool), so each pool gets one client, made on
first use; the pools themselves are Django's.
"""

from django.core.cache.backends import redis as django_redis


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
