"""Fixtures for the whole suite: every test runs with a clean environment and its own cache directory."""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
    for name in ("APITOOLKIT_OFFLINE", "APITOOLKIT_LOCK_TIMEOUT", "JPY_SESSION_NAME", "VSCODE_PID"):
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


def start_redis_server(password: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``redis-server`` on a free loopback port, without persistence; its process and URL (no db).

    Skips the test when the binary is missing (CI installs it: ``apt-get install redis-server``).
    """
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server (CI installs it)")
    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--requirepass", password]
    process = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://:{password}@127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    with redis.Redis.from_url(f"{url}/0") as client:
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    stop_process(process)
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.02)
    return process, url


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process we started, wait for it, and kill it if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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


def redis_keys_containing(url: str, needle: str) -> list[str]:
    """Every Redis key whose name or value (any type) contains ``needle`` (as is, or URL-encoded)."""
    import redis

    needles = {needle.encode(), quote(needle, safe="").encode()}
    found = []
    with redis.Redis.from_url(url) as client:
        for key in client.scan_iter(count=500):
            if any(n in blob for n in needles for blob in [key, *redis_values(client, key)]):
                found.append(key.decode())
    return found


def redis_values(client: Any, key: bytes) -> list[bytes]:
    """Everything a Redis key holds, whatever its type: a string's value, a hash's fields and values, the
    members of a sorted set, list or set."""
    kind = client.type(key).decode()
    if kind == "string":
        return [client.get(key) or b""]
    if kind == "hash":
        return [b for pair in client.hgetall(key).items() for b in pair]
    if kind == "zset":
        return [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
    if kind == "list":
        return list(client.lrange(key, 0, -1))
    return list(client.smembers(key))


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
    for service in emulator_server.app.services.values():
        service.default_readings()  # a test's dialect never leaks into the next
    yield emulator_server
    emulator_server.app.reset()
    for service in emulator_server.app.services.values():
        service.default_readings()


FAST_RETRY = RetryPolicy(max_attempts=5, backoff=0.01, max_backoff=0.05, max_retry_after=1.0, jitter=0.0)


@pytest.fixture
def itglue(emulator: Any) -> Any:
    """An IT Glue client for the emulator's default account, with quick retries."""
    from apitoolkit.itglue import ITGlueClient

    env = emulator.environ()
    return ITGlueClient(api_key=env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY)
