"""The Redis cache of the rate limit and the page cache (publicity/rediscache.py) against the
machine's Redis (skipped where none answers at 127.0.0.1:6379 or SHUANGSUIJI_TEST_REDIS_URL)."""

import os
import uuid

import pytest

from shuangsuiji.publicity.rediscache import SharedClientRedisCache

URL = os.environ.get("SHUANGSUIJI_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def cache():
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {URL}")
    c = SharedClientRedisCache(URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    yield c
    c.delete_many(["a", "w"])  # (never FLUSHDB a shared Redis)


def test_one_client_serves_every_call(cache):
    cache.set("a", 1, timeout=30)
    first = cache._cache.get_client("a")
    assert cache.get("a") == 1 and cache.get_many(["a", "b"]) == {"a": 1}
    assert cache._cache.get_client("b") is first


def test_the_window_counter_counts_and_expires(cache):
    assert [cache.incr_window("w", 5) for _ in range(3)] == [1, 2, 3]
    client = cache._cache.get_client("w")
    ttl = client.ttl(cache.make_key("w"))
    assert 0 < ttl <= 5
    cache.incr_window("w", 100)  # the window's expiry is set by its first count only
    assert client.ttl(cache.make_key("w")) <= 5
