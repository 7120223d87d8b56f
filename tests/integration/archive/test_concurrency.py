"""Two processes writing one archive at once: rows stay exactly once, a day keeps one snapshot.

Each case runs with the writer lock (a file lock in ``<archive>/.apitoolkit/locks``, or Redis) and without it
(a `DeltaStore` whose lock location is off), where the Delta commit alone must keep the rows right; on S3 there
is no lock without Redis, so the commit holds alone there too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from apitoolkit.archive import Archive
from tests.s3server import S3Bucket

ROOT = Path(__file__).resolve().parents[3]
#: Log ids each writer covers: the first from 0, the second from `SHIFT`, batches overlapping each other.
LAST, STEP, BATCH, SHIFT = 240, 40, 60, 20
#: Users in the snapshot, and how many times each writer takes it.
USERS, SNAPSHOTS = 30, 4


def _run_two(location: str, kind: str, lock: str, redis: str | None = None) -> None:
    """Start two writers, let them begin writing together, and wait for both (each must finish cleanly)."""
    shifts = (0, SHIFT) if kind == "logs" else (0, 0)
    last = LAST if kind == "logs" else SNAPSHOTS
    size = BATCH if kind == "logs" else USERS
    barrier = tempfile.mkdtemp(prefix="barrier-")
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integration.archive.writer", location, kind, lock, str(shift),
             str(last + shift), str(STEP), str(size), *([redis] if redis else [])],
            cwd=ROOT, env={**os.environ, "ARCHIVE_TEST_BARRIER": barrier},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for shift in shifts
    ]  # fmt: skip
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err.decode()[-3000:]
        assert out.decode().split() == ["ready", "done"]


def _assert_logs_once(archive: Archive) -> None:
    ids = archive.scan("itglue", "logs", columns=["id"])["id"]
    assert ids.is_unique, ids[ids.duplicated()].tolist()[:20]
    assert sorted(ids.tolist()) == list(range(0, LAST + SHIFT))
    assert archive.info().set_index("resource").loc["logs", "rows"] == LAST + SHIFT


def _assert_one_snapshot(archive: Archive) -> None:
    users = archive.scan("itglue", "users")
    assert users["snapshot_date"].astype("str").unique().tolist() == ["2026-11-23"]
    assert users["id"].is_unique, users["id"].value_counts().head().to_dict()
    assert len(users) == USERS


@pytest.mark.parametrize("lock", ["lock", "nolock"])
def test_concurrency__two_writers_of_overlapping_logs_keep_each_id_once(tmp_path: Path, lock: str) -> None:
    location = str(tmp_path / "archive")
    _run_two(location, "logs", lock)
    _assert_logs_once(Archive(location))
    locks = tmp_path / "archive" / ".apitoolkit" / "locks"
    assert locks.is_dir() == (lock == "lock")  # the lock was taken where it is said to live, or not at all


@pytest.mark.parametrize("lock", ["lock", "nolock"])
def test_concurrency__two_snapshots_of_the_same_day_leave_one(tmp_path: Path, lock: str) -> None:
    location = str(tmp_path / "archive")
    _run_two(location, "users", lock)
    _assert_one_snapshot(Archive(location))


@pytest.mark.slow
def test_concurrency__on_s3_the_commit_alone_keeps_rows_once(s3_bucket: S3Bucket) -> None:
    _run_two(s3_bucket.location, "logs", "lock")  # an S3 archive without Redis has no writer lock
    _assert_logs_once(Archive(s3_bucket.location))


@pytest.mark.slow
def test_concurrency__on_s3_two_snapshots_of_the_same_day_leave_one(s3_bucket: S3Bucket) -> None:
    _run_two(s3_bucket.location, "users", "lock")
    _assert_one_snapshot(Archive(s3_bucket.location))


def test_concurrency__two_writers_sharing_a_redis_lock(tmp_path: Path, redis_url: str) -> None:
    location = str(tmp_path / "archive")
    _run_two(location, "logs", "lock", redis_url)
    _assert_logs_once(Archive(location))
    assert not (tmp_path / "archive" / ".apitoolkit").exists()  # the lock lived in Redis, not beside the archive
