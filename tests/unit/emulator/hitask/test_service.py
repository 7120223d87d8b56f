"""Hitask sign-in, sessions and sign-out, errors in Hitask's format, the environment, control and reset."""

from __future__ import annotations

import re
import time
import uuid

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import Hitask, JsonClient, hitask_error

SESSION_ENDPOINTS = ["/item", "/item/delta/0", "/item/history", "/tag", "/team", "/group", "/contact", "/nowhere"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sign_in__answers_a_session_and_the_user(app: EmulatorApp, hitask: Hitask, method: str) -> None:
    response = hitask.sign_in(method)
    body = response.json
    assert response.status_code == 200 and set(body) == {
        "session_id",
        "id",
        "login_id",
        "level",
        "account_type",
        "email",
    }
    assert uuid.UUID(body["session_id"]) and body["session_id"] != hitask.session_id
    user = app.hitask.members[0]
    assert (body["id"], body["login_id"], body["email"]) == (user["id"], app.hitask.login, user["email"])
    assert (body["level"], body["account_type"]) == (0, "TEAM_BUSINESS") and "@" in app.hitask.login


def test_sign_in__login_is_case_insensitive(hitask: Hitask) -> None:
    assert hitask.sign_in(login=hitask.backend.login.upper()).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"api_key": "hitask-wrong-key-9"}, (401, 8, "Invalid API Key")),
        ({"login": "nobody-here@example.com"}, (401, 1, "User not found")),
        ({"password": "Wrong-Pa55word"}, (401, 36, "Provided password does not match your current password")),
        ({"api_key": None}, (400, 4, "api_key is mandatory")),
        ({"login": None}, (400, 4, "login is mandatory")),
        ({"password": ""}, (400, 4, "password is mandatory")),
    ],
)
def test_sign_in__refusals_have_documented_codes_and_echo_nothing(
    app: EmulatorApp, hitask: Hitask, overrides: dict, expected: tuple[int, int, str]
) -> None:
    for method in ("GET", "POST"):
        response = hitask.sign_in(method, **overrides)
        assert hitask_error(response) == expected
        text = response.get_data(as_text=True) + str(response.headers)
        for secret in [*(value for value in overrides.values() if value), app.hitask.api_key, app.hitask.password]:
            assert secret not in text
    assert app.hitask.password not in repr(app.stats.requests) and app.hitask.api_key not in repr(app.stats.requests)


@pytest.mark.parametrize("path", SESSION_ENDPOINTS)
@pytest.mark.parametrize("session_id", ["", "not-a-session", str(uuid.UUID(int=7))])
def test_session__missing_or_unknown_is_401_code_7(hitask: Hitask, path: str, session_id: str) -> None:
    expected = (401, 7, "Session not found, please authenticate first")
    assert hitask_error(hitask.get(path, session_id=session_id)) == expected


def test_session__expires_after_session_ttl(app: EmulatorApp, hitask: Hitask) -> None:
    assert app.hitask.session_ttl == 3600
    app.hitask.session_ttl = 0.2
    assert hitask.get("/tag").status_code == 200
    time.sleep(0.25)
    assert hitask_error(hitask.get("/tag"))[1] == 7
    hitask.session_id = hitask.sign_in().json["session_id"]
    assert hitask.get("/tag").status_code == 200


def test_session__expire_sessions_ends_them_all(app: EmulatorApp, hitask: Hitask) -> None:
    other = hitask.sign_in().json["session_id"]
    app.hitask.expire_sessions()
    assert hitask_error(hitask.get("/tag"))[1] == 7 and hitask_error(hitask.get("/tag", session_id=other))[1] == 7


def test_session__sent_in_a_form_body_works_too(client: JsonClient, hitask: Hitask) -> None:
    assert client.post("/hitask/user/signout", data={"session_id": hitask.session_id}).json == {"response_status": 0}


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_signout__ends_the_session_and_repeating_it_is_harmless(
    client: JsonClient, hitask: Hitask, method: str
) -> None:
    signout = client.open("/hitask/user/signout", method=method, query_string={"session_id": hitask.session_id})
    assert signout.status_code == 200 and signout.json == {"response_status": 0}
    assert hitask_error(hitask.get("/item"))[1] == 7
    again = client.open("/hitask/user/signout", method=method, query_string={"session_id": hitask.session_id})
    assert again.json == {"response_status": 0}


def test_signout__without_session_id_is_400_code_4(client: JsonClient) -> None:
    assert hitask_error(client.get("/hitask/user/signout")) == (400, 4, "session_id is mandatory")


def test_routes__unknown_method_and_wrong_verb(hitask: Hitask, client: JsonClient) -> None:
    assert hitask_error(hitask.get("/nowhere")) == (404, 1, "Method not found")
    wrong_verb = client.post("/hitask/item", query_string={"session_id": hitask.session_id})
    assert wrong_verb.status_code == 405 and wrong_verb.json["response_status"] == 17


def test_environ__base_url_and_credentials(app: EmulatorApp) -> None:
    environ = app.services["hitask"].environ("http://127.0.0.1:9/hitask")
    assert environ == {
        "HITASK_BASE_URL": "http://127.0.0.1:9/hitask",
        "HITASK_API_KEY": "hitask-emulator-key-1",
        "HITASK_LOGIN": app.hitask.login,
        "HITASK_PASSWORD": app.hitask.password,
    }
    assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", app.hitask.login)
    assert EmulatorApp(seed=4).hitask.api_key == "hitask-emulator-key-4"


def test_control__mutations_over_http(app: EmulatorApp, client: JsonClient, hitask: Hitask) -> None:
    added = client.post("/_emulator/hitask/add", json={"category": "note", "title": "Ideas für 2026"})
    item_id = added.json["id"]
    changed = client.post("/_emulator/hitask/change", json={"item_id": item_id, "starred": True})
    assert changed.json["item"]["starred"] is True and changed.json["item"]["category"] == 4
    assert client.post("/_emulator/hitask/complete", json={"item_id": item_id}).json == {"status": "ok"}
    mutated = client.post("/_emulator/hitask/mutate", json={"fraction": 0.05, "seed": 2}).json
    assert set(mutated) == {"changed", "added", "completed", "deleted"} and sum(mutated.values()) == 15
    assert client.post("/_emulator/hitask/delete", json={"item_id": item_id}).json == {"deleted": [item_id]}
    assert client.post("/_emulator/hitask/expire_sessions").json == {"status": "ok"}
    assert hitask_error(hitask.get("/item"))[1] == 7


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/_emulator/hitask/explode", {}, 400),
        ("/_emulator/hitask/change", {"item_id": 1, "title": "x"}, 400),
        ("/_emulator/hitask/change", {"item_id": 3360004, "colour": 1}, 400),
        ("/_emulator/hitask/add", {"category": "meeting"}, 400),
        ("/_emulator/hitask/mutate", {"fraction": 2}, 400),
        ("/_emulator/nowhere/mutate", {}, 404),
    ],
)
def test_control__invalid_requests(client: JsonClient, path: str, body: dict, status: int) -> None:
    response = client.post(path, json=body)
    assert response.status_code == status and "error" in response.json


def test_reset__items_sessions_and_session_ttl(app: EmulatorApp, hitask: Hitask) -> None:
    seed_items, _ = hitask.listing()
    app.hitask.session_ttl = 5
    app.hitask.mutate(0.1, seed=1)
    app.reset()
    assert app.hitask.session_ttl == 3600 and hitask_error(hitask.get("/item"))[1] == 7
    hitask.session_id = hitask.sign_in().json["session_id"]
    assert hitask.listing()[0] == seed_items
