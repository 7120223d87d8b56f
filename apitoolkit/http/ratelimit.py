"""Per-account rate limiters shared by every thread and process on the machine (pyrate-limiter, SQLite)."""

from __future__ import annotations

import atexit
import threading
from pathlib import Path

from pyrate_limiter import Duration, Limiter, Rate
from pyrate_limiter.buckets import SQLiteBucket

from apitoolkit.config import RateLimit

__all__ = ["shared_limiter"]


class _GatedLimiter(Limiter):
    """A limiter whose threads queue on an in-process lock before the shared file lock.

    The file lock that spans processes polls every 50 ms when it is taken, so threads of one process
    contending for it stall each other; queueing them here first leaves the file lock to other processes.
    """

    def __init__(self, argument: SQLiteBucket) -> None:
        super().__init__(argument)
        self._gate = threading.Lock()

    def try_acquire(self, name: str = "pyrate", weight: int = 1, blocking: bool = True, timeout: float = -1) -> bool:
        with self._gate:
            return bool(super().try_acquire(name, weight, blocking, timeout))


_lock = threading.Lock()
_limiters: dict[tuple[str, str, int, int], Limiter] = {}


def shared_limiter(db_path: Path, bucket: str, rate: RateLimit) -> Limiter:
    """The limiter for one account: every process that names the same file and bucket shares one budget.

    The bucket is a sliding-window log in a SQLite table guarded by a file lock, so parallel papermill runs
    on one machine together stay under the limit. Within a process the limiter is reused.

    Args:
        db_path: The SQLite file holding the request log.
        bucket: The account's table name (letters, digits and ``_`` only).
        rate: Requests allowed per period.

    Example:
        >>> lim = shared_limiter(Path("/tmp/rl.sqlite"), "demo", RateLimit(10, 1.0))  # doctest: +SKIP
        >>> lim.try_acquire("demo")  # doctest: +SKIP
        True
    """
    if not bucket.replace("_", "").isalnum():
        raise ValueError(f"bucket name {bucket!r} must be alphanumeric")
    # A request admitted here reaches the server a little later, and network jitter can bunch arrivals:
    # the window is 1% + 50 ms longer than the API's, so the server never counts one request too many.
    period_ms = round(rate.period * Duration.SECOND * 1.01) + 50
    key = (str(db_path), bucket, rate.limit, period_ms)
    with _lock:
        limiter = _limiters.get(key)
        if limiter is None:
            db_path.parent.mkdir(parents=True, exist_ok=True)
            sqlite_bucket = SQLiteBucket.init_from_file(
                [Rate(rate.limit, period_ms)],
                table=f"rl_{bucket}_{rate.limit}_{period_ms}",
                db_path=str(db_path),
                use_file_lock=True,
            )
            limiter = _GatedLimiter(sqlite_bucket)
            _limiters[key] = limiter
        return limiter


@atexit.register
def _close_all() -> None:
    with _lock:
        for limiter in _limiters.values():
            limiter.close()
        _limiters.clear()
