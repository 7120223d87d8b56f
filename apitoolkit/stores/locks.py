"""Single-flight locks: of the loads fetching one query of one account, one fetches and the others wait for it.

A lock lives where the cache does, so it spans the same threads, processes and machines as the cache:

| location  | lock                                                        | when its holder dies        |
|-----------|-------------------------------------------------------------|-----------------------------|
| directory | ``<cache>/locks/<service>-<account>/<key>.lock`` (flock)    | the kernel releases it      |
| Redis     | ``apitoolkit:locks:<service>-<account>:<key>`` (redis-py)   | its lease expires (`LEASE`) |
| off       | none                                                        |                             |

A Redis lock's lease is renewed every third of it while held, so a long load keeps its lock and a crashed
one frees it quickly. Waiting is bounded: after ``wait`` seconds a waiter goes ahead without the lock rather
than hang. The lock only saves duplicate requests: when it cannot be taken (the directory is read-only,
Redis failed), the load fetches without it.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from redis.lock import Lock

    from apitoolkit.config import CacheLocation, RedisURL

__all__ = ["LEASE", "single_flight"]

#: Seconds a Redis lock outlives a holder that stopped renewing it (crashed, or cut off from Redis).
LEASE = 30.0


@contextlib.contextmanager
def single_flight(location: CacheLocation, name: str, key: str, *, wait: float, lease: float = LEASE) -> Iterator[bool]:
    """Hold the lock of one query while fetching it; yields whether it is held.

    The caller checks the cache again once inside: a frame stored meanwhile is what the holder fetched.
    False means no lock was taken (caching is off, ``wait`` ran out, or the lock could not be reached).

    Args:
        location: The cache location (the lock is kept there).
        name: The account's name in the cache, ``<service>-<account namespace>``.
        key: The query's key (`apitoolkit.cache.query_key`).
        wait: Seconds to wait for another holder before going ahead without the lock.
        lease: Seconds a Redis lock outlives its holder.

    Example:
        >>> import tempfile
        >>> from apitoolkit.config import cache_location
        >>> with tempfile.TemporaryDirectory() as cache:
        ...     with single_flight(cache_location(cache), "itglue-0123", "users-ab12", wait=300) as held:
        ...         held
        True
    """
    if location.redis is not None:
        with _redis_lock(location.redis, f"apitoolkit:locks:{name}:{key}", wait=wait, lease=lease) as held:
            yield held
    elif location.path is not None:
        with _file_lock(location.path / "locks" / name / f"{key}.lock", wait=wait) as held:
            yield held
    else:
        yield False


@contextlib.contextmanager
def _file_lock(path: Path, *, wait: float) -> Iterator[bool]:
    from filelock import FileLock

    # One instance per call: flock excludes other threads of this process as it excludes other processes.
    lock = FileLock(path, timeout=wait)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError:  # filelock.Timeout is a TimeoutError
        held = False
    else:
        held = True
    try:
        yield held
    finally:
        if held:
            with contextlib.suppress(OSError):  # the kernel frees an flock whose file is gone or unwritable
                lock.release()


@contextlib.contextmanager
def _redis_lock(url: RedisURL, name: str, *, wait: float, lease: float) -> Iterator[bool]:
    from redis.exceptions import RedisError

    from apitoolkit.stores.redis import connect

    # Not thread-local: the thread that renews the lease must see the token.
    lock = connect(url).lock(name, timeout=lease, sleep=0.05, blocking_timeout=wait, thread_local=False)
    try:
        held = bool(lock.acquire())
    except RedisError:
        held = False
    if not held:
        yield False
        return
    stop = threading.Event()
    keeper = threading.Thread(target=_renew, args=(lock, stop, lease), name="apitoolkit-lock-lease", daemon=True)
    keeper.start()
    try:
        yield True
    finally:
        stop.set()
        keeper.join()
        with contextlib.suppress(RedisError):
            lock.release()


def _renew(lock: Lock, stop: threading.Event, lease: float) -> None:
    """Reset the lease to ``lease`` seconds every third of it, until stopped or the lock is lost."""
    from redis.exceptions import RedisError

    while not stop.wait(lease / 3):
        try:
            lock.reacquire()
        except RedisError:
            return
