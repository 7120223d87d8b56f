"""Smoke test of the benchmark harness: all cases run end to end on small data and report every contender."""

from __future__ import annotations

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
