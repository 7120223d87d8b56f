"""A child process writing to an archive, for the concurrency and crash tests.

``python -m tests.integration.archive.writer <location> <kind> <lock> <first> <last> <step> <batch> [redis]``

- kind ``logs``: writes log ids ``first``..``last`` in batches of ``batch`` ids, each batch starting ``step``
  ids after the previous (overlapping batches when ``step < batch``); prints ``ready`` after the first batch
  and ``done`` at the end.
- kind ``users``: writes the same users snapshot (day 2026-11-23) ``last - first`` times.
- lock ``lock`` writes through `Archive.write` (the writer lock: a file lock, or Redis when ``redis`` is given);
  ``nolock`` through a `DeltaStore` whose lock location is off, so only the Delta commit keeps rows once.

With ``ARCHIVE_TEST_BARRIER`` set to a directory, two writers start writing together (after their imports).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pandas as pd

from apitoolkit.archive import Archive
from apitoolkit.archive.store import DeltaStore
from apitoolkit.archive.sync import write_frame
from tests.integration.archive.frames import logs, users

#: The day the users snapshots are taken.
SNAPSHOT_NOW = pd.Timestamp("2026-11-23 12:00", tz="UTC")


def _writer(location: str, lock: str, resource: str, redis: str | None) -> tuple[Archive, DeltaStore | None]:
    archive = Archive(location, redis=redis)
    if lock == "lock":
        return archive, None
    return archive, DeltaStore(archive.place, archive.store("itglue", resource).spec, locks=None)


def _barrier(writers: int) -> None:
    """With ``ARCHIVE_TEST_BARRIER`` (a directory) set: wait until ``writers`` writers are ready, so the first
    writes race (the table does not exist yet for either)."""
    where = os.environ.get("ARCHIVE_TEST_BARRIER")
    if not where:
        return
    Path(where, f"ready-{os.getpid()}").touch()
    deadline = time.monotonic() + 60
    while len(list(Path(where).glob("ready-*"))) < writers and time.monotonic() < deadline:
        time.sleep(0.005)


def main(argv: list[str]) -> int:
    """Run the writes the arguments describe (see the module docstring)."""
    location, kind, lock, first, last, step, batch = argv[:7]
    redis = argv[7] if len(argv) > 7 else None
    resource = "logs" if kind == "logs" else "users"
    archive, bare = _writer(location, lock, resource, redis)
    _barrier(2)
    start, stop, stride, size = int(first), int(last), int(step), int(batch)
    rounds = range(start, stop, stride) if kind == "logs" else range(stop - start)
    for n, at in enumerate(rounds):
        frame = logs(range(at, min(at + size, stop))) if kind == "logs" else users(size)
        if bare is None:
            archive.write("itglue", resource, frame, now=SNAPSHOT_NOW)
        else:
            write_frame(bare, frame, SNAPSHOT_NOW)
        if n == 0:
            print("ready", flush=True)
    print("done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
