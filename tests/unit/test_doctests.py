"""The docstrings' examples: every module's parse, and the default test run collects and runs them."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import tomllib
from pathlib import Path

import pytest

import apitoolkit

ROOT = Path(__file__).resolve().parents[2]
MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(apitoolkit.__path__, "apitoolkit.")
    if not info.name.endswith("__main__")  # runs the CLI on import; pytest never collects it either
)


def test_pytest_options__collect_the_package_doctests() -> None:
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    assert "--doctest-modules" in options["addopts"].split()
    assert "apitoolkit" in options["testpaths"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples__parse(name: str) -> None:
    """A malformed directive (``# doctest: +SKIP (why)``) makes pytest refuse the whole module's examples."""
    module = importlib.import_module(name)
    try:
        doctest.DocTestFinder().find(module, name)
    except ValueError as error:
        pytest.fail(f"{name}: {error} (write the reason before the directive: `x  # why  # doctest: +SKIP`)")
