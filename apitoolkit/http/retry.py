"""How long to wait before trying a request again: ``Retry-After`` when the server says, backoff otherwise."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RetryPolicy", "parse_retry_after"]


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; None if absent or bad.

    Example:
        >>> parse_retry_after("7")
        7.0
        >>> parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=datetime(2015, 10, 21, 7, 27, 50, tzinfo=UTC))
        10.0
        >>> parse_retry_after("soon") is None
        True
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: 429/503 honour ``Retry-After`` (capped); other failures back off exponentially.

    Attributes:
        max_attempts: Attempts per request, the first included.
        backoff: First backoff in seconds; doubles each attempt.
        max_backoff: Largest backoff.
        max_retry_after: Largest wait accepted from ``Retry-After``; longer asks are cut to this.
        jitter: Fraction of each wait added at random, so parallel workers do not retry in step.

    Example:
        >>> p = RetryPolicy(backoff=1.0, jitter=0.0)
        >>> p.wait(attempt=3, retry_after=None), p.wait(attempt=1, retry_after=500.0)
        (4.0, 60.0)
    """

    max_attempts: int = 6
    backoff: float = 0.5
    max_backoff: float = 30.0
    max_retry_after: float = 60.0
    jitter: float = 0.1

    def wait(self, *, attempt: int, retry_after: float | None) -> float:
        """Seconds to sleep after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            base = min(retry_after, self.max_retry_after)
        else:
            base = min(self.backoff * (2 ** (attempt - 1)), self.max_backoff)
        return base + base * self.jitter * random.random()
