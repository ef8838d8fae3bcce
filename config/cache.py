"""A Redis cache that degrades to "no cache" when Redis is unreachable (DESIGN §9), with one Redis
client per connection pool.

The cache only holds throttling counters and rate limits; losing it for a while must not stop
labelers from recording responses, so connection failures are logged and treated as misses.

Django's Redis cache builds a new `redis.Redis` client for every operation, over a shared
connection pool; building one fills a table of response callbacks, which costs more CPU than the
command it sends, and sign-in limits and the failed-key counter (`config.api.FailedAuthThrottle`)
use it on every attempt. A `redis.Redis` client is safe to share between threads (each
command takes a pooled connection), so one per pool is kept instead (bench/README.md).
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)


def _tolerant(default):
    def wrap(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except _UNAVAILABLE as exc:
                logger.warning("cache unavailable, %s skipped: %s", method.__name__, exc)
                return default(*args, **kwargs) if callable(default) else default

        return call

    return wrap


class _SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _SharedClientRedisCacheClient

    get = _tolerant(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _tolerant({})(RedisCache.get_many)
    has_key = _tolerant(False)(RedisCache.has_key)
    set = _tolerant(None)(RedisCache.set)
    set_many = _tolerant([])(RedisCache.set_many)
    add = _tolerant(False)(RedisCache.add)
    touch = _tolerant(False)(RedisCache.touch)
    delete = _tolerant(False)(RedisCache.delete)
    delete_many = _tolerant(None)(RedisCache.delete_many)
    incr = _tolerant(lambda key, delta=1, version=None: delta)(RedisCache.incr)
    decr = _tolerant(lambda key, delta=1, version=None: -delta)(RedisCache.decr)
    clear = _tolerant(False)(RedisCache.clear)
