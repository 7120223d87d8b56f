"""A writer killed at random points (SIGKILL, seeded delays, several rounds) leaves only whole commits behind."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from apitoolkit.archive import Archive
from tests.integration.archive.frames import logs

ROOT = Path(__file__).resolve().parents[3]
#: Ids per write (one commit each); a writer would write `BATCHES` of them if left alone.
BATCH, BATCHES = 50, 400
#: Each round's ids start here times the round, so rounds never share a batch.
ROUND_IDS = 100_000


def _writer(location: str, first: int) -> subprocess.Popen[bytes]:
    last = first + BATCH * BATCHES
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.archive.writer", location, "logs", "lock", str(first), str(last),
         str(BATCH), str(BATCH)],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _kill(writer: subprocess.Popen[bytes]) -> None:
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)


def _assert_whole_commits(archive: Archive) -> int:
    """Every reader sees whole batches only, each id once; returns the rows."""
    ids = archive.scan("itglue", "logs", columns=["id"])["id"]
    assert ids.is_unique, ids[ids.duplicated()].tolist()[:10]
    per_batch = ids.floordiv(BATCH).value_counts()
    assert (per_batch == BATCH).all(), per_batch[per_batch != BATCH].to_dict()
    counted = archive.sql("SELECT count(*) AS n FROM itglue_logs")["n"].iloc[0]
    assert int(counted) == len(ids) == archive.info().set_index("resource").loc["logs", "rows"]
    return len(ids)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [17])
def test_crash__a_writer_killed_at_random_leaves_whole_commits(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    location = str(tmp_path / "archive")
    archive = Archive(location)
    rows = 0
    for round_ in range(5):
        writer = _writer(location, round_ * ROUND_IDS)
        if round_ == 0:  # anywhere from the imports to the table's first commit
            time.sleep(rng.uniform(0.5, 2.5))
        else:  # while batches are being committed
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == b"ready"
            time.sleep(rng.uniform(0.0, 0.8))
        _kill(writer)
        assert writer.returncode == -signal.SIGKILL  # it was still writing: the kill landed mid-run
        if round_ == 0 and archive.store("itglue", "logs").open() is None:
            continue  # killed before its first commit: no table, nothing to see
        now = _assert_whole_commits(archive)
        assert now >= rows
        rows = now
    assert rows > 0
    assert archive.write("itglue", "logs", logs(range(9 * ROUND_IDS, 9 * ROUND_IDS + BATCH))) == BATCH
    assert _assert_whole_commits(archive) == rows + BATCH
    before = archive.scan("itglue", "logs")
    archive.compact()  # removes the files of the killed commits; the rows stay
    pd.testing.assert_frame_equal(archive.scan("itglue", "logs"), before)
