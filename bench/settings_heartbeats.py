"""Settings for bench/heartbeats.py: bench/settings.py plus the floor view's URLs.

With ``BENCH_REUSE_REDIS_CLIENT=1`` (the ``+reuse`` gunicorn configurations of
bench/heartbeats.py) the cache, and so the ``cached_db`` session read on every
heartbeat, uses one ``redis.Redis`` client per connection pool instead of
Django's new client per call: a what-if, not the project's configuration.
"""

import os

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"


class ReusedClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        if id(pool) not in clients:
            clients[id(pool)] = self._client(connection_pool=pool)
        return clients[id(pool)]


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClient


if os.environ.get("BENCH_REUSE_REDIS_CLIENT") == "1" and "redis" in CACHES["default"]["BACKEND"]:  # noqa: F405
    CACHES["default"]["BACKEND"] = "bench.settings_heartbeats.ReusedClientRedisCache"  # noqa: F405
