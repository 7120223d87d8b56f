"""Fault soak: every loader of every service, round after round, under seeded mixed faults at 10% and 30%.

The invariant of every load: it completes and its frame equals the fault-free load of the same data row for
row, or it raises an `ApiToolkitError` subclass. Never a partial frame, never another exception. The one
documented third outcome is Hitask's delta that cannot reach the service: it returns the stored snapshot with a
`StaleDataWarning` (``load_source == "stale-cache"``), which must equal the snapshot exactly.

Two fault profiles, each at two rates (the share of requests that get at least one fault):

- ``transport``: 429 without ``Retry-After``, with delta-seconds and with an HTTP date; 500; 503 with
  ``Retry-After``; an HTML 502 page from a proxy; a body cut short (fewer bytes than announced) and a body cut in
  half (valid length, invalid JSON); a response held back past the client's read timeout. Expectation: equal.
- ``changing``: the same, plus records added or deleted before list requests (``changing_data``, inserts and
  deletes of the records that sort first, so the pages after them shift). Expectation, since no single
  moment's data can be named: no record twice; every record that existed throughout the load (in the
  fault-free frames before and after it) present, with its fault-free values; records added or deleted during
  the load may or may not appear. In practice the client notices a changed record count, pages the listing
  again from page 1, and after `LISTING_ATTEMPTS` raises `ListingChangedError`.

A load that failed is run once more on the same cache (faults still on), so a cache holding a failed load's
pages is soaked too. Every load uses a fast retry policy and a short read timeout so rounds stay quick; page
sizes are shrunk so every listing has several pages. The fault RNGs are seeded per soak, round and fault; which
request draws which number still depends on thread scheduling (pages and windows are fetched concurrently).

``APITOOLKIT_SOAK_ROUNDS`` (default 2) sets the rounds per soak (``make soak`` runs 25). The figures of each soak
(requests, faults by kind, loads completed and failed by error type, rows lost, duplicated or wrong) are printed
(``pytest -rP`` shows them) and, when ``APITOOLKIT_SOAK_SUMMARY`` names a file, appended to it as a JSON line.
"""

from __future__ import annotations

import json
import os
import time
import traceback
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from apitoolkit import glasshat, happygrasshopper, hitask, itglue
from apitoolkit.emulator import EmulatorApp, EmulatorServer
from apitoolkit.exceptions import ApiToolkitError
from apitoolkit.http.retry import RetryPolicy
from apitoolkit.loading import load_source

ROUNDS = int(os.environ.get("APITOOLKIT_SOAK_ROUNDS", "2"))
SUMMARY = os.environ.get("APITOOLKIT_SOAK_SUMMARY")
RETRY = RetryPolicy(max_attempts=4, backoff=0.005, max_backoff=0.02, max_retry_after=0.02, jitter=0.0)
TIMEOUT = 0.3  # the client's read timeout; `slow` faults hold a response half as long again
PAGE_SIZES = {itglue.loaders: 25, glasshat.loaders: 15, happygrasshopper.loaders: 30}
SERVICES = ("itglue", "hitask", "glasshat", "happygrasshopper")

#: (label, kind, parameters): each fault of a profile draws from its own seeded RNG.
TRANSPORT_FAULTS: list[tuple[str, str, dict[str, Any]]] = [
    ("429", "rate_limit", {}),
    ("429 Retry-After seconds", "rate_limit", {"retry_after": 1}),
    ("429 Retry-After date", "rate_limit", {"retry_after": "http-date"}),
    ("500", "server_error", {}),
    ("503 Retry-After", "server_error", {"status": 503, "retry_after": 1}),
    ("502 HTML page", "html_error", {}),
    ("truncated short", "truncated", {"mode": "short"}),
    ("truncated invalid JSON", "truncated", {"mode": "invalid"}),
    ("slow past timeout", "slow", {"seconds": 1.5 * TIMEOUT}),
]
CHANGING_FAULTS = [
    *TRANSPORT_FAULTS,
    ("records inserted", "changing_data", {"records": 3}),
    ("records deleted", "changing_data", {"records": 2, "change": "delete"}),
]
PROFILES = {"transport": TRANSPORT_FAULTS, "changing": CHANGING_FAULTS}


