"""Crash safety: a load killed with SIGKILL at any point leaves a cache from which the next load is right.

Each crash point runs one load in a child process (`tests.integration.crashing_load`) against an emulator in
this process, and kills it there: from the emulator as the n-th matching request arrives (mid-paging), or from
inside the child at a hook (a listing's pages staged but not committed, its commit left uncommitted, a frame or
Hitask snapshot half written, complete but not renamed, just renamed, a delta merge under way). The next load, in
this process, on the same cache and with no faults, must succeed (without waiting for the dead process's lock) and
equal a fault-free load.

Hitask's delta points start from a snapshot of a first full load, after which the emulator's items change.
With ``APITOOLKIT_SOAK_SUMMARY`` naming a file, one JSON line per crash point is appended to it.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from apitoolkit import glasshat, happygrasshopper, hitask, itglue
from apitoolkit.emulator import EmulatorApp, EmulatorServer
from tests.helpers import FAST_RETRY
from tests.integration.crashing_load import PAGE_SIZES, loaders

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = os.environ.get("APITOOLKIT_SOAK_SUMMARY")


class KillingApp(EmulatorApp):
    """The emulator, able to SIGKILL a client process as the n-th request whose path matches arrives."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._lock = threading.Lock()
        self.arm(None, "", 0)

    def arm(self, pid: int | None, path: str, n: int) -> None:
        """Kill process ``pid`` when the ``n``-th request matching ``path`` (a regex) arrives."""
        with self._lock:
            self._pid, self._path, self._left = pid, re.compile(path), n

    def __call__(self, environ: Any, start_response: Any) -> Iterable[bytes]:
        with self._lock:
            if self._pid is not None and self._path.search(environ.get("PATH_INFO", "")):
                self._left -= 1
                if self._left == 0:
                    os.kill(self._pid, signal.SIGKILL)
                    self._pid = None
        return super().__call__(environ, start_response)


@dataclass(frozen=True)
class Point:
    """A crash point: the loader, where it dies (``kill_path``/``kill_at`` from the emulator, else ``hook``),
    and whether it starts from a stored Hitask snapshot (a delta)."""

    id: str
    loader: str
    hook: str = "none"
    kill_path: str = ""
    kill_at: int = 0
    delta: bool = False


POINTS = [
    Point("users: last page (2 of 2) requested", "users", kill_path=r"/itglue/users$", kill_at=2),
    Point("expirations: page 5 of 12 requested", "expirations", kill_path=r"/itglue/expirations$", kill_at=5),
    Point("users: HTTP-cache commit of the listing left uncommitted", "users", hook="http-write-uncommitted:1"),
    Point("expirations: 7th page staged, listing not committed", "expirations", hook="http-staged:7"),
    Point("users: frame half written", "users", hook="frame-half-written:1"),
    Point("users: frame written, not renamed", "users", hook="frame-before-rename:1"),
    Point("users: frame just renamed", "users", hook="frame-after-rename:1"),
    Point("logs: 12th request of the day walk", "logs", kill_path=r"/itglue/logs$", kill_at=12),
    Point("logs: second day's frame just renamed", "logs", hook="frame-after-rename:2"),
    Point("glasshat tasks: 8th task listing requested", "tasks", kill_path=r"/tasks$", kill_at=8),
    Point("glasshat tasks: 6th frame written, not renamed", "tasks", hook="frame-before-rename:6"),
    Point("happygrasshopper contacts: page 4 of 7 requested", "contacts", kill_path=r"/contacts$", kill_at=4),
    Point("hitask full load: item listing requested", "items", kill_path=r"/hitask/item$", kill_at=1),
    Point("hitask full load: first snapshot half written", "items", hook="snapshot-half-written:1"),
    Point("hitask delta: delta requested", "items", kill_path=r"/hitask/item/delta/", kill_at=1, delta=True),
    Point("hitask delta: merge starting", "items", hook="merge-start:1", delta=True),
    Point("hitask delta: merged, snapshot not yet handed over", "items", hook="merge-done:1", delta=True),
    Point("hitask delta: snapshot half written", "items", hook="snapshot-half-written:1", delta=True),
    Point("hitask delta: snapshot written, not renamed", "items", hook="snapshot-before-rename:1", delta=True),
    Point("hitask delta: snapshot just renamed", "items", hook="snapshot-after-rename:1", delta=True),
]


