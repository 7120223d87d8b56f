"""The demo behind ``make demo``: start the emulator, load IT Glue through the public loaders, summarise, and
render every report notebook to HTML."""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TextIO

import pandas as pd

__all__ = ["DEFAULT_PORT", "emulator_port", "environment", "run_demo"]

#: The demo serves the emulator on a fixed port when it is free: the base URL is part of the cache
#: namespace, so a fixed URL lets a rerun come from the cache.
DEFAULT_PORT = 8765


def emulator_port() -> int:
    """`DEFAULT_PORT` when nothing listens on it, else 0 (any free port).

    Example:
        >>> emulator_port() in (DEFAULT_PORT, 0)
        True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return DEFAULT_PORT if probe.connect_ex(("127.0.0.1", DEFAULT_PORT)) != 0 else 0


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the block, then put back what was there.

    Example:
        >>> with environment({"APITOOLKIT_PROGRESS": "0"}):
        ...     os.environ["APITOOLKIT_PROGRESS"]
        '0'
    """
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


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
        port: Port for the emulator (default `DEFAULT_PORT` when free, else any free port).
        reports: Directory for the rendered reports (None: only the summary).
        out: Where to print.

    Example:
        >>> run_demo()  # doctest: +SKIP
    """
    import apitoolkit
    from apitoolkit.config import cache_location
    from apitoolkit.emulator import EmulatorServer

    chosen = port if port is not None else emulator_port()
    started = time.perf_counter()
    with EmulatorServer(port=chosen, seed=seed, size=size) as emulator, environment(emulator.environ()):
        print(f"Emulator serving on {emulator.url} (seed {seed}, size {size}).", file=out)
        print(f"Cache: {cache_location()}", file=out)
        loads: dict[str, pd.DataFrame] = {}
        for name, load in (
            ("users", apitoolkit.load_users),
            ("organizations", apitoolkit.load_organizations),
            ("user metrics (30 days)", apitoolkit.load_user_metrics),
            ("logs (30 days)", apitoolkit.load_logs),
            ("expirations", apitoolkit.load_expirations),
        ):
            t0 = time.perf_counter()
            loads[name] = load()
            frame = loads[name]
            print(
                f"  {name:24s} {len(frame):>7,} rows  {time.perf_counter() - t0:6.2f} s  "
                f"from {apitoolkit.load_source(frame)}",
                file=out,
            )
        if reports is not None:
            from apitoolkit.reports import run_reports

            print(f"\nRendering the reports into {reports}/", file=out)
            rendered = run_reports(None, reports, {"interactive": False}, log=lambda line: print(line, file=out))
    users, metrics = loads["users"], loads["user metrics (30 days)"]
    logs, expirations = loads["logs (30 days)"], loads["expirations"]
    print("\nDate ranges", file=out)
    print(f"  user metrics  {_span(pd.to_datetime(metrics['date'].astype('string')))}", file=out)
    print(f"  logs          {_span(logs['created_at'])}", file=out)
    print(f"  expirations   {_span(expirations['expiration_date'])}", file=out)
    print("\nTop reputations", file=out)
    top = users.nlargest(5, "reputation")
    for row in top.itertuples():
        print(
            f"  {row.first_name} {row.last_name or ''}".ljust(34) + f"{row.role_name:<14}{row.reputation:>10,}",
            file=out,
        )
    due = expirations[(expirations["days_until"] >= 0) & (expirations["days_until"] <= 30)]
    print(f"\nExpirations due in the next 30 days: {len(due)}", file=out)
    for row in due.sort_values("days_until").head(5).itertuples():
        print(
            f"  in {row.days_until:>2} days  {row.resource_type_name or row.resource_type:<18} {row.resource_name}"
            f"  ({row.organization_name})",
            file=out,
        )
    if reports is not None:
        print("\nReports (open in a browser):", file=out)
        for report in rendered:
            print(f"  {report.html.resolve()}", file=out)
    print(f"\nDone in {time.perf_counter() - started:.1f} s; run it again to see the cache at work.", file=out)
    return 0