@dataclass
class Clients:
    """One client per service, all on one cache, made when first used."""

    env: dict[str, str]
    cache: str

    def _options(self) -> dict[str, Any]:
        return {"cache": self.cache, "retry": RETRY, "timeout": TIMEOUT, "max_workers": 3, "rate_limit": (10**6, 1.0)}

    @cached_property
    def itglue(self) -> itglue.ITGlueClient:
        return itglue.ITGlueClient(
            api_key=self.env["ITGLUE_API_KEY"], base_url=self.env["ITGLUE_BASE_URL"], **self._options()
        )

    @cached_property
    def hitask(self) -> hitask.HitaskClient:
        env = self.env
        return hitask.HitaskClient(
            api_key=env["HITASK_API_KEY"],
            login=env["HITASK_LOGIN"],
            password=env["HITASK_PASSWORD"],
            base_url=env["HITASK_BASE_URL"],
            **self._options(),
        )

    @cached_property
    def glasshat(self) -> glasshat.GlasshatClient:
        return glasshat.GlasshatClient(
            api_key=self.env["GLASSHAT_API_KEY"], base_url=self.env["GLASSHAT_BASE_URL"], **self._options()
        )

    @cached_property
    def happygrasshopper(self) -> happygrasshopper.HappyGrasshopperClient:
        env = self.env
        return happygrasshopper.HappyGrasshopperClient(
            api_key=env["HAPPYGRASSHOPPER_API_KEY"], base_url=env["HAPPYGRASSHOPPER_BASE_URL"], **self._options()
        )


@dataclass(frozen=True)
class Case:
    """One loader call; ``prepare`` runs fault-free on the load's cache first and returns what a stale answer
    must equal (Hitask's delta: the snapshot it starts from), or None when no stale answer is allowed."""

    name: str
    load: Callable[[Clients], pd.DataFrame]
    prepare: Callable[[Clients, EmulatorApp, int], pd.DataFrame | None] | None = None


