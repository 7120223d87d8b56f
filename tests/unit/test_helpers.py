"""The test suite's own layout: helpers come from helper modules, never from a conftest or another test module."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported_test_modules(path: Path) -> list[str]:
    """The ``tests.*`` modules ``path`` imports from that are test modules or conftest files."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tests."):
            name = (node.module or "").rsplit(".", 1)[-1]
            if name == "conftest" or name.startswith("test_"):
                found.append(node.module or "")
    return found


def test_helpers__no_module_imports_from_a_conftest_or_a_test_module() -> None:
    offenders = {str(p.relative_to(TESTS)): imported_test_modules(p) for p in sorted(TESTS.rglob("*.py"))}
    assert {path: modules for path, modules in offenders.items() if modules} == {}, "move them to tests/helpers.py"


def test_helpers__the_check_sees_both_kinds_of_import(tmp_path: Path) -> None:
    module = tmp_path / "test_x.py"
    module.write_text("from tests.conftest import FAST_RETRY\nfrom tests.unit.test_frames import USERS\n")
    assert imported_test_modules(module) == ["tests.conftest", "tests.unit.test_frames"]
    module.write_text("from tests.helpers import FAST_RETRY\nfrom tests.integration.http.fakeapi import USERS\n")
    assert imported_test_modules(module) == []
