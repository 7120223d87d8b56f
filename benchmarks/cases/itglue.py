"""Case ``itglue``: cold loads from the built-in emulator (its own process, 50 ms per request, large data).

Contenders: ``concurrent`` (apitoolkit as shipped: remaining pages fetched 4 at a time under the rate
limit) and ``sequential`` (the same client with one worker: pages one after another, as peer clients
fetch), both loading 100,000 users at page[size]=1000 into a fresh cache; and ``logs`` (``load_logs``
over 30 days of 200,000 rows). After every run the harness reads the emulator's statistics, so the targets
check the rate limit it saw (3000 requests per 300 s) and that no request was refused with 429.
The bound is what latency allows: page 1, then the other 99 pages 4 at a time.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Case, Contender, Stats, Target, ratio

LATENCY = 0.05
USERS = 100_000
PAGES = USERS // 1000
WORKERS = 4
LIMIT = 3000


def _client(workers: int) -> Any:
    import urllib.request

    from apitoolkit.itglue import ITGlueClient

    root = os.environ["ITGLUE_BASE_URL"].rsplit("/itglue", 1)[0]
    urllib.request.urlopen(urllib.request.Request(f"{root}/_emulator/stats/reset", method="POST"), timeout=30)
    return ITGlueClient(cache=tempfile.mkdtemp(prefix="bench-cache-"), max_workers=workers)


def users(workers: int) -> Callable[[], Any]:
    """Load every user into a cold cache with ``workers`` requests in flight."""
    from apitoolkit.itglue import load_users

    client = _client(workers)
    return lambda: load_users(client=client, progress=False)


def logs(workers: int) -> Callable[[], Any]:
    """Load 30 days of logs into a cold cache."""
    from apitoolkit.itglue import load_logs

    client = _client(workers)
    return lambda: load_logs(client=client, progress=False)


def _worst(name: str, key: str) -> Callable[[dict[str, Stats]], float]:
    return lambda stats: max(float(e.get(key) or 0) for e in stats[name].extra)


def _refused(name: str) -> Callable[[dict[str, Stats]], float]:
    return lambda stats: max(float((e.get("by_status") or {}).get("429", 0)) for e in stats[name].extra)


def build(records: int) -> Case:
    """The case; ``records`` is not used (the sizes are the issue's)."""
    bound = LATENCY + (PAGES - 1) * LATENCY / WORKERS
    command = [sys.executable, "-m", "apitoolkit", "emulator", "--port", "0", "--size", "large",
               "--latency", str(LATENCY)]
    module = "benchmarks.cases.itglue"
    return Case(
        name="itglue",
        contenders=[
            Contender("concurrent", f"{module}:users", {"workers": WORKERS}),
            Contender("sequential", f"{module}:users", {"workers": 1}),
            Contender("logs", f"{module}:logs", {"workers": WORKERS}),
        ],
        service=command,
        stats_url=lambda env: env["ITGLUE_BASE_URL"].rsplit("/itglue", 1)[0] + "/_emulator/stats?window=300",
        targets=[
            Target("users: sequential time / concurrent time", ratio("sequential", "concurrent"), ">=", 3.0),
            Target(f"users: concurrent time / latency bound ({bound:.2f} s)",
                   lambda s: s["concurrent"].median / bound, "<=", 1.5),
            Target("users: most requests the emulator saw in 300 s", _worst("concurrent", "max_in_window"),
                   "<=", LIMIT, unit=""),
            Target("users + logs: requests refused with 429",
                   lambda s: _refused("concurrent")(s) + _refused("logs")(s), "<=", 0, unit=""),
            Target("logs: rows returned (of 200,000)", lambda s: float(s["logs"].rows or 0), ">=", 200_000, unit=""),
        ],
    )
