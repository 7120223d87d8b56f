"""IT Glue auth (x-api-key, 403 documents, or 401 by dialect, that never echo a key) and its environment."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import Api


@pytest.mark.parametrize("headers", [{}, {"x-api-key": ""}, {"x-api-key": "itg-wrong-key-123456"}])
@pytest.mark.parametrize(
    ("reading", "status", "title"), [(None, 403, "Forbidden"), ("403", 403, "Forbidden"), ("401", 401, "Unauthorized")]
)
def test_auth__missing_or_unknown_key_is_refused_as_the_dialect_says(
    app: EmulatorApp, api: Api, headers: dict[str, str], reading: str | None, status: int, title: str
) -> None:
    app.configure(service="itglue", dialect={"wrong_key_status": reading})
    response = api.client.get("/itglue/users", headers=headers)
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/vnd.api+json"
    error = response.json["errors"][0]
    assert (error["status"], error["title"]) == (str(status), title) and "x-api-key" in error["detail"]
    assert "itg-wrong-key-123456" not in response.get_data(as_text=True) + str(response.headers)


@pytest.mark.parametrize("name", ["X-API-KEY", "X-Api-Key", "x-api-key"])
def test_auth__header_name_is_case_insensitive(api: Api, name: str) -> None:
    assert api.client.get("/itglue/users", headers={name: api.key}).status_code == 200


def test_auth__key_never_echoed(app: EmulatorApp, api: Api) -> None:
    for path in ["/users", "/users/1", "/logs?page[number]=9", "/nowhere"]:
        response = api.client.get(f"/itglue{path}", headers={"x-api-key": api.key})
        assert api.key not in response.get_data(as_text=True) + str(response.headers)
    assert api.key not in repr(app.stats.requests) + repr(app.stats.snapshot())


def test_environ__base_url_and_default_key(app: EmulatorApp) -> None:
    environ = app.environ("http://127.0.0.1:9")
    assert {name: value for name, value in environ.items() if name.startswith("ITGLUE_")} == {
        "ITGLUE_BASE_URL": "http://127.0.0.1:9/itglue",
        "ITGLUE_API_KEY": "itg-emulator-key-1",
    }


def test_control__add_account_over_http_serves_its_own_counts(api: Api) -> None:
    body = {"api_key": "itg-other-key", "seed": 5, "users": 7, "logs": 30, "metric_days": 2}
    assert api.client.post("/_emulator/itglue/add_account", json=body).json == {"status": "ok"}
    other = Api(api.client, "itg-other-key")
    assert (other.ok("/users")["meta"]["total-count"], other.ok("/logs")["meta"]["total-count"]) == (7, 30)
    assert api.ok("/users")["meta"]["total-count"] == 40
    again = api.client.post("/_emulator/itglue/add_account", json={"api_key": "itg-other-key"})
    assert again.status_code == 400
    invalid = api.client.post("/_emulator/itglue/add_account", json={"api_key": "k", "users": 0, "logs": 5})
    assert invalid.status_code == 400 and "logs need at least one user" in invalid.get_data(as_text=True)
