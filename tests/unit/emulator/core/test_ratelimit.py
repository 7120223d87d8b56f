"""The sliding-window limiter: admits up to the limit per key and says when the next slot frees."""

from __future__ import annotations

import time

import pytest

from apitoolkit.emulator.core.ratelimit import SlidingWindowLimiter


def test_limiter__admits_the_limit_per_key_then_reports_the_wait() -> None:
    limiter = SlidingWindowLimiter(2, 10.0)
    assert [limiter.acquire("a"), limiter.acquire("a"), limiter.acquire("b")] == [None, None, None]
    assert limiter.acquire("a") == 10


def test_limiter__window_slides_and_rejections_do_not_count() -> None:
    limiter = SlidingWindowLimiter(1, 0.2)
    assert limiter.acquire("a") is None
    assert limiter.acquire("a") == 1 and limiter.acquire("a") == 1
    time.sleep(0.25)
    assert limiter.acquire("a") is None


def test_limiter__reset_and_validation() -> None:
    limiter = SlidingWindowLimiter(1, 60.0)
    limiter.acquire("a")
    limiter.reset()
    assert limiter.acquire("a") is None
    with pytest.raises(ValueError):
        SlidingWindowLimiter(1, 0)
