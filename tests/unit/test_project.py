"""The project's own promises: one dependency list for pip and conda, a fast import, lazy heavy modules."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONDA_NAMES = {"redis": "redis-py"}  # PyPI name -> conda-forge name where they differ


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
