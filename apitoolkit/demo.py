"""The demo behind ``make demo``: start the emulator, load IT Glue through the public loaders, summarise, build a
history archive by syncing over simulated weeks, and render every report notebook (trends from that archive) to
HTML."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from apitoolkit.analysis import reputation_leaderboard
from apitoolkit.archive import Archive
from apitoolkit.config import cache_location
from apitoolkit.emulator.core.server import DEFAULT_PORT, PORTS, SharedEmulator, shared_emulator
from apitoolkit.envvars import emulator_environment, environment
from apitoolkit.itglue import load_expirations, load_logs, load_organizations, load_user_metrics, load_users
from apitoolkit.loading import load_source
from apitoolkit.reports import Rendered, run_reports

__all__ = [
    "DEFAULT_PORT",
    "HISTORY_WEEKS",
    "PORTS",
    "DemoEmulator",
    "build_demo_archive",
    "demo_emulator",
    "display_width",
    "environment",
    "fit",
    "run_demo",
]

#: Weeks of simulated history the demo archive holds (one sync per simulated week, the emulator's clock advanced).
HISTORY_WEEKS = 26

#: The emulator a demo uses, and how it is found or started (their home is `apitoolkit.emulator.core.server`).
DemoEmulator = SharedEmulator
demo_emulator = shared_emulator

#: What the demo loads, in order, by the name its summary gives each.
LOADS: tuple[tuple[str, Callable[[], pd.DataFrame]], ...] = (
    ("users", load_users),
    ("organizations", load_organizations),
    ("user metrics (30 days)", load_user_metrics),
    ("logs (30 days)", load_logs),
    ("expirations", load_expirations),
)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters two, combining marks none.

    Example:
        >>> display_width("Käthe"), display_width("聡太郎 中村")
        (5, 11)
    """
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns, or cut to fit with a trailing "…".

    Example:
        >>> fit("聡太郎 中村", 14) + "|", fit("Kolonko-Banek Sp.k.", 10) + "|"
        ('聡太郎 中村   |', 'Kolonko-B…|')
    """
    if display_width(text) > width:
        cut = ""
        for char in text:
            if display_width(cut + char) > width - 1:
                break
            cut += char
        text = cut + "…"
    return text + " " * (width - display_width(text))


def _text(value: object) -> str:
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else str(value)


def _span(series: pd.Series) -> str:
    if series.dropna().empty:
        return "-"
    return f"{series.min():%Y-%m-%d} .. {series.max():%Y-%m-%d}"


def run_demo(
    *,
    size: str = "small",
    seed: int = 1,
    port: int | None = None,
    reports: str | os.PathLike[str] | None = "reports",
    out: TextIO = sys.stdout,
) -> int:
    """Serve the emulator, load IT Glue through the loaders, print a summary, render the reports to HTML.

    Args:
        size: Emulator data size (``small``, ``medium``, ``large``).
        seed: Emulator seed.
        port: Port for the emulator (default: see `demo_emulator`; an emulator with the same seed and size
            already serving on one of `PORTS` is used, so a rerun comes from the cache).
        reports: Directory for the rendered reports (None: only the summary).
        out: Where to print.

    Example:
        >>> run_demo()  # fills your cache, serves the emulator, runs Jupyter kernels  # doctest: +SKIP
    """
    started = time.perf_counter()
    rendered: list[Rendered] = []
    with emulator_environment(seed=seed, size=size, port=port) as emulator:
        how = "already serving" if emulator.reused else "serving"
        print(f"Emulator {how} on {emulator.url} (seed {seed}, size {size}).", file=out)
        print(f"Cache: {cache_location()}", file=out)
        loads = _load_all(out)
        if reports is not None:
            history = build_demo_archive(Path(reports) / "demo-archive", seed=seed, size=size, out=out)
            print(f"\nRendering the reports into {reports}/", file=out)
            with environment({"APITOOLKIT_ARCHIVE": history.location}):
                rendered = run_reports(None, reports, {"interactive": False}, log=lambda line: print(line, file=out))
    _print_summary(loads, out)
    if reports is not None:
        print("\nReports (open in a browser):", file=out)
        for report in rendered:
            print(f"  {report.html.resolve()}", file=out)
    print(f"\nDone in {time.perf_counter() - started:.1f} s; run it again to see the cache at work.", file=out)
    return 0


def build_demo_archive(
    location: str | os.PathLike[str],
    *,
    seed: int = 1,
    size: str = "small",
    weeks: int = HISTORY_WEEKS,
    out: TextIO = sys.stdout,
) -> Archive:
    """An archive of ``weeks`` of simulated history at ``location`` (kept and reused when it is already there).

    An in-process emulator starts ``weeks`` weeks ago (midnight UTC); the archive is synced, the emulator's clock
    moved a week on, synced again, up to today. The archive is built beside ``location`` and moved into place
    when whole, so an interrupted demo leaves none half built. Its own cache is thrown away afterwards.

    Example:
        >>> build_demo_archive("/tmp/demo-archive", weeks=4).info()["rows"].sum() > 0  # doctest: +SKIP
        True
    """
    from apitoolkit.emulator import mock_emulator

    target = Path(location)
    if (target / "itglue" / "logs").is_dir():
        print(f"\nHistory archive: {target} (kept from an earlier demo; delete it to build it again)", file=out)
        return Archive(target)
    began = time.perf_counter()
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(weeks=weeks)
    print(f"\nBuilding the history archive: {weeks} weekly syncs from {start:%Y-%m-%d} ...", file=out)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".demo-archive-") as building:
        archive = Archive(Path(building) / "archive")
        with mock_emulator(seed=seed, size=size, now=start) as emulator, tempfile.TemporaryDirectory() as cache:
            _simulate(archive, emulator, cache, weeks)
        archive.compact()
        shutil.rmtree(target, ignore_errors=True)
        os.replace(Path(building) / "archive", target)
    history = Archive(target)
    rows = history.info()
    print(
        f"History archive: {target}, {int(rows['rows'].sum()):,} rows in {len(rows)} tables, "
        f"{time.perf_counter() - began:.1f} s (APITOOLKIT_ARCHIVE={target} apitoolkit archive info)",
        file=out,
    )
    return history


def _simulate(archive: Archive, emulator: Any, cache: str, weeks: int) -> None:
    """Sync ``archive`` now and after each of ``weeks`` weeks of the emulator's clock (its own cache)."""
    with environment({**emulator.environ(), "APITOOLKIT_CACHE": cache}):
        archive.sync(now=emulator.now)
        for _ in range(weeks):
            archive.sync(now=emulator.advance(timedelta(days=7)))


