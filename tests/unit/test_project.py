"""The project's own promises: one dependency list for pip and conda, a fast import, lazy heavy modules."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONDA_NAMES = {"redis": "redis-py", "duckdb": "python-duckdb"}  # PyPI name -> conda-forge name where they differ


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].strip().lower()


def test_environment_yml__lists_the_same_packages_as_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        pip |= {_name(r) for r in extra if not r.startswith("apitoolkit")}
    conda = {
        _name(d) for d in yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"] if isinstance(d, str)
    }
    conda -= {"python", "pip"}
    assert {CONDA_NAMES.get(n, n) for n in pip} == conda


def test_import__is_lazy() -> None:
    code = (
        "import sys, apitoolkit; heavy = ('pandas', 'matplotlib', 'ipywidgets', 'requests_cache', 'pyarrow'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_public_api__names_resolve() -> None:
    import apitoolkit

    for name in apitoolkit.__all__:
        assert getattr(apitoolkit, name) is not None


def _prerequisites(makefile: str, target: str) -> list[str]:
    line = next(line for line in makefile.splitlines() if line.startswith(f"{target}:"))
    return line.split(":", 1)[1].split()


def test_makefile__test_and_demo_install_the_system_packages_they_need() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "system-packages" in _prerequisites(makefile, "test")
    assert "system-packages-demo" in _prerequisites(makefile, "demo")
    assert "make test" in (ROOT / ".ci" / "run").read_text()  # CI goes through the same step
    script = (ROOT / ".ci" / "system-packages").read_text()
    for package in ("fonts-wqy-microhei", "chromium", "redis-server"):
        assert package in script


def test_system_packages__says_the_command_when_it_cannot_install(tmp_path: Path) -> None:
    """Not root (or no apt-get), with nothing on PATH: one line naming the packages and the command; exit 0."""
    bash = next(p for p in ("/bin/bash", "/usr/bin/bash") if Path(p).is_file())
    empty = tmp_path / "bin"
    empty.mkdir()
    (empty / "id").write_text("#!/bin/sh\necho 1000\n")
    (empty / "id").chmod(0o755)
    result = subprocess.run(
        [bash, str(ROOT / ".ci" / "system-packages"), "test"],
        env={"PATH": str(empty)},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0
    assert "sudo apt-get install -y fonts-wqy-microhei chromium redis-server" in result.stderr
