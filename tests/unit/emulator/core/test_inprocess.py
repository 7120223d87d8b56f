"""mock_emulator: requests to its URL are served in-process (any Session, requests-cache too); others untouched."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
import requests_cache
from pytest_httpserver import HTTPServer
from requests.adapters import HTTPAdapter

from apitoolkit.emulator import EmulatorApp, mock_emulator
from tests.helpers import APP_NOW


def _users(emu: mock_emulator, session: requests.Session | None = None, **params: str) -> requests.Response:
    getter = session.get if session is not None else requests.get
    return getter(
        f"{emu.base_url('itglue')}/users", params=params, headers={"x-api-key": emu.environ()["ITGLUE_API_KEY"]}
    )


def test_mock__serves_real_responses_without_a_socket() -> None:
    original = HTTPAdapter.send
    with mock_emulator(seed=1, now=APP_NOW) as emu:
        assert emu.url == "http://emulator.invalid"
        assert (
            emu.environ().items()
            >= {"ITGLUE_BASE_URL": "http://emulator.invalid/itglue", "ITGLUE_API_KEY": "itg-emulator-key-1"}.items()
        )
        assert emu.environ()["HAPPYGRASSHOPPER_BASE_URL"] == "http://emulator.invalid/happygrasshopper/v3"
        page_size: dict[str, Any] = {"page[size]": "2"}
        response = _users(emu, **page_size)
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/vnd.api+json"
        assert len(response.json()["data"]) == 2 and response.content.startswith(b'{"data":[')
        assert response.json()["links"]["next"].startswith("http://emulator.invalid/itglue/users?")
        assert requests.get(f"{emu.base_url('itglue')}/users").status_code == 403
        assert HTTPAdapter.send is not original
    assert HTTPAdapter.send is original


def test_mock__other_urls_go_to_the_network(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/ping").respond_with_json({"pong": True})
    with mock_emulator(seed=1, now=APP_NOW) as emu:
        assert requests.get(httpserver.url_for("/ping")).json() == {"pong": True}
        assert emu.app.stats.snapshot()["total"] == 0


def test_mock__requests_cache_session_caches_emulator_responses() -> None:
    with mock_emulator(seed=1, now=APP_NOW) as emu:
        session = requests_cache.CachedSession(backend="memory")
        first, second = _users(emu, session), _users(emu, session)
        assert [getattr(r, "from_cache", None) for r in (first, second)] == [False, True]
        assert second.json() == first.json() and second.headers["Content-Type"] == "application/vnd.api+json"
        assert emu.app.stats.snapshot()["total"] == 1


def test_mock__streaming_and_posting_work() -> None:
    with mock_emulator(seed=1, now=APP_NOW) as emu:
        streamed = requests.get(
            f"{emu.base_url('itglue')}/users", stream=True, headers={"x-api-key": emu.app.itglue.api_key}
        )
        assert b"".join(streamed.iter_content(64)).startswith(b'{"data":')
        posted = requests.post(f"{emu.url}/_emulator/faults", json={"kind": "server_error", "count": 1})
        assert posted.status_code == 201 and _users(emu).status_code == 500


def test_mock__concurrent_emulators_get_their_own_urls() -> None:
    with mock_emulator(seed=1, now=APP_NOW) as one, mock_emulator(seed=2, now=APP_NOW) as two:
        assert one.url != two.url
        assert _users(one).json() != _users(two).json()
        assert one.app.stats.snapshot()["total"] == two.app.stats.snapshot()["total"] == 1


def test_mock__decorator_sets_environment_and_starts_from_seed_state() -> None:
    emulated = mock_emulator(app=EmulatorApp(seed=1, now=APP_NOW))
    seen: list[int] = []

    @emulated
    def call() -> str:
        seen.append(
            requests.get(
                f"{os.environ['ITGLUE_BASE_URL']}/users", headers={"x-api-key": os.environ["ITGLUE_API_KEY"]}
            ).status_code
        )
        emulated.app.faults.add("server_error")
        return os.environ["ITGLUE_BASE_URL"]

    assert call() == "http://emulator.invalid/itglue" and call() == "http://emulator.invalid/itglue"
    assert seen == [200, 200] and "ITGLUE_BASE_URL" not in os.environ


def test_mock__inactive_has_no_url_and_refuses_mixed_arguments() -> None:
    with pytest.raises(RuntimeError, match="not active"):
        _ = mock_emulator(seed=1, now=APP_NOW).url
    with pytest.raises(TypeError):
        mock_emulator(EmulatorApp(now=APP_NOW), seed=2)


def test_mock__every_service_through_requests_with_its_environment() -> None:
    with mock_emulator(seed=1, now=APP_NOW) as emu:
        env = emu.environ()
        session = requests.get(
            f"{env['HITASK_BASE_URL']}/user/authenticate",
            params={"api_key": env["HITASK_API_KEY"], "login": env["HITASK_LOGIN"], "password": env["HITASK_PASSWORD"]},
        )
        tags = requests.get(f"{env['HITASK_BASE_URL']}/tag", params={"session_id": session.json()["session_id"]})
        clients = requests.post(
            f"{env['GLASSHAT_BASE_URL']}/account/0/clients/create",
            json={"apikey": env["GLASSHAT_API_KEY"], "name": "Über Reisen"},
        )
        contacts = requests.get(
            f"{env['HAPPYGRASSHOPPER_BASE_URL']}/contacts",
            params={"per_page": 5},
            headers={"Authorization": f"Bearer {env['HAPPYGRASSHOPPER_API_KEY']}"},
        )
        assert (tags.status_code, clients.status_code, contacts.status_code) == (200, 200, 200)
        assert contacts.links["next"]["url"] == f"{env['HAPPYGRASSHOPPER_BASE_URL']}/contacts?per_page=5&page=2"
        assert emu.app.stats.snapshot()["by_service"] == {"hitask": 2, "glasshat": 1, "happygrasshopper": 1}
