"""The /_emulator control endpoints: the same operations as the Python API, over HTTP."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import Api, JsonClient


def test_control__health(client: JsonClient) -> None:
    assert client.get("/_emulator/health").json == {
        "status": "ok",
        "services": ["glasshat", "happygrasshopper", "hitask", "itglue"],
    }


def test_control__faults_add_list_clear(app: EmulatorApp, client: JsonClient, api: Api) -> None:
    created = client.post(
        "/_emulator/faults",
        json={"kind": "server_error", "count": 1, "status": 503, "retry_after": 2, "path": "^/users$"},
    )
    assert created.status_code == 201 and created.json == {"id": 1}
    assert client.get("/_emulator/faults").json[0]["params"] == {"status": 503, "retry_after": 2}
    response = api.get("/users")
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    client.post("/_emulator/faults", json={"kind": "html_error", "rate": 1.0})
    assert client.delete("/_emulator/faults").json == {"status": "ok"}
    assert api.get("/users").status_code == 200


@pytest.mark.parametrize(
    "body",
    [{"count": 1}, {"kind": "explode"}, {"kind": "latency"}, {"kind": "latency", "seconds": "x"}, [1, 2]],
)
def test_control__invalid_fault_is_400(client: JsonClient, body: object) -> None:
    response = client.post("/_emulator/faults", json=body)
    assert response.status_code == 400 and "error" in response.json


def test_control__config_latency_and_rate_limit(app: EmulatorApp, client: JsonClient, api: Api) -> None:
    assert client.post("/_emulator/config", json={"latency": 0.01}).status_code == 200
    assert app.latency == 0.01
    client.post("/_emulator/config", json={"service": "itglue", "rate_limit": [1, 60], "retry_after": True})
    api.get("/users")
    assert "Retry-After" in api.get("/users").headers
    client.post("/_emulator/config", json={"service": "itglue", "rate_limit": None})
    assert api.get("/users").status_code == 200
    assert client.post("/_emulator/config", json={"speed": 3}).status_code == 400


def test_control__stats_requests_and_resets(app: EmulatorApp, client: JsonClient, api: Api) -> None:
    api.get("/users"), api.get("/logs")
    stats = client.get("/_emulator/stats", query_string={"window": "60"}).json
    assert stats["total"] == 2 and stats["by_status"] == {"200": 2} and stats["max_in_window"] == 2
    recorded = client.get("/_emulator/requests").json
    assert [r["path"] for r in recorded] == ["/users", "/logs"] and api.key not in str(recorded)
    assert client.post("/_emulator/stats/reset").status_code == 200 and app.stats.snapshot()["total"] == 0
    app.faults.add("latency", seconds=0)
    assert client.post("/_emulator/reset").status_code == 200 and app.faults.describe() == []


def test_control__not_counted_not_faulted_not_limited(app: EmulatorApp, client: JsonClient) -> None:
    app.faults.add("server_error")
    app.configure(service="itglue", rate_limit=(1, 60.0))
    assert {client.get("/_emulator/health").status_code for _ in range(3)} == {200}
    assert app.stats.snapshot()["total"] == 0


def test_control__unknown_route_or_method(client: JsonClient) -> None:
    assert client.get("/_emulator/nothing").status_code == 404
    assert client.put("/_emulator/faults").status_code == 405