@pytest.fixture(scope="module")
def crash_server() -> Iterator[EmulatorServer]:
    """An emulator that can kill clients (no rate limits), and listings cut into the children's page sizes."""
    app = KillingApp(seed=9, size="small", itglue={"logs": 6000})
    with pytest.MonkeyPatch.context() as patch, EmulatorServer(port=0, app=app) as server:
        for module, size in PAGE_SIZES.items():
            patch.setattr(module, "PAGE_SIZE", size)
        for service in ("itglue", "hitask", "glasshat", "happygrasshopper"):
            app.configure(service=service, rate_limit=None)
        yield server


def _client(service: str, env: dict[str, str], cache: str) -> Any:
    options: dict[str, Any] = {"cache": cache, "retry": FAST_RETRY, "rate_limit": (10**6, 1.0)}
    if service == "items":
        return hitask.HitaskClient(
            api_key=env["HITASK_API_KEY"],
            login=env["HITASK_LOGIN"],
            password=env["HITASK_PASSWORD"],
            base_url=env["HITASK_BASE_URL"],
            **options,
        )
    if service == "tasks":
        return glasshat.GlasshatClient(api_key=env["GLASSHAT_API_KEY"], base_url=env["GLASSHAT_BASE_URL"], **options)
    if service == "contacts":
        return happygrasshopper.HappyGrasshopperClient(
            api_key=env["HAPPYGRASSHOPPER_API_KEY"], base_url=env["HAPPYGRASSHOPPER_BASE_URL"], **options
        )
    return itglue.ITGlueClient(api_key=env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], **options)


def _load(point: Point, env: dict[str, str], cache: str, now: pd.Timestamp) -> pd.DataFrame:
    frame = loaders(now)[point.loader](_client(point.loader, env, cache))
    hitask.flush_snapshots()
    return frame


@pytest.mark.parametrize("point", POINTS, ids=[p.id for p in POINTS])
def test_crash__next_load_after_sigkill_equals_a_fault_free_load(
    crash_server: EmulatorServer, point: Point, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app: KillingApp = crash_server.app  # type: ignore[assignment]
    app.reset()
    env, now = crash_server.environ(), pd.Timestamp(app.now)
    monkeypatch.setattr(hitask.loaders, "_recent", {})  # what this process stored stays out of the child's way
    if point.delta:
        _load(point, env, str(cache_dir), now)
        app.hitask.mutate(0.05, seed=1)
        hitask.loaders._recent.clear()

    child_env = {**os.environ, **env, "APITOOLKIT_CACHE": str(cache_dir), "APITOOLKIT_PROGRESS": "0"}
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.crashing_load", point.loader, point.hook, now.isoformat()],
        cwd=ROOT,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if point.kill_path:
        app.arm(child.pid, point.kill_path, point.kill_at)
    try:
        out, err = child.communicate(timeout=120)
    finally:
        app.arm(None, "", 0)
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL, f"the crash point was not reached: {out!r} {err.decode()[-2000:]}"

    expected = _load(point, env, "off", now)
    recovery = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = _load(point, env, str(cache_dir), now)
    recovery = time.perf_counter() - recovery
    leftovers = sorted(p.name for p in cache_dir.rglob(".tmp-*"))
    _report(point, frame, caught, recovery, leftovers, time.perf_counter() - started)
    clean = frame.copy(deep=False)
    clean.attrs = {}
    pd.testing.assert_frame_equal(clean, expected)
    assert recovery < 20, "the next load waited for the killed process"
    assert not [w for w in caught if "SyncWarning" in type(w.message).__name__], [str(w.message) for w in caught]


def _report(
    point: Point, frame: pd.DataFrame, caught: list[Any], recovery: float, leftovers: list[str], seconds: float
) -> None:
    line = {
        "suite": "crash",
        "point": point.id,
        "killed": "emulator" if point.kill_path else point.hook,
        "next_load_source": (frame.attrs.get("apitoolkit") or {}).get("source"),
        "next_load_seconds": round(recovery, 3),
        "warnings": sorted({type(w.message).__name__ for w in caught}),
        "leftover_temp_files": len(leftovers),
        "seconds": round(seconds, 2),
    }
    print(json.dumps(line))
    if SUMMARY:
        with open(SUMMARY, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
