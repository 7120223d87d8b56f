"""The emulator over real loopback HTTP: EmulatorServer, all four services, faults on the wire, shutdown, the CLI."""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from apitoolkit.emulator import EmulatorApp, EmulatorServer

NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(port=0, seed=1, size="small", now=NOW) as running:
        yield running


def _users(server: EmulatorServer, **kwargs: Any) -> requests.Response:
    return requests.get(
        f"{server.base_url('itglue')}/users", headers={"x-api-key": server.app.itglue.api_key}, **kwargs
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _expected_environ(url: str, app: EmulatorApp, seed: int) -> dict[str, str]:
    return {
        "ITGLUE_BASE_URL": f"{url}/itglue",
        "ITGLUE_API_KEY": f"itg-emulator-key-{seed}",
        "HITASK_BASE_URL": f"{url}/hitask",
        "HITASK_API_KEY": f"hitask-emulator-key-{seed}",
        "HITASK_LOGIN": app.hitask.login,
        "HITASK_PASSWORD": app.hitask.password,
        "GLASSHAT_BASE_URL": f"{url}/glasshat",
        "GLASSHAT_API_KEY": app.glasshat.api_key,
        "HAPPYGRASSHOPPER_BASE_URL": f"{url}/happygrasshopper/v3",
        "HAPPYGRASSHOPPER_API_KEY": f"hg-emulator-key-{seed}",
    }


def test_server__serves_over_loopback(server: EmulatorServer) -> None:
    assert server.url.startswith("http://127.0.0.1:") and server.base_url("itglue") == f"{server.url}/itglue"
    assert server.environ() == _expected_environ(server.url, server.app, 1)
    response = _users(server, params={"page[size]": 5})
    assert response.status_code == 200 and len(response.json()["data"]) == 5
    assert response.json()["links"]["self"].startswith(f"{server.url}/itglue/users?")
    assert requests.get(f"{server.url}/_emulator/health").json()["status"] == "ok"


def test_server__all_four_services_answer_with_the_advertised_environment(server: EmulatorServer) -> None:
    env = server.environ()
    assert _users(server).status_code == 200
    session = requests.post(
        f"{env['HITASK_BASE_URL']}/user/authenticate",
        data={"api_key": env["HITASK_API_KEY"], "login": env["HITASK_LOGIN"], "password": env["HITASK_PASSWORD"]},
    ).json()
    items = requests.get(f"{env['HITASK_BASE_URL']}/item", params={"session_id": session["session_id"]})
    assert items.status_code == 200 and len(items.json()) == 300 and int(items.headers["X-Cursor"]) > 0
    clients = requests.get(f"{env['GLASSHAT_BASE_URL']}/account/0/clients", params={"apikey": env["GLASSHAT_API_KEY"]})
    assert clients.status_code == 200 and clients.json()["total"] == 4
    contacts = requests.get(
        f"{env['HAPPYGRASSHOPPER_BASE_URL']}/contacts",
        headers={"Authorization": f"Bearer {env['HAPPYGRASSHOPPER_API_KEY']}"},
    )
    assert contacts.status_code == 200 and contacts.json()["meta"]["total"] == 200
    assert contacts.links["next"]["url"].startswith(f"{env['HAPPYGRASSHOPPER_BASE_URL']}/contacts?")
    assert server.app.stats.snapshot()["by_service"] == {"itglue": 1, "hitask": 2, "glasshat": 1, "happygrasshopper": 1}


def test_server__concurrent_requests_overlap(server: EmulatorServer) -> None:
    server.app.configure(latency=0.2)
    with ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: _users(server).status_code, range(4)))
    assert statuses == [200] * 4
    assert server.app.stats.snapshot()["max_in_flight"] > 1
    assert server.app.stats.max_in_window(1.0, service="itglue") == 4


def test_server__truncated_short_breaks_the_connection(server: EmulatorServer) -> None:
    server.app.faults.add("truncated", count=1, mode="short")
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        _users(server)
    assert _users(server).status_code == 200


def test_server__slow_response_times_the_client_out(server: EmulatorServer) -> None:
    requests.post(f"{server.url}/_emulator/faults", json={"kind": "slow", "count": 1, "seconds": 1.0})
    with pytest.raises(requests.exceptions.ReadTimeout):
        _users(server, timeout=0.2)


def test_server__stop_is_prompt_and_frees_the_port() -> None:
    emulator = EmulatorServer(port=0, now=NOW).start()
    port = int(emulator.url.rsplit(":", 1)[1])
    assert _users(emulator).status_code == 200
    started = time.perf_counter()
    emulator.stop()
    assert time.perf_counter() - started < 1.0
    with socket.socket() as again:
        # As any server would: the client's connection may linger in TIME_WAIT, the listener must be gone.
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()
    with pytest.raises(RuntimeError):
        _ = emulator.url
    emulator.stop()


def test_cli__serves_prints_exports_and_exits_on_sigterm() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "apitoolkit", "emulator", "--port", str(port), "--seed", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(11)]
        exports = {
            name: shlex.split(value)[0]
            for name, value in (line.removeprefix("export ").strip().split("=", 1) for line in lines[:10])
        }
        assert exports == _expected_environ(f"http://127.0.0.1:{port}", EmulatorApp(seed=2), 2)
        assert "Ctrl+C" in lines[10]
        response = requests.get(f"{exports['ITGLUE_BASE_URL']}/users", headers={"x-api-key": exports["ITGLUE_API_KEY"]})
        assert response.status_code == 200
        contacts = requests.get(
            f"{exports['HAPPYGRASSHOPPER_BASE_URL']}/contacts",
            headers={"Authorization": f"Bearer {exports['HAPPYGRASSHOPPER_API_KEY']}"},
        )
        assert contacts.status_code == 200 and contacts.json()["meta"]["total"] == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        process.kill()
        process.wait()
