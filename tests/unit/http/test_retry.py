"""Retry-After parsing and the wait policy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from apitoolkit.http.retry import RetryPolicy, parse_retry_after


@pytest.mark.parametrize(("value", "expected"), [("3", 3.0), ("0.5", 0.5), (" 10 ", 10.0), ("-4", 0.0)])
def test_parse_retry_after__seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after__http_date() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Mon, 23 Nov 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", now=now) == 0.0


@pytest.mark.parametrize("value", [None, "", "later", "Mon, 99 Foo"])
def test_parse_retry_after__absent_or_garbage(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_policy__exponential_backoff_capped() -> None:
    p = RetryPolicy(backoff=1.0, max_backoff=5.0, jitter=0.0)
    assert [p.wait(attempt=a, retry_after=None) for a in (1, 2, 3, 4, 5)] == [1.0, 2.0, 4.0, 5.0, 5.0]


def test_policy__retry_after_wins_but_is_capped() -> None:
    p = RetryPolicy(max_retry_after=10.0, jitter=0.0)
    assert p.wait(attempt=1, retry_after=3.0) == 3.0
    assert p.wait(attempt=1, retry_after=3600.0) == 10.0


def test_policy__jitter_adds_at_most_its_fraction() -> None:
    p = RetryPolicy(backoff=1.0, jitter=0.5)
    waits = [p.wait(attempt=1, retry_after=None) for _ in range(200)]
    assert all(1.0 <= w <= 1.5 for w in waits) and len(set(waits)) > 1
