"""Contenders' own virtual environments under ``benchmarks/.work/venvs/<name>``, built when missing or stale."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

VENVS = Path(__file__).resolve().parent / ".work" / "venvs"
MARKER = "benchmark-requirements.txt"


def interpreter(name: str) -> str:
    """The Python of venv ``name``; it exists only once `ensure` has built the venv.

    Example:
        >>> interpreter("itglue").endswith("venvs/itglue/bin/python")
        True
    """
    return str(VENVS / name / "bin" / "python")


def ensure(name: str, requirements: Sequence[str]) -> str:
    """Build venv ``name`` with ``requirements`` pip-installed, unless it already has exactly them.

    The venv is made by ``python -m venv`` from this interpreter's base Python. The requirements are written
    to a marker file in the venv only after pip succeeded, so a failed or interrupted install, or a change of
    the requirements, rebuilds the venv from scratch on the next call.

    Args:
        name: The venv's directory name under `VENVS`.
        requirements: pip requirement specifiers, pinned (``"itglue==0.2.0"``).

    Returns:
        The venv's Python, for ``Contender(python=...)``.

    Raises:
        RuntimeError: ``venv`` or pip failed; the message ends with their output.

    Example:
        >>> ensure("itglue", ["itglue==0.2.0", "pandas==3.1.1"])  # doctest: +SKIP
        '/work/main/benchmarks/.work/venvs/itglue/bin/python'
    """
    home = VENVS / name
    marker = home / MARKER
    wanted = "".join(f"{requirement}\n" for requirement in requirements)
    python = interpreter(name)
    if Path(python).exists() and marker.exists() and marker.read_text() == wanted:
        return python
    shutil.rmtree(home, ignore_errors=True)
    _run([sys.executable, "-m", "venv", str(home)])
    _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *requirements])
    marker.write_text(wanted)
    return python


def _run(command: list[str]) -> None:
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")
