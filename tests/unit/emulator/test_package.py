"""The emulator package: its public names, and the extra to install when its dependencies are missing."""

from __future__ import annotations

import subprocess
import sys

import pytest

import apitoolkit.emulator


def test_package__exports_exactly_the_public_api() -> None:
    assert sorted(apitoolkit.emulator.__all__) == ["EmulatorApp", "EmulatorServer", "SIZES", "mock_emulator"]


@pytest.mark.parametrize("missing", ["werkzeug", "faker"])
def test_package__missing_dependency_names_the_extra(missing: str) -> None:
    code = f"import sys; sys.modules[{missing!r}] = None; import apitoolkit.emulator"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "pip install 'apitoolkit[emulator]'" in result.stderr
