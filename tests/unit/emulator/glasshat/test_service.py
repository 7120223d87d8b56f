"""Glasshat auth (apikey anywhere a parameter goes), the allowance switch, accounts, errors, environment, control."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import Glasshat, JsonClient, glasshat_error

GETS = ["/account/0/clients", "/client/1/projects", "/project/1/tasks", "/task/1/get", "/nowhere"]
POSTS = ["/account/0/clients/create", "/client/1/projects/create", "/task/1/update"]


@pytest.mark.parametrize("key", ["", "0" * 32, "not-a-key"])
def test_auth__missing_or_invalid_key_is_403_no_license_everywhere(glasshat: Glasshat, key: str) -> None:
    for path in GETS:
        response = glasshat.get(path, key=key)
        assert glasshat_error(response) == (403, "no_license")
        assert response.headers["Content-Type"] == "application/json"
        assert response.json["errors"]["no_license"] == "API licence key invalid, expired or disabled."
    for path in POSTS:
        assert glasshat_error(glasshat.post(path, data={"apikey": key, "name": "x"})) == (403, "no_license")
    assert glasshat_error(glasshat.client.get("/glasshat/account/0/clients")) == (403, "no_license")


def test_auth__key_in_query_form_or_json_body_for_post(glasshat: Glasshat) -> None:
    for kwargs in (
        {"query_string": {"apikey": glasshat.key}, "data": {"name": "Query GmbH"}},
        {"data": {"apikey": glasshat.key, "name": "Form SARL"}},
        {"json": {"apikey": glasshat.key, "name": "Json KK"}},
    ):
        response = glasshat.post("/account/0/clients/create", **kwargs)
        assert response.status_code == 200, response.json
    names = [client["name"] for client in glasshat.ok("/account/0/clients")["clients"]]
    assert names[-3:] == ["Query GmbH", "Form SARL", "Json KK"]


def test_auth__key_never_echoed(app: EmulatorApp, glasshat: Glasshat) -> None:
    for path in ["/account/0/clients", "/task/1/get", "/nowhere"]:
        response = glasshat.get(path)
        assert glasshat.key not in response.get_data(as_text=True) + str(response.headers)
    assert glasshat.key not in repr(app.stats.requests)
    assert all(record.query.get("apikey") == ["[redacted]"] for record in app.stats.requests)


def test_over_allowance__every_request_is_402_until_reset(app: EmulatorApp, glasshat: Glasshat) -> None:
    app.glasshat.over_allowance = True
    for path in GETS:
        assert glasshat_error(glasshat.get(path)) == (402, "too_many_items")
    assert glasshat_error(glasshat.post("/task/1/update", json={"apikey": glasshat.key, "status": "done"}))[0] == 402
    assert glasshat_error(glasshat.get("/account/0/clients", key="wrong"))[0] == 403
    app.reset()
    assert glasshat.get("/account/0/clients").status_code == 200


def test_accounts__isolated_by_key(app: EmulatorApp, glasshat: Glasshat) -> None:
    other_key = "f" * 32
    other = app.glasshat.add_account(other_key, seed=9, clients=2, projects=3, tasks=30)
    theirs = glasshat.ok("/account/0/clients", key=other_key)["clients"]
    assert len(theirs) == 2 and theirs != glasshat.ok("/account/0/clients")["clients"]
    assert [client["id"] for client in theirs] == other.clients.ids()
    glasshat.post("/account/0/clients/create", data={"apikey": other_key, "name": "Only theirs"})
    assert "Only theirs" not in {client["name"] for client in glasshat.ok("/account/0/clients")["clients"]}
    with pytest.raises(ValueError, match="already exists"):
        app.glasshat.add_account(other_key)
    with pytest.raises(ValueError, match="shoes"):
        app.glasshat.add_account("e" * 32, shoes=1)
    app.reset()
    assert glasshat_error(glasshat.get("/account/0/clients", key=other_key)) == (403, "no_license")


def test_accounts__empty_account(app: EmulatorApp, glasshat: Glasshat) -> None:
    app.glasshat.add_account("a" * 32, clients=0, projects=0, tasks=0)
    assert glasshat.ok("/account/0/clients", key="a" * 32) == {"clients": [], "page": 1, "per_page": 100, "total": 0}


def test_routes__unknown_endpoint_and_wrong_method(glasshat: Glasshat) -> None:
    assert glasshat_error(glasshat.get("/account/1/clients")) == (404, "no_endpoint")
    assert glasshat.get("/nowhere").json == {"errors": {"no_endpoint": "Endpoint does not exist."}}
    assert glasshat_error(glasshat.post("/account/0/clients", data={"apikey": glasshat.key})) == (405, "invalid_method")
    assert glasshat_error(glasshat.get("/task/1/update")) == (405, "invalid_method")


def test_params__a_body_that_is_not_a_json_object_is_400(glasshat: Glasshat) -> None:
    for body in (b"{not json", b"[1, 2]"):
        response = glasshat.post(
            "/task/1/update", query_string={"apikey": glasshat.key}, data=body, content_type="application/json"
        )
        assert glasshat_error(response) == (400, "invalid_parameter")


def test_environ__base_url_and_32_character_key(app: EmulatorApp) -> None:
    environ = app.services["glasshat"].environ("http://127.0.0.1:9/glasshat")
    assert environ == {"GLASSHAT_BASE_URL": "http://127.0.0.1:9/glasshat", "GLASSHAT_API_KEY": app.glasshat.api_key}
    assert len(app.glasshat.api_key) == 32 and app.glasshat.api_key.isalnum()
    assert EmulatorApp(seed=2).glasshat.api_key != app.glasshat.api_key


def test_control__allowance_and_accounts_over_http(app: EmulatorApp, client: JsonClient, glasshat: Glasshat) -> None:
    assert client.post("/_emulator/glasshat/over_allowance", json={"value": True}).json == {"status": "ok"}
    assert glasshat_error(glasshat.get("/account/0/clients"))[0] == 402
    client.post("/_emulator/glasshat/over_allowance", json={"value": False})
    added = client.post("/_emulator/glasshat/add_account", json={"api_key": "b" * 32, "seed": 3, "clients": 1})
    assert added.status_code == 200 and glasshat.ok("/account/0/clients", key="b" * 32)["total"] == 1
    assert client.post("/_emulator/glasshat/add_account", json={"api_key": "b" * 32}).status_code == 400