def _days(app: EmulatorApp, days: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    now = pd.Timestamp(app.now)
    return now - pd.Timedelta(days=days), now


def _snapshot_then_change(clients: Clients, app: EmulatorApp, round_: int) -> pd.DataFrame:
    before = hitask.load_items(clients.hitask)
    hitask.flush_snapshots()
    app.hitask.mutate(0.05, seed=round_)
    return before


def _cases(app: EmulatorApp) -> list[Case]:
    metrics, logs = _days(app, 27), _days(app, 3)
    history_item = int(app.hitask.items.records.ids()[5])
    return [
        Case("itglue users", lambda c: itglue.load_users(c.itglue)),
        Case("itglue organizations", lambda c: itglue.load_organizations(c.itglue)),
        Case("itglue expirations", lambda c: itglue.load_expirations(c.itglue, now=app.now)),
        Case("itglue user_metrics", lambda c: itglue.load_user_metrics(*metrics, client=c.itglue)),
        Case("itglue logs", lambda c: itglue.load_logs(*logs, client=c.itglue)),
        Case("hitask items (full)", lambda c: hitask.load_items(c.hitask)),
        Case("hitask items (delta)", lambda c: hitask.load_items(c.hitask), prepare=_snapshot_then_change),
        Case("hitask tags", lambda c: hitask.load_tags(c.hitask)),
        Case("hitask team_members", lambda c: hitask.load_team_members(c.hitask)),
        Case("hitask contacts", lambda c: hitask.load_contacts(c.hitask)),
        Case("hitask item_history", lambda c: hitask.load_item_history(history_item, client=c.hitask)),
        Case("glasshat clients", lambda c: glasshat.load_clients(c.glasshat)),
        Case("glasshat projects", lambda c: glasshat.load_projects(client=c.glasshat)),
        Case("glasshat tasks", lambda c: glasshat.load_tasks(client=c.glasshat)),
        Case("happygrasshopper contacts", lambda c: happygrasshopper.load_contacts(c.happygrasshopper)),
    ]


@dataclass
class Figures:
    """What one soak did and saw; ``violations`` must stay empty."""

    profile: str
    rate: float
    rounds: int
    loads: int = 0
    completed: int = 0
    stale: int = 0
    failed: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    rows_checked: int = 0
    rows_lost: int = 0
    rows_duplicated: int = 0
    rows_wrong: int = 0
    rows_added_during_load: int = 0
    rows_deleted_during_load: int = 0
    seconds: float = 0.0
    violations: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        out = {name: getattr(self, name) for name in self.__dataclass_fields__}
        for name in ("failed", "faults", "warnings"):
            out[name] = dict(sorted(out[name].items()))
        out["violations"] = len(self.violations)
        return {"suite": "soak", **out}


@pytest.fixture(scope="module")
def soak_server() -> Iterator[EmulatorServer]:
    """An emulator of its own (no rate limits: only injected 429s), and listings cut into small pages."""
    with (
        pytest.MonkeyPatch.context() as patch,
        EmulatorServer(port=0, seed=5, size="small", itglue={"logs": 6000}) as server,
    ):
        for module, size in PAGE_SIZES.items():
            patch.setattr(module, "PAGE_SIZE", size)
        for service in SERVICES:
            server.app.configure(service=service, rate_limit=None)
        yield server


def _drain(app: EmulatorApp, profile: str) -> None:
    """Wait for requests still being served: held-back responses apply their data changes late."""
    if profile != "changing":
        return
    deadline = time.monotonic() + 10
    while app.stats.snapshot()["in_flight"] and time.monotonic() < deadline:
        time.sleep(0.02)


def _fault_free(case: Case, env: dict[str, str]) -> pd.DataFrame:
    return case.load(Clients(env, "off"))


def _rows(frame: pd.DataFrame, ids: set[int]) -> list[tuple[Any, ...]]:
    """The rows of ``ids`` by id, as plain tuples (lists as tuples, every missing value as None)."""
    chosen = frame[frame["id"].isin(ids)].sort_values("id", kind="stable")

    def plain(value: Any) -> Any:
        if isinstance(value, list | tuple) or hasattr(value, "tolist"):
            listed = value.tolist() if hasattr(value, "tolist") else value
            return tuple(listed) if isinstance(listed, list) else listed
        return None if value is None or (not isinstance(value, str) and pd.isna(value)) else value

    return [tuple(plain(v) for v in row) for row in chosen.itertuples(index=False)]


def _attempt(case: Case, clients: Clients, figures: Figures, where: str) -> tuple[pd.DataFrame | None, bool]:
    """One load: its frame (None when it failed) and whether it failed with a typed error."""
    figures.loads += 1
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            frame = case.load(clients)
        except ApiToolkitError as error:
            figures.failed[type(error).__name__] += 1
            return None, True
        except Exception as error:  # the soak counts what must never happen
            figures.violations.append(f"{where}: unhandled {type(error).__name__}: {error}\n{traceback.format_exc()}")
            return None, False
        finally:
            hitask.flush_snapshots()  # Hitask stores its snapshot in the background: done before the next load
            figures.warnings.update(type(w.message).__name__ for w in caught)
    return frame, False


def _check(
    frame: pd.DataFrame,
    expected: pd.DataFrame,
    *,
    exact: bool,
    final: pd.DataFrame | None,
    figures: Figures,
    where: str,
) -> None:
    """Count and record what the completed load got wrong against the fault-free frames."""
    ids = set(frame["id"])
    throughout = set(expected["id"]) if final is None else set(expected["id"]) & set(final["id"])
    figures.rows_checked += len(frame)
    duplicated = len(frame) - len(ids)
    lost = len(throughout - ids)
    pairs = [] if lost else zip(_rows(frame, throughout), _rows(expected, throughout), strict=True)
    wrong = sum(got != want for got, want in pairs)
    figures.rows_duplicated += duplicated
    figures.rows_lost += lost
    figures.rows_wrong += wrong
    if final is not None:
        figures.rows_added_during_load += len(ids - set(expected["id"]))
        figures.rows_deleted_during_load += len(set(expected["id"]) - set(final["id"]))
    if duplicated or lost or wrong:
        figures.violations.append(f"{where}: {duplicated} duplicated, {lost} lost, {wrong} wrong rows")
    elif exact:
        clean = frame.copy(deep=False)
        clean.attrs = {}
        try:
            pd.testing.assert_frame_equal(clean, expected)
        except AssertionError as error:
            figures.violations.append(f"{where}: differs from the fault-free load: {error}")


def _add_faults(app: EmulatorApp, profile: str, rate: float, round_: int) -> None:
    faults = PROFILES[profile]
    each = 1 - (1 - rate) ** (1 / len(faults))  # so that about `rate` of the requests draw at least one fault
    for index, (label, kind, params) in enumerate(faults):
        seed = zlib.crc32(f"{profile}/{rate}/{round_}/{label}".encode())
        app.faults.add(kind, rate=each, seed=seed + index, **params)


def _count_faults(app: EmulatorApp, profile: str, figures: Figures) -> None:
    for (label, _, _), fault in zip(PROFILES[profile], app.faults.describe(), strict=True):
        figures.faults[label] += fault["injected"]


def _soak(server: EmulatorServer, profile: str, rate: float, rounds: int, tmp: Path) -> Figures:
    app, env = server.app, server.environ()
    figures = Figures(profile, rate, rounds)
    started = time.perf_counter()
    app.reset()
    cases = _cases(app)
    references = {case.name: _fault_free(case, env) for case in cases if case.prepare is None}
    for round_ in range(rounds):
        for number, case in enumerate(cases):
            where = f"{profile} {rate:.0%} round {round_} {case.name}"
            _drain(app, profile)
            app.reset()
            clients_dir = str(tmp / f"{round_}-{number}")
            stale_ok = case.prepare(Clients(env, clients_dir), app, round_) if case.prepare else None
            expected = references.get(case.name)
            if expected is None:
                expected = _fault_free(case, env)
            before = app.stats.snapshot()["total"]
            _add_faults(app, profile, rate, round_)
            frame, failed = _attempt(case, Clients(env, clients_dir), figures, where)
            if failed:  # once more on the cache the failed load left behind
                frame, _ = _attempt(case, Clients(env, clients_dir), figures, f"{where} (again)")
            _drain(app, profile)
            figures.requests += app.stats.snapshot()["total"] - before
            _count_faults(app, profile, figures)
            app.faults.clear()
            if frame is None:
                continue
            figures.completed += 1
            if load_source(frame) == "stale-cache" and stale_ok is not None:
                figures.stale += 1
                _check(frame, stale_ok, exact=True, final=None, figures=figures, where=f"{where} (stale)")
                continue
            final = _fault_free(case, env) if profile == "changing" else None
            _check(frame, expected, exact=profile == "transport", final=final, figures=figures, where=where)
    figures.seconds = round(time.perf_counter() - started, 2)
    return figures


def _report(figures: Figures) -> None:
    summary = figures.as_json()
    print(json.dumps(summary, ensure_ascii=False))
    if SUMMARY:
        with open(SUMMARY, "a", encoding="utf-8") as out:
            out.write(json.dumps(summary, ensure_ascii=False) + "\n")


@pytest.mark.slow
@pytest.mark.timeout(120 + 30 * ROUNDS)
@pytest.mark.parametrize("rate", [0.1, 0.3], ids=["10%", "30%"])
@pytest.mark.parametrize("profile", list(PROFILES))
def test_soak__every_loader_completes_exactly_or_fails_typed(
    soak_server: EmulatorServer, profile: str, rate: float, tmp_path: Path
) -> None:
    figures = _soak(soak_server, profile, rate, ROUNDS, tmp_path)
    _report(figures)
    assert not figures.violations, "\n".join(figures.violations[:5])
    assert figures.completed and sum(figures.faults.values())
    assert figures.rows_lost == figures.rows_duplicated == figures.rows_wrong == 0
