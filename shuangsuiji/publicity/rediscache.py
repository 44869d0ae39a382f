"""Django's Redis cache with one client per connection pool instead of one per operation.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call;
with redis-py 8 that constructor fills a table of some 170 response callbacks each time:
0.4 ms of CPU per call, four calls per portal request (the rate-limit count, the publication
generation, the page), more than the whole constant view costs (profiled, bench/portal.py).
A client is stateless around its pool and safe to share, so it is made once per pool. (And
keys are not checked for memcached's limits, which Redis does not have.)
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client

    def validate_key(self, key):
        """No memcached key warnings (a loop over every character of every key, 30 µs a call):
        Redis keys may hold any byte and be long."""

    def incr_window(self, key: str, timeout: int) -> int:
        """Count one in ``key`` (created at 1, expiring ``timeout`` seconds after its first
        count): INCR and EXPIRE NX in one round trip (the rate limit's counter)."""
        key = self.make_and_validate_key(key)
        pipe = self._cache.get_client(key, write=True).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, timeout, nx=True)
        return int(pipe.execute()[0])
