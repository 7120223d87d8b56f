"""Fixtures for the whole suite: every test runs with a clean environment and its own cache directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from apitoolkit.config import SERVICES


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's credentials, cache or settings."""
    for spec in SERVICES.values():
        for name in (*spec.credential_env.values(), spec.base_url_env, spec.region_env):
            if name:
                monkeypatch.delenv(name, raising=False)
    for name in ("APITOOLKIT_OFFLINE", "JPY_SESSION_NAME", "VSCODE_PID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APITOOLKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("APITOOLKIT_PROGRESS", "0")
    yield


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """The cache directory the test's clients use (``APITOOLKIT_CACHE``)."""
    return tmp_path / "cache"


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``needle`` (UTF-8), to prove a secret is absent."""
    raw = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and raw in p.read_bytes()]
