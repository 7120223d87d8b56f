"""pyrate-limiter's Redis bucket, made to outlive Redis hiccups: one budget per account across machines."""

from __future__ import annotations

from pyrate_limiter import Limiter, Rate, RateItem
from pyrate_limiter.buckets import RedisBucket
from pyrate_limiter.buckets.redis_bucket import LuaScript
from redis import Redis
from redis.exceptions import NoScriptError, RedisError

__all__ = ["redis_limiter"]


class _SturdyRedisBucket(RedisBucket):
    """A `RedisBucket` whose background leak survives an unreachable server, and whose script survives a restart.

    The check-and-insert is one Lua script (atomic on the server), so any number of processes on any number
    of machines admit at most ``limit`` requests per window. Timestamps come from each machine's clock:
    keep the machines' clocks in sync (NTP).
    """

    def leak(self, current_timestamp: int | None = None) -> int:
        # Leaking only trims old entries (counting reads the window alone): a failure here can wait for the next.
        try:
            return int(super().leak(current_timestamp))  # type: ignore[arg-type]
        except RedisError:
            return 0

    def put(self, item: RateItem) -> bool:
        item.timestamp = self.now()  # when admitted, not when first asked plus the planned sleeps (see ratelimit.py)
        try:
            return bool(super().put(item))
        except NoScriptError:  # the server restarted and forgot the script
            self.script_hash = self.redis.script_load(LuaScript.PUT_ITEM)  # type: ignore[assignment]
            return bool(super().put(item))


def redis_limiter(connection: Redis, key: str, limit: int, period_ms: int) -> Limiter:
    """A limiter admitting ``limit`` requests per ``period_ms`` through the sorted set ``key``.

    Example:
        >>> redis_limiter(connect(url), "apitoolkit:ratelimit:demo", 10, 1000)  # needs a Redis server  # doctest: +SKIP
    """
    bucket = _SturdyRedisBucket.init([Rate(limit, period_ms)], connection, key)
    return Limiter(bucket)
