"""Case ``itglue``: cold loads from the built-in emulator (its own process, 50 ms per request, large data).

Contenders loading all 100,000 users at page[size]=1000 into a DataFrame: ``concurrent`` (apitoolkit as
shipped: remaining pages fetched 6 at a time under the rate limit into a fresh cache) and ``sequential``
(the same client with one worker: pages one after another, as peer clients fetch); what users would use
instead (`benchmarks.rivals.itglue`): ``loop`` (requests + ``json_normalize``, in the project venv),
``py-itglue``, ``itglue`` and ``dlt`` (each in its own venv, built by the setup when missing, see
`benchmarks.venvs`, with the project's pandas and pyarrow); and ``pyarrow_floor``, the same users' page
bytes already in memory parsed by ``pyarrow.json`` alone (the setup fetches them). Then ``logs``
(``load_logs`` over 30 days of 200,000 rows).

Every run first resets the emulator, so it starts with a full rate-limit budget (3000 requests per 300 s)
and its own statistics, which the harness reads after the run: the targets check the rate limit apitoolkit
kept and that no request was refused with 429. The bound is what latency allows: page 1, then the other
99 pages 6 at a time, in ceil(99 / 6) = 17 rounds: 18 x 50 ms. (Until 2026-11-23 15:46 the tables divided
instead, 0.05 + 99 x 0.05 / workers, a bound no client can reach: the last round waits its full 50 ms.)
"""

from __future__ import annotations

import math
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from apitoolkit.config import DEFAULT_MAX_WORKERS
from benchmarks import data, venvs
from benchmarks.harness import Case, Contender, Stats, Target, ratio
from benchmarks.rivals.itglue import fresh_emulator

LATENCY = 0.05
USERS = 100_000
PAGE_SIZE = 1000
PAGES = USERS // PAGE_SIZE
WORKERS = DEFAULT_MAX_WORKERS  # as shipped
LIMIT = 3000
RIVALS = {"py-itglue": "py-itglue==0.2.6", "itglue": "itglue==0.2.0", "dlt": "dlt==1.31.0"}


def _pages_path() -> Path:
    return data.WORK / "itglue-users-pages.jsonl"


def setup(requirements: dict[str, list[str]]) -> None:
    """Build the rivals' venvs that are missing or stale; store the emulator's user pages for the floor."""
    for name, pinned in requirements.items():
        venvs.ensure(name, pinned)
    base_url, api_key = fresh_emulator()
    pages: list[bytes] = []
    for number in range(1, PAGES + 1):
        url = f"{base_url}/users?page%5Bsize%5D={PAGE_SIZE}&page%5Bnumber%5D={number}"
        with urllib.request.urlopen(urllib.request.Request(url, headers={"x-api-key": api_key}), timeout=60) as page:
            pages.append(page.read())
    _pages_path().parent.mkdir(parents=True, exist_ok=True)
    _pages_path().write_bytes(b"\n".join(pages))


def _client(workers: int) -> Any:
    from apitoolkit.itglue import ITGlueClient

    fresh_emulator()
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


def pyarrow_floor() -> Callable[[], Any]:
    """The floor: the stored user pages, in memory, joined by newlines and parsed by ``pyarrow.json``."""
    import io

    import pyarrow.json as pj

    pages = _pages_path().read_bytes().split(b"\n")
    return lambda: pj.read_json(io.BytesIO(b"\n".join(pages)))


def _worst(name: str, key: str) -> Callable[[dict[str, Stats]], float]:
    return lambda stats: max(float(e.get(key) or 0) for e in stats[name].extra)


def _refused(name: str) -> Callable[[dict[str, Stats]], float]:
    return lambda stats: max(float((e.get("by_status") or {}).get("429", 0)) for e in stats[name].extra)


def build(records: int) -> Case:
    """The case; ``records`` is not used (the sizes are the issue's)."""
    bound = LATENCY * (1 + math.ceil((PAGES - 1) / WORKERS))
    command = [
        sys.executable,
        "-m",
        "apitoolkit",
        "emulator",
        "--port",
        "0",
        "--size",
        "large",
        "--latency",
        str(LATENCY),
    ]
    module, rivals = "benchmarks.cases.itglue", "benchmarks.rivals.itglue"
    frames = [f"pandas=={version('pandas')}", f"pyarrow=={version('pyarrow')}"]
    pages = {"page_size": PAGE_SIZE}
    return Case(
        name="itglue",
        contenders=[
            Contender("concurrent", f"{module}:users", {"workers": WORKERS}),
            Contender("sequential", f"{module}:users", {"workers": 1}),
            Contender("loop", f"{rivals}:loop", pages),
            Contender("py-itglue", f"{rivals}:py_itglue", pages, python=venvs.interpreter("py-itglue")),
            Contender("itglue", f"{rivals}:itglue_connection", pages, python=venvs.interpreter("itglue")),
            Contender("dlt", f"{rivals}:dlt_rest_client", pages, python=venvs.interpreter("dlt")),
            Contender("pyarrow_floor", f"{module}:pyarrow_floor"),
            Contender("logs", f"{module}:logs", {"workers": WORKERS}),
        ],
        setup=f"{module}:setup",
        setup_kwargs={"requirements": {name: [pin, *frames] for name, pin in RIVALS.items()}},
        service=command,
        stats_url=lambda env: env["ITGLUE_BASE_URL"].rsplit("/itglue", 1)[0] + "/_emulator/stats?window=300",
        targets=[
            Target("users: sequential time / concurrent time", ratio("sequential", "concurrent"), ">=", 3.0),
            Target(
                f"users: concurrent time / latency bound ({bound:.2f} s)",
                lambda s: s["concurrent"].median / bound,
                "<=",
                1.5,
            ),
            Target("users: py-itglue time / concurrent time", ratio("py-itglue", "concurrent"), ">=", 5.0),
            Target("users: loop time / concurrent time", ratio("loop", "concurrent"), ">=", 5.0),
            Target(
                "users: most requests the emulator saw in 300 s",
                _worst("concurrent", "max_in_window"),
                "<=",
                LIMIT,
                unit="",
            ),
            Target(
                "users + logs: requests refused with 429",
                lambda s: _refused("concurrent")(s) + _refused("logs")(s),
                "<=",
                0,
                unit="",
            ),
            Target("logs: rows returned (of 200,000)", lambda s: float(s["logs"].rows or 0), ">=", 200_000, unit=""),
        ],
    )
