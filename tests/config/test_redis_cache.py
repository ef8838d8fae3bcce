"""The Redis cache (`config.cache`) keeps one Redis client per connection pool instead of building one
per operation, and still behaves as Django's Redis cache does, from many threads at once."""

import threading

import pytest
from django.conf import settings

from config.cache import ResilientRedisCache

pytestmark = [pytest.mark.redis]


@pytest.fixture
def redis_cache():
    cache = ResilientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-redis-cache", "OPTIONS": {}})
    yield cache
    cache.delete_many(["counter", "absent", "added", "set", "many-a", "many-b"])


def test_operations_share_one_client(redis_cache):
    redis_cache.set("set", {"a": 1}, timeout=30)
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache.get("set") == {"a": 1}
    assert redis_cache._cache.get_client() is client


def test_it_behaves_as_djangos_redis_cache(redis_cache):
    assert redis_cache.get("absent", "fallback") == "fallback"
    assert redis_cache.add("added", 1, timeout=30) is True
    assert redis_cache.add("added", 2, timeout=30) is False
    redis_cache.set_many({"many-a": 1, "many-b": [2]}, timeout=30)
    assert redis_cache.get_many(["many-a", "many-b", "absent"]) == {"many-a": 1, "many-b": [2]}
    with pytest.raises(ValueError):
        redis_cache.incr("absent")


def test_counters_add_up_from_many_threads(redis_cache):
    redis_cache.set("counter", 0, timeout=30)

    def count():
        for _ in range(50):
            redis_cache.incr("counter")

    threads = [threading.Thread(target=count) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert redis_cache.get("counter") == 400
