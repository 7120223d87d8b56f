"""The archive's figures (issue 17): sync cost against archive size, month scans, the heatmap by engine, sizes.

Run ``python -m benchmarks.archive [--rows N] [--rounds R] [--no-record]`` (``python -m benchmarks`` runs it
too, after the other cases). It builds two synthetic IT Glue log archives with the archive's own writer
(`Archive.write`, one week of rows per call, then `Archive.compact`) under ``benchmarks/.work/archive/``:

- **year**: ``--rows`` rows (default 20 million) over the 365 days ending `LAST_DAY`, about 55,000 a day
  (weekdays busier than weekends, most events around 15:00 UTC, ids increasing with time, the LOGS schema
  with realistic cardinalities: a few thousand users, their IPs, places and browsers, a thousand
  organizations, tens of thousands of resource names);
- **month**: the last 30 of those days, the same rows.

Built archives are kept and reused (a ``built.json`` beside them says they are complete). Then it measures,
each contender in a fresh process over ``--rounds`` alternated rounds (see `benchmarks.harness`):

- **archive-sync**: `DeltaStore.append_new` of the next day's rows into a copy of each archive, and of the same
  rows again (exactly once: nothing added). The time should not depend on the archive's size (year / month).
- **archive-scan**: `Archive.scan` of one month against the whole year; the bytes of the files each reads.
- **archive-heatmap**: the activity heatmap over the year: DuckDB (`apitoolkit.archive.heatmap`), pandas after a
  full scan (`apitoolkit.analysis.activity_heatmap`), and Dask on a 2-worker LocalCluster
  (`apitoolkit.archive.distributed`, when that module exists); the grids are compared cell by cell.

It also estimates the JSON the API would have sent for these rows (JSON:API pages of 1,000) against the
archive's bytes on disk, per million rows, and tries the pandas heatmap under a 6 GB address-space limit.
The tables are printed and appended to ``benchmarks/RESULTS.md`` as an "Archive (issue 17)" section.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from apitoolkit.emulator.itglue.data import LOG_ACTION_WEIGHTS, LOG_ACTIONS, LOG_LEVELS, LOG_TYPE_WEIGHTS, LOG_TYPES
from benchmarks import report
from benchmarks.harness import ROOT, Case, CaseResult, Contender, Target, median_seconds, ratio, run_case

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

WORK = ROOT / "benchmarks" / ".work" / "archive"
DEFAULT_ROWS = 20_000_000
YEAR_DAYS = 365
MONTH_DAYS = 30
#: The last day both archives hold; `NEW_DAY` is the day a sync adds (its month partition already holds 29 days).
LAST_DAY = date(2026, 11, 29)
NEW_DAY = LAST_DAY + timedelta(days=1)
#: A day after the archives in a month they hold nothing of (its merge has an empty partition to search).
FIRST = "2026-12-01"
#: The month `Archive.scan` reads in the scan case.
SCAN_MONTH = ("2026-10-01", "2026-10-31")
#: Days of rows one `Archive.write` call takes while building.
BATCH_DAYS = 7
#: The address-space limit the pandas heatmap is tried under.
MEMORY_LIMIT = 6 * 2**30
#: Records per JSON:API page (IT Glue's largest page size).
PAGE_SIZE = 1000
SECTION_TITLE = "Archive (issue 17)"

_WEEKDAY_RATE = (1.1, 1.1, 1.1, 1.1, 1.1, 0.75, 0.75)  # Mon..Sun; averages 1.0 over a week
# The emulator's mix of actions and resource types (as IT Glue accounts show them).
_ACTIONS = LOG_ACTIONS
_ACTION_WEIGHTS = LOG_ACTION_WEIGHTS
_LEVELS = tuple(LOG_LEVELS[action] for action in LOG_ACTIONS)
_TYPES = LOG_TYPES
_TYPE_WEIGHTS = LOG_TYPE_WEIGHTS
_USERS = 2_500
_ORGS = 1_200
_PLACES = 300
_AGENTS = 80
_ACCOUNT = 4_217
_ID_EPOCH = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------------ the rows
def _words(rng: np.random.Generator, n: int, low: int = 4, high: int = 10) -> list[str]:
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    consonants, vowels = letters[~np.isin(letters, list("aeiou"))], np.array(list("aeiou"))
    out = []
    for length in rng.integers(low, high, n).tolist():
        picks = [rng.choice(consonants if i % 2 == 0 else vowels) for i in range(length)]
        out.append("".join(picks).capitalize())
    return out


@cache
def _pools() -> dict[str, Any]:
    """The fixed population the rows are drawn from: users, organizations, places, browsers, resource names."""
    rng = np.random.default_rng(17)
    first, last = _words(rng, 300, 3, 8), _words(rng, 600, 4, 10)
    cities, regions = _words(rng, _PLACES, 4, 11), _words(rng, 60, 5, 12)
    countries = ["United States", "United Kingdom", "Canada", "Australia", "Germany", "Sweden", "India", "Ireland"]
    places = [(cities[i], regions[i % 60], countries[min(i // 40, len(countries) - 1)]) for i in range(_PLACES)]
    agents = [
        f"Mozilla/5.0 ({os}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.{b}.0 Safari/537.36"
        for os, v, b in zip(
            rng.choice(["Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10_15_7", "X11; Linux x86_64"], 80),
            rng.integers(110, 132, _AGENTS).tolist(),
            rng.integers(1000, 7000, _AGENTS).tolist(),
            strict=True,
        )
    ]
    user_names = [f"{rng.choice(first)} {rng.choice(last)}" for _ in range(_USERS)]
    octets = rng.integers(1, 255, (_USERS * 2, 4))
    ips = [".".join(map(str, row)) for row in octets.tolist()]
    shorts = [w[:4].upper() + str(i) for i, w in enumerate(_words(rng, _ORGS, 4, 8))]
    org_names = [f"{w} {rng.choice(['Ltd', 'Inc', 'LLC', 'Group', 'Partners'])}" for w in _words(rng, _ORGS, 5, 12)]
    kinds = ["SRV", "DC", "FW", "SW", "NAS", "WS", "PRN", "AP"]
    by_type = {
        "Configuration": [f"{s}-{k}{n:02d}" for s in shorts for k in kinds[:4] for n in (1, 2, 3)],
        "Password": [f"{s} {p}" for s in shorts[:400] for p in ("Admin", "O365", "Wi-Fi", "Firewall", "QuickBooks")],
        "Document": [
            f"{a} {b} {c}" for a, b, c in zip(_words(rng, 6000), _words(rng, 6000), _words(rng, 6000), strict=True)
        ],
        "Flexible Asset": [f"{w} ({k})" for w in _words(rng, 1500) for k in ("Backup", "LAN")],
        "Organization": org_names,
        "Contact": user_names[:1500],
        "Domain": [f"{s.lower()}.com" for s in shorts],
        "SSL Certificate": [f"*.{s.lower()}.com" for s in shorts],
        "Checklist": [f"{w} checklist" for w in _words(rng, 200)],
        "Location": [f"{c} office" for c, _, _ in places[:150]],
    }
    names = [by_type[t] for t in _TYPES]
    activity = rng.pareto(1.2, _USERS) + 0.05
    return {
        "user_ids": np.arange(10_001, 10_001 + _USERS, dtype=np.int64),
        "user_names": np.array(user_names, dtype=object),
        "user_weights": activity / activity.sum(),
        "user_place": rng.integers(0, _PLACES, _USERS),
        "user_agent": rng.integers(0, _AGENTS, _USERS),
        "ips": np.array(ips, dtype=object),
        "places": np.array(places, dtype=object),
        "agents": np.array(agents, dtype=object),
        "org_ids": np.arange(1_000_001, 1_000_001 + _ORGS, dtype=np.int64),
        "org_weights": (w := 1.0 / np.arange(1, _ORGS + 1) ** 0.9) / w.sum(),
        "names": np.array([n for group in names for n in group], dtype=object),
        "name_offsets": np.concatenate([[0], np.cumsum([len(g) for g in names])[:-1]]),
        "name_lengths": np.array([len(g) for g in names]),
    }


def day_counts(rows: int, last: date = LAST_DAY, days: int = YEAR_DAYS) -> dict[date, int]:
    """Rows per day of the ``days`` days ending ``last``, summing to ``rows`` (weekends quieter).

    Example:
        >>> counts = day_counts(3650, date(2026, 11, 29), 365)
        >>> sum(counts.values()), len(counts)
        (3650, 365)
    """
    first = last - timedelta(days=days - 1)
    span = [first + timedelta(days=i) for i in range(days)]
    rng = np.random.default_rng(2026)
    raw = np.array([_WEEKDAY_RATE[d.weekday()] for d in span]) * rng.normal(1.0, 0.04, days)
    counts = np.floor(raw / raw.sum() * rows).astype(np.int64)
    counts[-1] += rows - int(counts.sum())
    return dict(zip(span, counts.tolist(), strict=True))


def day_rate(rows: int, day: date) -> int:
    """Rows of a day after the archives (the rate the year's ``rows`` imply, for that weekday)."""
    return round(rows / YEAR_DAYS * _WEEKDAY_RATE[day.weekday()])


def day_table(day: date, n: int) -> pa.Table:
    """``n`` log rows of ``day`` (the same every time for the same day), in the loader's columns, sorted."""
    import pyarrow as pa

    pools = _pools()
    rng = np.random.default_rng(day.toordinal())
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    hours = rng.normal(15.0, 3.5, n) % 24
    seconds = np.sort(start + (hours * 3600).astype(np.int64))
    first = np.searchsorted(seconds, seconds, side="left")
    ids = 500_000_000_000_000 + (seconds - _ID_EPOCH) * 2**12 + (np.arange(n) - first)
    users = rng.choice(_USERS, n, p=pools["user_weights"])
    actions = rng.choice(len(_ACTIONS), n, p=_ACTION_WEIGHTS)
    types = rng.choice(len(_TYPES), n, p=_TYPE_WEIGHTS)
    sign_in = actions == _ACTIONS.index("sign_in")
    picks = pools["name_offsets"][types] + (rng.random(n) * pools["name_lengths"][types]).astype(np.int64)
    names = np.where(sign_in, pools["user_names"][users], pools["names"][picks])
    orgs = pools["org_ids"][rng.choice(_ORGS, n, p=pools["org_weights"])]
    roaming = rng.random(n) < 0.15  # a second address (home, travel) now and then
    ips = pools["ips"][users * 2 + roaming]
    places = pools["places"][pools["user_place"][users]]
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "created_at": pa.array(seconds * 1_000_000, pa.int64()).cast(pa.timestamp("us", "UTC")),
            "level": pa.array(np.array(_LEVELS)[actions], pa.int64()),
            "account_id": pa.array(np.full(n, _ACCOUNT), pa.int64()),
            "user_id": pa.array(pools["user_ids"][users], pa.int64()),
            "organization_id": pa.array(orgs, pa.int64(), mask=sign_in),
            "action": pa.array(np.array(_ACTIONS, dtype=object)[actions], pa.large_string()),
            "resource_type": pa.array(
                np.where(sign_in, "User", np.array(_TYPES, dtype=object)[types]), pa.large_string()
            ),
            "resource_name": pa.array(names, pa.large_string()),
            "ip_address": pa.array(ips, pa.large_string()),
            "ip_city": pa.array(places[:, 0], pa.large_string()),
            "ip_region": pa.array(places[:, 1], pa.large_string()),
            "ip_country": pa.array(places[:, 2], pa.large_string()),
            "user_agent": pa.array(pools["agents"][pools["user_agent"][users]], pa.large_string()),
        }
    )


