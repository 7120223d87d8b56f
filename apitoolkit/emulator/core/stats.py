"""Thread-safe request statistics and the recorded request log of the emulator."""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RecordedRequest:
    """One request a service answered. Credentials never appear in it.

    Attributes:
        time: When the request started, in seconds since the epoch.
        service: The service name, e.g. ``"itglue"``.
        method: The HTTP method.
        path: The path without the service prefix, e.g. ``"/users"``.
        query: The query parameters; credential parameters are redacted.
        status: The status answered.
        faults: The kinds of the faults injected into it.

    Example:
        >>> RecordedRequest(0.0, "itglue", "GET", "/users", {"page[size]": ["5"]}, 200).status
        200
    """

    time: float
    service: str
    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    faults: tuple[str, ...] = field(default=())


class Stats:
    """Counts, in-flight gauge, start times and the last ``max_records`` requests of every service.

    Example:
        >>> stats = Stats()
        >>> started = stats.begin("itglue")
        >>> stats.end(RecordedRequest(0.0, "itglue", "GET", "/users", {}, 200))
        >>> stats.snapshot()["total"]
        1
    """

    def __init__(self, max_records: int = 200_000) -> None:
        self._lock = threading.Lock()
        self._max_records = max_records
        self._starts: deque[tuple[float, str]] = deque(maxlen=max_records)
        self._records: deque[RecordedRequest] = deque(maxlen=max_records)
        self._in_flight = 0
        self._max_in_flight = 0
        self._by_status: Counter[int] = Counter()
        self._by_path: Counter[str] = Counter()
        self._by_service: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()

    def begin(self, service: str) -> float:
        """Count a request as started and in flight; returns its wall-clock start time.

        Example:
            >>> Stats().begin("itglue") > 0
            True
        """
        with self._lock:
            self._starts.append((time.monotonic(), service))
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)
        return time.time()

    def end(self, record: RecordedRequest) -> None:
        """Count a started request as answered and record it.

        Example:
            >>> stats = Stats()
            >>> _ = stats.begin("itglue")
            >>> stats.end(RecordedRequest(0.0, "itglue", "GET", "/logs", {}, 422))
            >>> stats.snapshot()["by_status"]
            {422: 1}
        """
        with self._lock:
            self._in_flight -= 1
            self._records.append(record)
            self._by_status[record.status] += 1
            self._by_path[f"/{record.service}{record.path}"] += 1
            self._by_service[record.service] += 1
            self._faults.update(record.faults)

    def snapshot(self) -> dict[str, Any]:
        """A copy of the counters.

        Returns:
            ``total``, ``by_service``, ``by_status`` (int keys), ``by_path`` (with the service prefix),
            ``in_flight``, ``max_in_flight`` and ``faults_injected`` (by kind).

        Example:
            >>> sorted(Stats().snapshot())[:3]
            ['by_path', 'by_service', 'by_status']
        """
        with self._lock:
            return {
                "total": sum(self._by_service.values()),
                "by_service": dict(self._by_service),
                "by_status": dict(self._by_status),
                "by_path": dict(self._by_path),
                "in_flight": self._in_flight,
                "max_in_flight": self._max_in_flight,
                "faults_injected": dict(self._faults),
            }

    def max_in_window(self, seconds: float, service: str | None = None) -> int:
        """The most requests started within any sliding window of ``seconds``.

        Example:
            >>> stats = Stats()
            >>> _ = [stats.begin("itglue") for _ in range(3)]
            >>> stats.max_in_window(60.0)
            3
        """
        with self._lock:
            starts = [t for t, name in self._starts if service is None or name == service]
        best = first = 0
        for last, started in enumerate(starts):
            while started - starts[first] >= seconds:
                first += 1
            best = max(best, last - first + 1)
        return best

    @property
    def requests(self) -> list[RecordedRequest]:
        """The recorded requests, oldest first (at most ``max_records``)."""
        with self._lock:
            return list(self._records)

    def reset(self) -> None:
        """Forget every count and record; requests still in flight stay counted as in flight."""
        with self._lock:
            self._starts.clear()
            self._records.clear()
            self._by_status.clear()
            self._by_path.clear()
            self._by_service.clear()
            self._faults.clear()
            self._max_in_flight = self._in_flight
