"""Fixtures for the whole suite: every test runs with a clean environment and its own cache directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apitoolkit.config import SERVICES
from apitoolkit.http.retry import RetryPolicy


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


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Any]:
    """One real emulator server (seed 1, small) per test process, reset before each test that uses it."""
    from apitoolkit.emulator import EmulatorServer

    with EmulatorServer(port=0, seed=1, size="small") as server:
        yield server


@pytest.fixture
def emulator(emulator_server: Any) -> Iterator[Any]:
    """The emulator server with its data, faults, statistics and settings back to the seed state."""
    emulator_server.app.reset()
    emulator_server.app.configure(latency=0)
    emulator_server.app.configure(service="itglue", rate_limit=(3000, 300.0), retry_after=True)
    yield emulator_server
    emulator_server.app.reset()


FAST_RETRY = RetryPolicy(max_attempts=5, backoff=0.01, max_backoff=0.05, max_retry_after=1.0, jitter=0.0)


@pytest.fixture
def itglue(emulator: Any) -> Any:
    """An IT Glue client for the emulator's default account, with quick retries."""
    from apitoolkit.itglue import ITGlueClient

    env = emulator.environ()
    return ITGlueClient(api_key=env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY)
