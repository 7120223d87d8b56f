"""Fixtures for the whole suite: every test runs with a clean environment and its own cache directory."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from apitoolkit.config import SERVICES
from apitoolkit.emulator import EmulatorServer
from apitoolkit.itglue import ITGlueClient
from tests.helpers import (
    FAST_RETRY,
    start_redis_server,
    stop_process,
)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No test sees the developer's credentials, cache or settings."""
    for spec in SERVICES.values():
        for name in (*spec.credential_env.values(), spec.base_url_env, spec.region_env):
            if name:
                monkeypatch.delenv(name, raising=False)
    for name in ("APITOOLKIT_OFFLINE", "APITOOLKIT_LOCK_TIMEOUT", "JPY_SESSION_NAME", "VSCODE_PID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("APITOOLKIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("APITOOLKIT_PROGRESS", "0")
    yield


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """The cache directory the test's clients use (``APITOOLKIT_CACHE``)."""
    return tmp_path / "cache"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[str]:
    """One real Redis server (with a password) per test process; its URL without a db number."""
    process, url = start_redis_server(f"redis-pw-{secrets.token_hex(8)}")
    try:
        yield url
    finally:
        stop_process(process)


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """A Redis cache URL (db 0) of the session's server, flushed before the test."""
    import redis

    url = f"{redis_server}/0"
    with redis.Redis.from_url(url) as client:
        client.flushall()
    return url


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[EmulatorServer]:
    """One real emulator server (seed 1, small) per test process, reset before each test that uses it."""
    with EmulatorServer(port=0, seed=1, size="small") as server:
        yield server


@pytest.fixture
def emulator(emulator_server: EmulatorServer) -> Iterator[EmulatorServer]:
    """The emulator server with its data, faults, statistics and settings back to the seed state."""
    emulator_server.app.reset()
    emulator_server.app.configure(latency=0)
    emulator_server.app.configure(service="itglue", rate_limit=(3000, 300.0), retry_after=True)
    for service in emulator_server.app.services.values():
        service.default_readings()  # a test's dialect never leaks into the next
    yield emulator_server
    emulator_server.app.reset()
    for service in emulator_server.app.services.values():
        service.default_readings()


@pytest.fixture
def itglue(emulator: EmulatorServer) -> ITGlueClient:
    """An IT Glue client for the emulator's default account, with quick retries."""
    env = emulator.environ()
    return ITGlueClient(api_key=env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY)
