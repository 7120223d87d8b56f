"""Smoke test of the benchmark harness: all cases run end to end on small data and report every contender."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.cases import scaling

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 3000
CONTENDERS = {
    "flatten": {"json_normalize", "pyarrow_floor", "apitoolkit"},
    "warm": {"reparse", "frame_cache", "parquet_floor"},
    "import": {"import apitoolkit", "import apitoolkit.frames"},
    "widgets": {"expirations", "reputation", "tasks"},
    # its own emulator, accounts of 150 to 15,000 users, cold and warm loads, the parquet floor
    "scaling": {contender.name for contender in scaling.build(RECORDS).contenders},
}


@pytest.mark.slow
def test_benchmarks__small_run_reports_every_contender() -> None:
    command = [sys.executable, "-m", "benchmarks", *CONTENDERS, "--records", str(RECORDS), "--rounds", "1"]
    command.append("--no-record")
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=420, check=False)

    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in proc.stdout.splitlines()]
    seconds = {(row[0], row[1]): float(row[2]) for row in rows if len(row) == 8 and row[0] in CONTENDERS}
    expected = {(case, name) for case, names in CONTENDERS.items() for name in names}
    assert set(seconds) == expected, proc.stdout
    assert all(value > 0 for value in seconds.values()), seconds


ARCHIVE_ROWS = 365 * 40  # 40 log rows a day over the year: the archive benchmark's code paths, tiny


@pytest.mark.slow
def test_archive_benchmark__tiny_archives_run_every_contender(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import archive
    from benchmarks.worker import _resolve

    monkeypatch.setattr(archive, "WORK", tmp_path)
    archive.setup(ARCHIVE_ROWS)
    counts = archive.day_counts(ARCHIVE_ROWS)
    october = sum(n for day, n in counts.items() if f"{day:%Y-%m}" == archive.SCAN_MONTH[0][:7])
    rows: dict[str, int] = {}
    try:
        for case in archive.cases(ARCHIVE_ROWS, dask=archive.dask_available()):
            for contender in case.contenders:
                work = _resolve(contender.target)(**contender.kwargs)
                rows[f"{case.name}/{contender.name}"] = len(work())  # an append that adds the wrong count raises
    finally:
        archive.close_clusters()

    assert rows["archive-sync/year new day"] == archive.day_rate(ARCHIVE_ROWS, archive.NEW_DAY) > 0
    assert rows["archive-sync/month same day again"] == rows["archive-sync/year same day again"] == 0
    assert rows["archive-scan/one month"] == october > 0
    assert rows["archive-scan/whole year"] == ARCHIVE_ROWS
    assert rows["archive-heatmap/duckdb"] == 7
    equal = archive.grids_equal(ARCHIVE_ROWS)
    assert {"pandas", "dask"} <= set(equal) and all(equal.values()), equal
    touched = archive.scan_bytes(ARCHIVE_ROWS)
    assert 0 < touched["month_bytes"] < touched["all_bytes"]
    assert archive.sizes(ARCHIVE_ROWS)["ratio"] > 1
    assert json.loads((archive.archive_dir("month", ARCHIVE_ROWS) / "built.json").read_text())["days"] == 30


def test_archive_benchmark__day_rows_are_the_loaders_and_repeatable() -> None:
    from benchmarks import archive

    day = archive.NEW_DAY
    frame = archive.day_frame(day, 500)
    again = archive.day_frame(day, 500)

    assert frame.equals(again)
    assert frame["id"].is_monotonic_increasing and frame["id"].is_unique
    assert str(frame["created_at"].dtype) == "datetime64[us, UTC]"
    assert (frame["created_at"].dt.date == day).all()
    assert frame["organization_id"].isna().eq(frame["action"] == "sign_in").all()
    assert archive.json_bytes_per_row(archive.day_table(day, 500)) > 300