def day_frame(day: date, n: int) -> pd.DataFrame:
    """`day_table` as the frame `apitoolkit.itglue.load_logs` returns (its columns and dtypes)."""
    from apitoolkit.frames import table_to_frame

    return table_to_frame(day_table(day, n))


def json_bytes_per_row(sample: pa.Table) -> float:
    """Bytes per row of ``sample`` as IT Glue sends it: JSON:API pages of `PAGE_SIZE` records, meta and links."""
    rows = sample.to_pylist()
    pages = [rows[i : i + PAGE_SIZE] for i in range(0, len(rows), PAGE_SIZE)]
    total = 0
    for number, page in enumerate(pages, start=1):
        records = [
            {
                "id": str(row["id"]),
                "type": "logs",
                "attributes": {
                    key.replace("_", "-"): (f"{value:%Y-%m-%dT%H:%M:%S}.000Z" if isinstance(value, datetime) else value)
                    for key, value in row.items()
                    if key != "id"
                },
                "relationships": {},
            }
            for row in page
        ]
        link = "https://api.itglue.com/logs?filter%5Bcreated_at%5D=2026-11-01T00%3A00%3A00Z%2C2026-11-01T23%3A59%3A59Z"
        body = {
            "data": records,
            "meta": {
                "current-page": number,
                "next-page": number + 1,
                "prev-page": number - 1 or None,
                "total-pages": 56,
                "total-count": 55_000,
                "filters": {},
            },
            "links": {
                k: f"{link}&page%5Bnumber%5D={number}&page%5Bsize%5D={PAGE_SIZE}&sort=created_at"
                for k in ("self", "first", "prev", "next", "last")
            },
        }
        total += len(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())
    return total / max(1, len(rows))


