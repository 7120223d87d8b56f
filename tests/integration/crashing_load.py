"""One load in a process of its own that kills itself with SIGKILL at a named point (see test_crash.py).

Run as ``python -m tests.integration.crashing_load <loader> <point> <now>``: the clients come from the
environment (base URLs, credentials, ``APITOOLKIT_CACHE``). ``<point>`` is ``none`` (the parent kills the process
from the emulator) or ``<hook>:<n>``, dying at the n-th time the hook is reached (`HOOKS`). A process that ends
without being killed prints ``finished``.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

import pandas as pd
import pyarrow as pa

from apitoolkit import glasshat, happygrasshopper, hitask, itglue
from apitoolkit.stores import files, tables

#: Page sizes small enough for several pages per listing; the parent's loads use the same (they are cache keys).
PAGE_SIZES = {itglue.loaders: 25, glasshat.loaders: 15, happygrasshopper.loaders: 30}


def loaders(now: pd.Timestamp) -> dict[str, Callable[..., pd.DataFrame]]:
    """The loaders by name; each takes the client of its service (None: from the environment)."""
    return {
        "users": lambda client=None: itglue.load_users(client),
        "expirations": lambda client=None: itglue.load_expirations(client, now=now),
        "logs": lambda client=None: itglue.load_logs(now - pd.Timedelta(days=3), now, client=client),
        "tasks": lambda client=None: glasshat.load_tasks(client=client),
        "contacts": lambda client=None: happygrasshopper.load_contacts(client),
        "items": lambda client=None: hitask.load_items(client),
    }


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class _Countdown:
    """True on the n-th call (thread-safe)."""

    def __init__(self, n: int) -> None:
        self.left = n
        self.lock = threading.Lock()

    def __call__(self) -> bool:
        with self.lock:
            self.left -= 1
            return self.left == 0


def _file_hooks(target: str, due: Callable[[], bool], when: str) -> None:
    write_table, replace = tables.write_table, os.replace

    def half_written(table: pa.Table, sink: Any, fmt: str) -> None:
        if fmt != target or when != "half" or not due():
            write_table(table, sink, fmt)
            return
        buffer = pa.BufferOutputStream()
        write_table(table, buffer, fmt)
        data = buffer.getvalue()
        sink.write(data[: len(data) // 2])
        sink.flush()
        _die()

    def renamed(src: Any, dst: Any) -> None:
        ours = str(dst).endswith(f".{target}") and when in ("before", "after") and due()
        if ours and when == "before":
            _die()
        replace(src, dst)
        if ours:
            _die()

    files.write_table = half_written  # type: ignore[attr-defined]
    os.replace = renamed  # type: ignore[assignment]


def _http_write_hook(due: Callable[[], bool]) -> None:
    """Die at the stage's COMMIT: the open transaction has copied the pages into the cache's table."""
    from apitoolkit.http.backends import SQLiteHttpCache

    commit = SQLiteHttpCache._commit_prepared

    def uncommitted(self: SQLiteHttpCache, stage: Any) -> None:
        if due():
            _die()
        commit(self, stage)

    SQLiteHttpCache._commit_prepared = uncommitted  # type: ignore[method-assign]


def _http_stage_hook(due: Callable[[], bool]) -> None:
    """Die once a page is staged: the listing is half fetched, nothing of it committed."""
    from apitoolkit.http.backends import SQLiteHttpCache

    stage_response = SQLiteHttpCache._stage_response

    def staged(self: SQLiteHttpCache, stage: Any, key: str, response: Any) -> None:
        stage_response(self, stage, key, response)
        if due():
            _die()

    SQLiteHttpCache._stage_response = staged  # type: ignore[method-assign]


def _merge_hook(due: Callable[[], bool], when: str) -> None:
    merge = hitask.loaders._merge

    def merging(*args: Any) -> pa.Table:
        if when == "start" and due():
            _die()
        merged = merge(*args)
        if when == "done" and due():
            _die()
        return merged

    hitask.loaders._merge = merging  # type: ignore[assignment]


#: Where a process can be made to die: the hook, and how it is installed for the n-th time it is reached.
HOOKS: dict[str, Callable[[Callable[[], bool]], None]] = {
    "http-write-uncommitted": _http_write_hook,
    "http-staged": _http_stage_hook,
    "frame-half-written": lambda due: _file_hooks("parquet", due, "half"),
    "frame-before-rename": lambda due: _file_hooks("parquet", due, "before"),
    "frame-after-rename": lambda due: _file_hooks("parquet", due, "after"),
    "snapshot-half-written": lambda due: _file_hooks("arrow", due, "half"),
    "snapshot-before-rename": lambda due: _file_hooks("arrow", due, "before"),
    "snapshot-after-rename": lambda due: _file_hooks("arrow", due, "after"),
    "merge-start": lambda due: _merge_hook(due, "start"),
    "merge-done": lambda due: _merge_hook(due, "done"),
}


def main(argv: list[str]) -> None:
    name, point, now = argv
    for module, size in PAGE_SIZES.items():
        module.PAGE_SIZE = size  # type: ignore[attr-defined]
    if point != "none":
        hook, _, n = point.partition(":")
        HOOKS[hook](_Countdown(int(n or 1)))
    loaders(pd.Timestamp(now))[name]()
    hitask.flush_snapshots()
    print("finished", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
