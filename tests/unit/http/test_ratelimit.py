"""The shared limiter logs a request when it is admitted, not when it first asked (plus the sleeps it planned)."""

from __future__ import annotations

import time
from pathlib import Path

from pyrate_limiter import AbstractBucket, Rate, RateItem

from apitoolkit.config import RateLimit, RedisURL
from apitoolkit.http.ratelimit import shared_limiter


def stale_item(seconds: float) -> RateItem:
    """A request stamped ``seconds`` ago, as pyrate-limiter stamps one that waited for a lock or overslept."""
    return RateItem("itglue_ab12", round((time.time() - seconds) * 1000))


def test_sqlite_bucket__logs_a_request_when_admitted(tmp_path: Path) -> None:
    from apitoolkit.http.ratelimit import _FreshSQLiteBucket

    bucket = _FreshSQLiteBucket.init_from_file(
        [Rate(2, 1000)], table="rl_test", db_path=str(tmp_path / "rl.sqlite"), use_file_lock=True
    )
    item = stale_item(5.0)
    assert bucket.put(item)
    assert abs(item.timestamp - time.time() * 1000) < 1000


def test_redis_bucket__logs_a_request_when_admitted(redis_url: str) -> None:
    limiter = shared_limiter(RedisURL(redis_url), "itglue_ab12", RateLimit(2, 1.0))
    bucket = limiter.bucket_factory.get(stale_item(0))
    assert isinstance(bucket, AbstractBucket)  # a synchronous bucket, not an awaitable
    item = stale_item(5.0)
    assert bucket.put(item)
    assert abs(item.timestamp - time.time() * 1000) < 1000