# ------------------------------------------------------------------------------------------------ building
def archive_dir(kind: str, rows: int) -> Path:
    """Where the ``kind`` ("year" or "month") archive of a ``rows``-row year lives."""
    return WORK / f"{kind}-{rows}"


def table_dir(where: Path) -> Path:
    """The Delta table of the logs inside an archive directory."""
    return where / "itglue" / "logs"


def build(kind: str, rows: int) -> dict[str, Any]:
    """Build (or find already built) the ``kind`` archive: weekly `Archive.write` calls, then compact."""
    from apitoolkit.archive import Archive

    where = archive_dir(kind, rows)
    marker = where / "built.json"
    if marker.exists():
        found: dict[str, Any] = json.loads(marker.read_text())
        return found
    if where.exists():
        shutil.rmtree(where)  # a build that did not finish
    counts = day_counts(rows)
    days = sorted(counts)[-MONTH_DAYS:] if kind == "month" else sorted(counts)
    archive = Archive(where)
    started, written = time.perf_counter(), 0
    for i in range(0, len(days), BATCH_DAYS):
        import pandas as pd

        batch = days[i : i + BATCH_DAYS]
        frame = pd.concat([day_frame(d, counts[d]) for d in batch], ignore_index=True)
        written += archive.write("itglue", "logs", frame, now=pd.Timestamp(batch[-1]).tz_localize("UTC"))
        elapsed = time.perf_counter() - started
        _log(f"[archive] {kind}: {written:,} rows to {batch[-1]} written, {elapsed:.0f} s")
    write_seconds = time.perf_counter() - started
    archive.compact("itglue", "logs")
    info = archive.info()
    row = info[info["resource"] == "logs"].iloc[0]
    built = {
        "kind": kind,
        "rows": int(row["rows"]),
        "days": len(days),
        "files": int(row["files"]),
        "bytes": int(row["bytes"]),
        "disk_bytes": _disk_bytes(table_dir(where)),
        "write_seconds": round(write_seconds, 1),
        "compact_seconds": round(time.perf_counter() - started - write_seconds, 1),
        "built": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    if built["rows"] != sum(counts[d] for d in days):
        raise RuntimeError(f"the {kind} archive holds {built['rows']:,} rows, not {sum(counts[d] for d in days):,}")
    marker.write_text(json.dumps(built, indent=1))
    _log(f"[archive] {kind}: built {built}")
    return built


def _disk_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def setup(rows: int) -> None:
    """The cases' one-time setup: both archives built (or found)."""
    for kind in ("month", "year"):
        build(kind, rows)


# ------------------------------------------------------------------------------------------------ contenders
def _clone(source: Path, target: Path) -> None:
    """A copy of a Delta table that costs no data: parquet files hard-linked (never rewritten), the log copied."""
    if target.exists():
        shutil.rmtree(target)
    for path in source.rglob("*"):
        out = target / path.relative_to(source)
        if path.is_dir():
            out.mkdir(parents=True, exist_ok=True)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix == ".parquet":
            os.link(path, out)
        else:
            shutil.copy2(path, out)


def prepare_append(kind: str, rows: int, again: bool, day: str = NEW_DAY.isoformat()) -> Callable[[], Any]:
    """Append ``day``'s rows into a fresh copy of the ``kind`` archive (``again``: rows already there)."""
    import pandas as pd

    from apitoolkit.archive import Archive
    from apitoolkit.archive.sync import to_arrow

    scratch = WORK / "scratch" / f"{kind}-{'again' if again else 'new'}-{day}"
    _clone(archive_dir(kind, rows), scratch)
    store = Archive(scratch).store("itglue", "logs")
    when = date.fromisoformat(day)
    data = to_arrow(day_frame(when, day_rate(rows, when)), store.spec)
    expected = 0 if again else data.num_rows
    if again:
        store.append_new(data)

    def work() -> pd.DataFrame:
        written = store.append_new(data)
        if written.added != expected:
            raise RuntimeError(f"append_new added {written.added:,} rows, not {expected:,}")
        return pd.DataFrame(index=range(written.added))  # its rows: the rows added

    return work


def prepare_scan(rows: int, month: bool) -> Callable[[], Any]:
    """`Archive.scan` of the year archive: one month, or everything."""
    from apitoolkit.archive import Archive

    archive = Archive(archive_dir("year", rows))
    start, end = SCAN_MONTH if month else (None, None)

    def work() -> pd.DataFrame:
        before = _read_chars()
        frame = archive.scan("itglue", "logs", start=start, end=end)
        _io_path(rows, "month" if month else "year").write_text(str(_read_chars() - before))
        return frame

    return work


def _read_chars() -> int:
    """Bytes this process has read through system calls so far (``rchar``: page-cache hits included)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    return 0


def _io_path(rows: int, what: str) -> Path:
    return WORK / f"io-{rows}-{what}.txt"


def _grid_path(rows: int, engine: str) -> Path:
    return WORK / f"grid-{rows}-{engine}.json"


def _save_grid(path: Path, grid: pd.DataFrame) -> pd.DataFrame:
    WORK.mkdir(parents=True, exist_ok=True)
    path.write_text(grid.astype("int64").to_json(orient="split"))
    return grid


def prepare_heatmap(rows: int, engine: str, limit: int = 0) -> Callable[[], Any]:
    """The year's activity heatmap by ``engine`` (duckdb, pandas, dask); ``limit``: RLIMIT_AS bytes (0: none)."""
    from apitoolkit.archive import Archive

    archive = Archive(archive_dir("year", rows))
    if limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if engine == "duckdb":
        from apitoolkit.archive.heatmap import activity_heatmap

        return lambda: _save_grid(_grid_path(rows, engine), activity_heatmap(archive))
    if engine == "pandas":
        from apitoolkit.analysis import activity_heatmap as pandas_heatmap

        return lambda: _save_grid(_grid_path(rows, engine), pandas_heatmap(archive.scan("itglue", "logs")))
    return _prepare_dask(archive, _grid_path(rows, engine))


_OPEN: list[Any] = []  # the Dask clients and clusters of this process, closed at exit (after the measurement)


def close_clusters() -> None:
    """Close the Dask clients and clusters `prepare_heatmap` started in this process."""
    while _OPEN:
        _OPEN.pop().close()


def _worker_peaks(dask_worker: Any) -> int:
    with open("/proc/self/status") as status:
        return next((int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:")), 0)


def _prepare_dask(archive: Any, path: Path) -> Callable[[], Any]:
    import atexit
    import importlib

    from dask.distributed import Client, LocalCluster

    distributed = importlib.import_module("apitoolkit.archive.distributed")  # written alongside; may be absent
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    _OPEN.extend([cluster, client])
    atexit.register(close_clusters)

    def work() -> pd.DataFrame:
        grid = _save_grid(path, distributed.activity_heatmap(archive, client=client))
        peaks = client.run(_worker_peaks)  # the workers' own peak RSS (the harness sees the client process only)
        path.with_suffix(".workers").write_text(json.dumps(sorted(peaks.values())))
        return grid

    return work


def dask_available() -> bool:
    """Whether `apitoolkit.archive.distributed` (the Dask heatmap) exists yet."""
    import importlib.util

    return importlib.util.find_spec("apitoolkit.archive.distributed") is not None


# ------------------------------------------------------------------------------------------------ cases
def _contender(name: str, function: str, **kwargs: Any) -> Contender:
    return Contender(name, f"benchmarks.archive:{function}", kwargs)


def cases(rows: int, *, dask: bool) -> list[Case]:
    """The three cases over archives of a ``rows``-row year (``dask``: include the Dask heatmap)."""
    sync = Case(
        "archive-sync",
        [
            _contender(f"{kind} {what}", "prepare_append", kind=kind, rows=rows, again=again)
            for kind in ("month", "year")
            for what, again in (("new day", False), ("same day again", True))
        ]
        + [_contender("year new month's first day", "prepare_append", kind="year", rows=rows, again=False, day=FIRST)],
        setup="benchmarks.archive:setup",
        setup_kwargs={"rows": rows},
        targets=[
            Target("new day: year / month time", ratio("year new day", "month new day"), "<=", 1.5),
            Target("again: year / month time", ratio("year same day again", "month same day again"), "<=", 1.5),
        ],
    )
    scan = Case(
        "archive-scan",
        [
            _contender("one month", "prepare_scan", rows=rows, month=True),
            _contender("whole year", "prepare_scan", rows=rows, month=False),
        ],
        targets=[Target("whole year / one month time", ratio("whole year", "one month"), ">=", 5)],
    )
    engines = ["duckdb", "pandas", *(["dask"] if dask else [])]
    heatmap = Case(
        "archive-heatmap",
        [_contender(engine, "prepare_heatmap", rows=rows, engine=engine) for engine in engines],
        targets=[
            Target("duckdb peak RSS (GB)", lambda s: s["duckdb"].peak_rss_median / 2**30, "<", 2, " GB"),
            Target("pandas / duckdb time", ratio("pandas", "duckdb"), ">=", 1),
            Target("duckdb seconds", median_seconds("duckdb"), "<", 60, " s"),
        ],
    )
    return [sync, scan, heatmap]


# ------------------------------------------------------------------------------------------------ figures
def scan_bytes(rows: int) -> dict[str, int]:
    """Bytes and files a month scan and a full scan touch: the Delta add actions of their partitions."""
    import pyarrow.compute as pc

    from apitoolkit.archive import Archive

    actions = Archive(archive_dir("year", rows)).store("itglue", "logs").add_actions()
    month = SCAN_MONTH[0][:7]
    column = "partition.month" if "partition.month" in actions.column_names else "month"
    chosen = actions.filter(pc.equal(actions[column], month))
    return {
        "month_bytes": int(pc.sum(chosen["size_bytes"]).as_py() or 0),
        "month_files": chosen.num_rows,
        "all_bytes": int(pc.sum(actions["size_bytes"]).as_py() or 0),
        "all_files": actions.num_rows,
    }


def limited_pandas(rows: int) -> str:
    """The pandas heatmap once under the 6 GB address-space limit: its time and peak, or how it failed."""
    from benchmarks.harness import _worker

    kwargs = {"rows": rows, "engine": "pandas", "limit": MEMORY_LIMIT}
    try:
        result = _worker(sys.executable, ["benchmarks.archive:prepare_heatmap", json.dumps(kwargs)])
    except RuntimeError as error:
        last = ([line for line in str(error).splitlines() if line.strip()] or ["?"])[-1]
        kind, _, message = last.partition(": ")
        cause = message[message.find("(") : message.find(")") + 1] if "(" in message else message[:160]
        return f"failed under RLIMIT_AS = {MEMORY_LIMIT / 2**30:.0f} GB: {kind.rsplit('.', 1)[-1]} {cause}"
    return (
        f"completed under RLIMIT_AS = {MEMORY_LIMIT / 2**30:.0f} GB in {result['seconds']:.1f} s, "
        f"peak RSS {result['peak_rss'] / 2**30:.2f} GB"
    )


def grids_equal(rows: int) -> dict[str, bool]:
    """Whether each engine's saved grid equals DuckDB's, cell by cell."""
    import pandas as pd

    found = WORK.glob(f"grid-{rows}-*.json")
    grids = {p.stem.removeprefix(f"grid-{rows}-"): pd.read_json(p, orient="split") for p in found}
    if "duckdb" not in grids:
        return {}
    base = grids["duckdb"].to_numpy()
    return {name: bool(np.array_equal(g.to_numpy(), base)) for name, g in grids.items() if name != "duckdb"}


def sizes(rows: int) -> dict[str, float]:
    """JSON the API sends vs the archive on disk, bytes per million rows."""
    built = json.loads((archive_dir("year", rows) / "built.json").read_text())
    sample = day_table(LAST_DAY, min(20_000, max(1, rows // YEAR_DAYS)))
    json_row = json_bytes_per_row(sample)
    return {
        "json_mb_per_million": json_row * 1e6 / 2**20,
        "archive_mb_per_million": built["disk_bytes"] / built["rows"] * 1e6 / 2**20,
        "ratio": json_row * built["rows"] / built["disk_bytes"],
    }


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


def _machine() -> str:
    return report.machine()


def section(rows: int, rounds: int, results: list[CaseResult], notes: list[str]) -> str:
    """The RESULTS.md section of this run."""
    now = datetime.now(UTC)
    return "\n".join(
        [
            f"## {SECTION_TITLE}: {now:%Y-%m-%d %H:%M} UTC",
            "",
            f"- Command: `{shlex.join(sys.orig_argv)}`",
            f"- Commit: {report.commit()}",
            f"- Machine: {_machine()}",
            f"- Rounds: {rounds}; year archive: {rows:,} rows over {YEAR_DAYS} days to {LAST_DAY}; month archive: "
            f"its last {MONTH_DAYS} days; new day {NEW_DAY} ({day_rate(rows, NEW_DAY):,} rows)",
            f"- Engines: deltalake {_version('deltalake')}, duckdb {_version('duckdb')}, dask {_version('dask')}",
            "",
            report.results_table(results),
            "",
            report.targets_table(results),
            "",
            *[f"- {note}" for note in notes],
            "",
        ]
    )


def _notes(rows: int) -> list[str]:
    notes = []
    for kind in ("year", "month"):
        b = json.loads((archive_dir(kind, rows) / "built.json").read_text())
        notes.append(
            f"{kind} archive: {b['rows']:,} rows, {b['files']} files, {b['disk_bytes'] / 2**20:,.1f} MB on disk; "
            f"built with Archive.write in {b['write_seconds']:,.0f} s (weekly batches), compacted in "
            f"{b['compact_seconds']:,.0f} s"
        )
    size = sizes(rows)
    notes.append(
        f"size per million rows: JSON:API pages {size['json_mb_per_million']:,.1f} MB, archive "
        f"{size['archive_mb_per_million']:,.1f} MB on disk ({size['ratio']:,.1f}x smaller)"
    )
    touched = scan_bytes(rows)
    notes.append(
        f"bytes read: one month {touched['month_bytes'] / 2**20:,.1f} MB in {touched['month_files']} files, whole "
        f"year {touched['all_bytes'] / 2**20:,.1f} MB in {touched['all_files']} files "
        f"({touched['all_bytes'] / max(1, touched['month_bytes']):,.1f}x); " + _measured_reads(rows)
    )
    return notes


_CASES = ("sync", "scan", "heatmap")


def _measured_reads(rows: int) -> str:
    paths = {what: _io_path(rows, what) for what in ("month", "year")}
    if not all(p.exists() for p in paths.values()):
        return "read calls not measured"
    month, year = (int(paths[w].read_text()) / 2**20 for w in ("month", "year"))
    return (
        f"read by the scan's process (/proc/self/io rchar, last round): one month {month:,.1f} MB, year {year:,.1f} MB"
    )


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.archive", description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", metavar="CASE", help="sync, scan, heatmap (default all)")
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS, help="rows of the year archive")
    parser.add_argument("--rounds", type=int, default=3, help="runs of every contender, alternated")
    parser.add_argument("--no-record", action="store_true", help="print only; do not append to RESULTS.md")
    parser.add_argument("--no-limit-run", action="store_true", help="skip the pandas run under the 6 GB limit")
    args = parser.parse_args(argv)
    unknown = [c for c in args.cases if c not in _CASES]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; choose from {', '.join(_CASES)}")
    if args.rows < YEAR_DAYS or args.rounds < 1:
        parser.error(f"--rows must be at least {YEAR_DAYS} and --rounds at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    """Build or find the archives, run the cases, print and record the figures."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    for stale in WORK.glob(f"grid-{args.rows}-*.json"):
        stale.unlink()
    try:
        chosen = [c for c in cases(args.rows, dask=dask_available()) if c.name.split("-")[1] in (args.cases or _CASES)]
        results = [run_case(case, rounds=args.rounds, log=_log) for case in chosen]
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    notes = _notes(args.rows)
    if not dask_available():
        notes.append("Dask heatmap: apitoolkit.archive.distributed does not exist yet; not measured")
    for name, equal in grids_equal(args.rows).items():
        notes.append(f"{name} heatmap grid {'equals' if equal else 'DIFFERS from'} DuckDB's, cell by cell")
    peaks = _grid_path(args.rows, "dask").with_suffix(".workers")
    if peaks.exists():
        each = ", ".join(f"{peak / 2**20:,.0f} MB" for peak in json.loads(peaks.read_text()))
        notes.append(f"Dask heatmap: the 2 workers' peak RSS (last round) {each}; the table's RSS is the client's")
    if not args.no_limit_run:
        notes.append(f"pandas heatmap (full scan) {limited_pandas(args.rows)}")
    print(report.results_table(results))
    print()
    print(report.targets_table(results))
    print()
    print("\n".join(f"- {note}" for note in notes))
    if not args.no_record:
        report.append(section(args.rows, args.rounds, results, notes))
        print(f"\nAppended to {report.RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
