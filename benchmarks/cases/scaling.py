"""Case ``scaling``: how time and peak memory grow with rows (IT Glue users 10k -> 100k -> 1M, logs, metrics).

One emulator process serves every size with latency 0 and, from setup on, no rate limit: the times are the
client's work (loopback requests, parsing, flattening, writing the caches) and the emulator's serving, never
waiting (latency and the rate limit are the ``itglue`` case's subject). Its default account holds the largest
data, set on its command line (``--users``, ``--logs``); setup adds an account per smaller size
(``POST /_emulator/itglue/add_account``), then loads every workload once. That fills the frame caches the
``warm`` contenders read, and makes the emulator serialise every record once (it keeps the JSON), so no round
pays for that. Every account has 1,000 organizations and 90 days of user metrics (hence real reputations).
At the default size the emulator generates its 1M users, 1M logs and 6.5M metric rows in about 20 s (1.5 GB
peak) and holds about 3 GB once everything was served; setup takes about 90 s. The caches live in
``benchmarks/.work/scaling-<records>/`` (about 2.5 GB at the default size), replaced by every run.

Contenders, for the default ``--records`` 200,000 (sizes scale with it: users records/20, records/2 and
records*5; logs records and records*5):

- ``users 10k|100k|1M cold``: `load_users` into a fresh cache (the responses and the frame are written, as
  shipped);
- ``users 10k|100k|1M warm``: `load_users` again, answered from the frame cache setup filled;
- ``logs 200k cold``, ``logs 1M cold``: `load_logs` over the last 30 days (each day walked past the 5-page
  cap of the endpoint; a few rows short of the count, as the client's 30 days start a little after the
  emulator's);
- ``metrics 90d cold``: `load_user_metrics` over the last 90 days of the 100k-user account;
- ``users 10k|100k|1M parquet floor``: the frame a warm load reads, read by ``pd.read_parquet`` alone.

Targets. "Linear, not worse": with 10x the rows, time(1M) / time(100k) and time(100k) / time(10k) at most
12x, and the same for memory, measured as the RSS the work added over the process's baseline (``work +RSS
MB``). About 10x is linear; well above means the work grows faster than the rows (sorts, repeated copies,
swapping); below means fixed costs (imports on first use, thread pools, opening cache files) still weigh at
the smaller size. A warm load's growth is also set against the larger of linear and the parquet floor's
growth (at most 1.2x it): on a 2-core VM, reading 10x the rows from parquet took 13x the time (the kernel
hands out fresh pages for the larger frame), and a warm load can grow no less than that. Logs 200k -> 1M
(5x the rows) get at most 6x. And loading 1M logs must add less than 3x the final frame's deep memory
(``memory_usage(deep=True)``, ``result MB``) to the process: the memory the work added, not the peak RSS,
whose baseline (interpreter, pandas, pyarrow) is there before any row.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from benchmarks import data
from benchmarks.harness import Case, Contender, Stats, Target, ratio

Work = Callable[[], Any]
METRIC_DAYS = 90
#: Growth allowed over the rows' growth: 1.2 means 12x the time (or memory) for 10x the rows.
SLACK = 1.2
#: The most the work may add to the process's memory when loading the largest logs, over the frame's own.
LOGS_MEMORY_FACTOR = 3.0
#: Seconds the warm frames stay fresh: longer than any run.
TTL = 86_400
#: Counts every account shares (expirations are not loaded here).
SHARED = {"organizations": 1_000, "metric_days": METRIC_DAYS, "expirations": 0}


def _label(count: int) -> str:
    """``10_000`` -> ``"10k"``, ``1_000_000`` -> ``"1M"``, ``150`` -> ``"150"``."""
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if count >= size and count % size == 0:
            return f"{count // size}{unit}"
    return str(count)


def _key(users: int) -> str:
    return f"itg-scaling-{users}"


def _root() -> str:
    return os.environ["ITGLUE_BASE_URL"].rsplit("/itglue", 1)[0]


def _post(path: str, body: dict[str, Any]) -> None:
    request = urllib.request.Request(
        f"{_root()}{path}", data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=600)  # loopback only; a new account takes seconds to generate


def _directory(records: int, *parts: str) -> Path:
    return data.WORK.joinpath(f"scaling-{records}", *parts)


def _client(api_key: str | None, cache: Path, *, fresh: bool) -> Any:
    """A client of the account (None: the emulator's default one) caching in ``cache``, emptied if ``fresh``."""
    from apitoolkit.itglue import ITGlueClient

    if fresh:
        shutil.rmtree(cache, ignore_errors=True)
    return ITGlueClient(api_key, cache=cache, expire_after=TTL)


def _metrics_range() -> tuple[str, str]:
    today = datetime.now(UTC).date()
    return (today - timedelta(days=METRIC_DAYS - 1)).isoformat(), today.isoformat()


def setup(
    records: int, accounts: list[dict[str, Any]], warm: list[list[Any]], logs: list[str | None], metrics: str
) -> None:
    """Switch the rate limit off, add ``accounts``, fill the warm caches, serve every workload once.

    Args:
        records: The case's size, naming its directory.
        accounts: Bodies of ``add_account`` (key, seed, counts).
        warm: ``[api_key, label]`` of the accounts whose users the ``warm`` contenders read.
        logs: Keys of the accounts whose logs are loaded (None: the default account).
        metrics: Key of the account whose user metrics are loaded.
    """
    from apitoolkit.itglue import load_logs, load_user_metrics, load_users

    _post("/_emulator/config", {"service": "itglue", "rate_limit": None})
    for account in accounts:
        _post("/_emulator/itglue/add_account", account)
    shutil.rmtree(_directory(records), ignore_errors=True)
    for api_key, label in warm:
        load_users(client=_client(api_key, _directory(records, "warm", label), fresh=True), progress=False)
    scratch = _directory(records, "scratch")
    for api_key in logs:
        load_logs(client=_client(api_key, scratch, fresh=True), progress=False)
    load_user_metrics(*_metrics_range(), client=_client(metrics, scratch, fresh=True), progress=False)
    shutil.rmtree(scratch)


def _checked(frame: Any, source: str) -> Any:
    from apitoolkit.loading import load_source

    if load_source(frame) != source:
        raise RuntimeError(f"expected a load from the {source}, got one from the {load_source(frame)}")
    return frame


def users(records: int, api_key: str | None, label: str, mode: str) -> Work:
    """`load_users` into a fresh cache (``mode="cold"``) or from the frame cache setup filled (``"warm"``)."""
    from apitoolkit.itglue import load_users

    cold = mode == "cold"
    client = _client(api_key, _directory(records, mode, label), fresh=cold)
    source = "network" if cold else "frame-cache"
    return lambda: _checked(load_users(client=client, progress=False), source)


def parquet_floor(records: int, label: str) -> Work:
    """The floor of a warm load: the frame setup stored for the ``warm`` contender, read by ``pd.read_parquet``."""
    import pandas as pd

    (path,) = _directory(records, "warm", label).glob("frames/*/users-*.parquet")
    return lambda: pd.read_parquet(path)


def logs(records: int, api_key: str | None, label: str) -> Work:
    """`load_logs` of the last 30 days into a fresh cache."""
    from apitoolkit.itglue import load_logs

    client = _client(api_key, _directory(records, "cold", f"logs-{label}"), fresh=True)
    return lambda: _checked(load_logs(client=client, progress=False), "network")


def metrics(records: int, api_key: str | None) -> Work:
    """`load_user_metrics` of the last 90 days into a fresh cache."""
    from apitoolkit.itglue import load_user_metrics

    client = _client(api_key, _directory(records, "cold", "metrics"), fresh=True)
    start, end = _metrics_range()
    return lambda: _checked(load_user_metrics(start, end, client=client, progress=False), "network")


def _added(numerator: str, denominator: str) -> Callable[[dict[str, Stats]], float]:
    return lambda stats: stats[numerator].increase_median / stats[denominator].increase_median


def _added_per_frame(name: str) -> Callable[[dict[str, Stats]], float]:
    return lambda stats: stats[name].increase_median / (stats[name].result_bytes or 1)


def _growth_targets(what: str, names: list[tuple[str, int]]) -> list[Target]:
    """Time and added memory of each size over the size before it, at most `SLACK` times the rows' growth."""
    targets = []
    for (small, small_rows), (large, large_rows) in pairwise(names):
        rows = large_rows / small_rows
        sizes = f"{_label(large_rows)} / {_label(small_rows)} ({rows:g}x rows)"
        targets += [
            Target(f"{what}: time {sizes}", ratio(large, small), "<=", SLACK * rows),
            Target(f"{what}: work +RSS {sizes}", _added(large, small), "<=", SLACK * rows),
        ]
    return targets


def _floor_growth_targets(sizes: list[tuple[str, int]]) -> list[Target]:
    """A warm load's growth in time beyond linear, against reading the same parquet file with pandas.

    Materialising a frame of 190 MB costs more per row than one of 19 MB on a machine that must first hand
    the process fresh memory pages: the measure is our growth over the larger of linear (the rows' growth)
    and the floor's growth, so it is at most `SLACK` when a warm load grows linearly or like the floor.
    """
    targets = []
    for (small, small_rows), (large, large_rows) in pairwise(sizes):
        ours = ratio(f"users {large} warm", f"users {small} warm")
        floor = ratio(f"users {large} parquet floor", f"users {small} parquet floor")
        rows = large_rows / small_rows

        def measure(stats: dict[str, Stats], o: Any = ours, f: Any = floor, r: float = rows) -> float:
            return float(o(stats) / max(r, f(stats)))

        label = f"users warm: time growth {large} / {small} over the larger of linear and the parquet floor's"
        targets.append(Target(label, measure, "<=", SLACK))
    return targets


def build(records: int) -> Case:
    """The case for ``records`` (200,000 gives the issue's sizes: 10k, 100k, 1M users; 200k and 1M logs)."""
    small, middle, large = max(1, records // 20), max(1, records // 2), records * 5
    added = [
        {"api_key": _key(small), "seed": 2, **SHARED, "users": small, "logs": 0},
        {"api_key": _key(middle), "seed": 3, **SHARED, "users": middle, "logs": records},
    ]
    # (api key, users): the largest account is the emulator's default one, its key from the environment.
    user_sizes: list[tuple[str | None, int]] = [(_key(small), small), (_key(middle), middle), (None, large)]
    log_sizes: list[tuple[str | None, int]] = [(_key(middle), records), (None, large)]
    here, kwargs = __name__, {"records": records}
    contenders = [
        Contender(
            f"users {_label(rows)} {mode}",
            f"{here}:users",
            {**kwargs, "api_key": key, "label": _label(rows), "mode": mode},
        )
        for mode in ("cold", "warm")
        for key, rows in user_sizes
    ]
    contenders += [
        Contender(f"users {_label(rows)} parquet floor", f"{here}:parquet_floor", {**kwargs, "label": _label(rows)})
        for _, rows in user_sizes
    ]
    contenders += [
        Contender(f"logs {_label(rows)} cold", f"{here}:logs", {**kwargs, "api_key": key, "label": _label(rows)})
        for key, rows in log_sizes
    ]
    contenders.append(Contender(f"metrics {METRIC_DAYS}d cold", f"{here}:metrics", {**kwargs, "api_key": _key(middle)}))
    largest_logs = f"logs {_label(large)} cold"
    targets = [
        *_growth_targets("users cold", [(f"users {_label(rows)} cold", rows) for _, rows in user_sizes]),
        *_growth_targets("users warm", [(f"users {_label(rows)} warm", rows) for _, rows in user_sizes]),
        *_floor_growth_targets([(_label(rows), rows) for _, rows in user_sizes]),
        *_growth_targets("logs cold", [(f"logs {_label(rows)} cold", rows) for _, rows in log_sizes]),
        Target(
            f"{largest_logs}: work +RSS / final frame's deep memory",
            _added_per_frame(largest_logs),
            "<",
            LOGS_MEMORY_FACTOR,
        ),
    ]
    counts = {**SHARED, "users": large, "logs": large}
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
        "0",
        *(f"--{name.replace('_', '-')}={value}" for name, value in counts.items()),
    ]
    return Case(
        name="scaling",
        contenders=contenders,
        setup=f"{here}:setup",
        setup_kwargs={
            **kwargs,
            "accounts": added,
            "warm": [[key, _label(rows)] for key, rows in user_sizes],
            "logs": [key for key, _ in log_sizes],
            "metrics": _key(middle),
        },
        targets=targets,
        service=command,
    )
