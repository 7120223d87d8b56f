"""The demo behind ``make demo``: start the emulator, load IT Glue through the public loaders, summarise, and
render every report notebook to HTML."""

from __future__ import annotations

import os
import socket
import sys
import time
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

import pandas as pd

if TYPE_CHECKING:
    from apitoolkit.emulator import EmulatorApp

__all__ = ["DEFAULT_PORT", "PORTS", "DemoEmulator", "demo_emulator", "display_width", "environment", "fit", "run_demo"]

#: The demo serves the emulator on a fixed port when it can: the base URL is part of the cache namespace, so a
#: fixed URL lets a rerun come from the cache.
DEFAULT_PORT = 8765
#: The ports the demo tries, in order: the first that already serves the same emulator (same seed and size) is
#: reused, else the first free one is served on. A rerun picks the same port again, and so the same cache.
PORTS = tuple(range(DEFAULT_PORT, DEFAULT_PORT + 10))
_PROBE_TIMEOUT = 2.0


@dataclass(frozen=True)
class DemoEmulator:
    """The emulator a demo uses: its root URL, the settings that point clients at it, and whether it was running
    already (started by someone else, e.g. ``apitoolkit emulator``)."""

    url: str
    variables: dict[str, str]
    reused: bool

    def environ(self) -> dict[str, str]:
        """Environment variables pointing clients of every service at this emulator (as `EmulatorServer.environ`)."""
        return dict(self.variables)


@contextmanager
def demo_emulator(*, seed: int = 1, size: str = "small", port: int | None = None) -> Iterator[DemoEmulator]:
    """The emulator with ``seed`` and ``size`` on a stable port for the block: one already serving, else a new one.

    Without ``port``, `PORTS` are tried in order: a port where an apitoolkit emulator with the same seed and size
    answers is reused (it keeps running afterwards); else the first free port gets a new emulator, stopped after
    the block. Only when all of them are taken by something else does it serve on any free port (and a rerun
    then loads again). A given ``port`` is reused when it serves the same emulator, else served on (0: any port).

    Raises:
        OSError: The given ``port`` is taken by something else.

    Example:
        >>> with demo_emulator(seed=1, size="small") as emulator:  # doctest: +SKIP
        ...     emulator.url
        'http://127.0.0.1:8765'
    """
    from apitoolkit.emulator import EmulatorApp, EmulatorServer

    app = EmulatorApp(seed=seed, size=size)
    candidates = PORTS if port is None else (port,) if port else ()
    chosen = 0 if port is None else port
    for candidate in candidates:
        if _same_emulator(candidate, app):
            url = _url(candidate)
            yield DemoEmulator(url, app.environ(url), reused=True)
            return
        if port is None and _listening(candidate) is False:
            chosen = candidate
            break
    with EmulatorServer(port=chosen, app=app) as server:
        yield DemoEmulator(server.url, server.environ(), reused=False)


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(_PROBE_TIMEOUT)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _same_emulator(port: int, app: EmulatorApp) -> bool:
    """Whether an apitoolkit emulator with ``app``'s seed and size answers on ``port``.

    Its health endpoint must name the same services; the IT Glue key of ``app``'s seed must be accepted, and the
    organizations, users and expirations it lists must number as many as ``app`` holds.
    """
    if not _listening(port):
        return False
    health = _get_json(f"{_url(port)}/_emulator/health", {})
    if not isinstance(health, dict) or health.get("status") != "ok" or health.get("services") != sorted(app.services):
        return False
    headers = {"x-api-key": app.environ(_url(port))["ITGLUE_API_KEY"], "accept": "application/vnd.api+json"}
    for resource in ("organizations", "users", "expirations"):
        page = _get_json(f"{_url(port)}/itglue/{resource}?page[size]=1", headers)
        meta = page.get("meta") if isinstance(page, dict) else None
        if not isinstance(meta, dict) or meta.get("total-count") != getattr(app.itglue.default_counts, resource):
            return False
    return True


def _get_json(url: str, headers: Mapping[str, str]) -> object:
    """The JSON a loopback URL answers with, or None (no proxy: the demo's emulator is on this machine)."""
    import urllib.error
    import urllib.request

    import orjson

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, headers=dict(headers)), timeout=_PROBE_TIMEOUT) as response:
            return orjson.loads(response.read())
    except (OSError, ValueError):
        return None


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


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters two, combining marks none.

    Example:
        >>> display_width("Käthe"), display_width("聡太郎 中村")
        (5, 11)
    """
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text
    )


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
        >>> run_demo()  # doctest: +SKIP
    """
    import apitoolkit
    from apitoolkit.analysis import reputation_leaderboard
    from apitoolkit.config import cache_location

    started = time.perf_counter()
    with demo_emulator(seed=seed, size=size, port=port) as emulator, environment(emulator.environ()):
        how = "already serving" if emulator.reused else "serving"
        print(f"Emulator {how} on {emulator.url} (seed {seed}, size {size}).", file=out)
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
    if reports is not None:
        print("\nReports (open in a browser):", file=out)
        for report in rendered:
            print(f"  {report.html.resolve()}", file=out)
    print(f"\nDone in {time.perf_counter() - started:.1f} s; run it again to see the cache at work.", file=out)
    return 0