def _load_all(out: TextIO) -> dict[str, pd.DataFrame]:
    """Every frame of `LOADS`, each announced with its rows, seconds and source as it arrives."""
    loads: dict[str, pd.DataFrame] = {}
    for name, load in LOADS:
        began = time.perf_counter()
        frame = loads[name] = load()
        print(
            f"  {name:24s} {len(frame):>7,} rows  {time.perf_counter() - began:6.2f} s  from {load_source(frame)}",
            file=out,
        )
    return loads


def _print_summary(loads: dict[str, pd.DataFrame], out: TextIO) -> None:
    """The demo's summary of the frames of `LOADS`: date ranges, top reputations, expirations due in 30 days."""
    users, metrics = loads["users"], loads["user metrics (30 days)"]
    logs, expirations = loads["logs (30 days)"], loads["expirations"]
    print("\nDate ranges", file=out)
    print(f"  user metrics  {_span(pd.to_datetime(metrics['date'].astype('string')))}", file=out)
    print(f"  logs          {_span(logs['created_at'])}", file=out)
    print(f"  expirations   {_span(expirations['expiration_date'])}", file=out)
    print("\nTop reputations", file=out)
    for row in reputation_leaderboard(users, top=5).itertuples():
        rank = "" if pd.isna(row.rank) else str(row.rank)
        points = "" if pd.isna(row.reputation) else f"{row.reputation:,}"
        print(f"  {rank:>3}  {fit(_text(row.name), 30)}  {fit(_text(row.role_name), 14)}{points:>8}", file=out)
    due = expirations[(expirations["days_until"] >= 0) & (expirations["days_until"] <= 30)]
    print(f"\nExpirations due in the next 30 days: {len(due)}", file=out)
    for row in due.sort_values("days_until", kind="stable").head(5).itertuples():
        kind = _text(row.resource_type_name) or _text(row.resource_type)
        what = f"{fit(kind, 18)} {fit(_text(row.resource_name), 20)}"
        print(f"  in {row.days_until:>2} days  {what}  ({_text(row.organization_name)})", file=out)
