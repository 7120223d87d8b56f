"""Sliding-window rate limit per API key, as a service enforces it."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import deque


class SlidingWindowLimiter:
    """At most ``limit`` admitted requests per key in any ``window`` seconds.

    Keys are stored hashed; rejected requests do not use up the window.

    Example:
        >>> limiter = SlidingWindowLimiter(1, 60.0)
        >>> limiter.acquire("key") is None
        True
        >>> limiter.acquire("key")
        60
    """

    def __init__(self, limit: int, window: float) -> None:
        if limit < 1 or window <= 0:
            raise ValueError(f"rate limit must be a positive count and window, got {limit} per {window} s")
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._admitted: dict[str, deque[float]] = {}

    def acquire(self, key: str) -> int | None:
        """Admit a request for ``key``; returns None, or the whole seconds until a slot frees."""
        digest = hashlib.sha256(key.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            admitted = self._admitted.setdefault(digest, deque())
            while admitted and now - admitted[0] >= self.window:
                admitted.popleft()
            if len(admitted) >= self.limit:
                return max(1, math.ceil(admitted[0] + self.window - now))
            admitted.append(now)
            return None

    def reset(self) -> None:
        """Forget every admitted request."""
        with self._lock:
            self._admitted.clear()
