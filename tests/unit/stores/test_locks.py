"""Single-flight locks on a directory and on Redis: one fetch per query, bounded waits, crashed holders."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from apitoolkit.config import CacheLocation, cache_location
from apitoolkit.stores.locks import single_flight

NAME, KEY = "itglue-0123abcd", "users-0123456789abcdef"

HOLDER = textwrap.dedent(
    """
    import sys, time
    from apitoolkit.config import cache_location
    from apitoolkit.stores.locks import single_flight
    with single_flight(cache_location(), sys.argv[1], sys.argv[2], wait=5, lease=1.0) as held:
        print("held" if held else "not held", flush=True)
        time.sleep(60)
    """
)


@pytest.fixture(params=["directory", "redis"])
def location(request: pytest.FixtureRequest, cache_dir: Path) -> CacheLocation:
    """The cache location a lock lives in: the test's directory, or the test's Redis server."""
    if request.param == "redis":
        return cache_location(request.getfixturevalue("redis_url"))
    return cache_location(cache_dir)


def held_elsewhere(location: CacheLocation, *, wait: float = 0.0) -> bool:
    """Whether another thread finds the lock taken (it gives up after ``wait`` seconds)."""
    outcome: list[bool] = []

    def attempt() -> None:
        with single_flight(location, NAME, KEY, wait=wait) as held:
            outcome.append(held)

    thread = threading.Thread(target=attempt)
    thread.start()
    thread.join()
    return not outcome[0]


def test_single_flight__two_threads_fetch_once(location: CacheLocation) -> None:
    cache: dict[str, str] = {}
    fetches: list[str] = []
    start = threading.Barrier(2)
    results: list[str] = []

    def load(who: str) -> None:
        start.wait()
        if KEY not in cache:
            with single_flight(location, NAME, KEY, wait=10) as held:
                assert held
                if KEY not in cache:  # what the one that held the lock first stored
                    time.sleep(0.3)
                    fetches.append(who)
                    cache[KEY] = f"fetched by {who}"
        results.append(cache[KEY])

    threads = [threading.Thread(target=load, args=(who,)) for who in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fetches) == 1
    assert results == [f"fetched by {fetches[0]}"] * 2


def test_single_flight__a_waiter_goes_ahead_after_the_timeout(location: CacheLocation) -> None:
    with single_flight(location, NAME, KEY, wait=1) as held:
        assert held
        started = time.monotonic()
        assert held_elsewhere(location, wait=0.3)
        waited = time.monotonic() - started
    assert 0.25 <= waited < 2.0
    assert not held_elsewhere(location)  # released on leaving


def test_single_flight__other_queries_and_accounts_do_not_wait(location: CacheLocation) -> None:
    with single_flight(location, NAME, KEY, wait=1) as held:
        assert held
        with single_flight(location, NAME, "users-ffff", wait=0) as other_query:
            assert other_query
        with single_flight(location, "itglue-ffff", KEY, wait=0) as other_account:
            assert other_account


def test_single_flight__released_when_the_fetch_raises(location: CacheLocation) -> None:
    with pytest.raises(RuntimeError, match="fetch failed"), single_flight(location, NAME, KEY, wait=1):
        raise RuntimeError("fetch failed")
    assert not held_elsewhere(location)


def test_single_flight__a_killed_holder_does_not_block_the_next(location: CacheLocation, tmp_path: Path) -> None:
    env = {**os.environ, "APITOOLKIT_CACHE": location.redis.url if location.redis else str(location.path)}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, NAME, KEY], env=env, stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert held_elsewhere(location)
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
    started = time.monotonic()
    with single_flight(location, NAME, KEY, wait=10) as held:
        assert held
    # The kernel frees a file lock with its process; a Redis lock waits out the holder's lease (1 s).
    assert time.monotonic() - started < (2.5 if location.redis else 0.5)


def test_single_flight__redis_lease_is_renewed_while_held(redis_url: str) -> None:
    location = cache_location(redis_url)
    with single_flight(location, NAME, KEY, wait=1, lease=0.3) as held:
        assert held
        time.sleep(0.5)  # past the first lease
        assert held_elsewhere(location, wait=0.5)
    assert not held_elsewhere(location)


def test_single_flight__directory_lock_file_lives_under_locks(cache_dir: Path) -> None:
    with single_flight(cache_location(cache_dir), NAME, KEY, wait=1) as held:
        assert held
    assert (cache_dir / "locks" / NAME / f"{KEY}.lock").is_file()


def test_single_flight__no_lock_when_the_cache_is_off() -> None:
    with single_flight(cache_location("off"), NAME, KEY, wait=1) as held:
        assert not held


def test_single_flight__unwritable_directory_goes_ahead_without_the_lock(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("")
    with single_flight(cache_location(blocked), NAME, KEY, wait=1) as held:
        assert not held
