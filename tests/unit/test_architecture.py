"""The layers of ARCHITECTURE.md hold: imports point one way, and the HTTP layer loads no DataFrame library."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_import_http__loads_neither_pandas_nor_pyarrow() -> None:
    code = (
        "import sys, apitoolkit.http, apitoolkit.http.client, apitoolkit.http.session; "
        "print(sorted(m for m in ('pandas', 'pyarrow') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_import_linter__contracts_are_kept() -> None:
    pytest.importorskip("importlinter", reason="install the dev extra: pip install -e '.[dev]'")
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run(
        [command, "--config", str(ROOT / "pyproject.toml")], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
