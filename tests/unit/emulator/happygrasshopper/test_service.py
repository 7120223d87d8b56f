"""Happy Grasshopper bearer auth and revocation, Laravel-style errors, the environment, control, reset."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import HG_BASE, HappyGrasshopper, JsonClient


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer hg-wrong-key-77"},
        {"Authorization": "Basic hg-emulator-key-1"},
        {"Authorization": "hg-emulator-key-1"},
    ],
)
def test_auth__missing_or_unknown_key_is_401(client: JsonClient, headers: dict[str, str]) -> None:
    for path in ("/contacts", "/contacts/100001", "/nowhere"):
        response = client.get(f"{HG_BASE}{path}", headers=headers)
        assert response.status_code == 401 and response.json == {"message": "Unauthenticated."}
        assert "hg-wrong-key-77" not in response.get_data(as_text=True) + str(response.headers)


def test_auth__scheme_is_case_insensitive(client: JsonClient, hg: HappyGrasshopper) -> None:
    assert client.get(f"{HG_BASE}/contacts", headers={"Authorization": f"bearer {hg.key}"}).status_code == 200


def test_revoke__403_from_then_on_until_reset(app: EmulatorApp, hg: HappyGrasshopper) -> None:
    assert hg.get("/contacts").status_code == 200
    app.happygrasshopper.revoke(hg.key)
    for path in ("/contacts", "/contacts/1"):
        response = hg.get(path)
        assert response.status_code == 403 and response.json == {"message": "This API key has been revoked."}
    app.reset()
    assert hg.get("/contacts").status_code == 200


def test_revoke__over_http(client: JsonClient, hg: HappyGrasshopper) -> None:
    assert client.post("/_emulator/happygrasshopper/revoke", json={"key": hg.key}).json == {"status": "ok"}
    assert hg.get("/contacts").status_code == 403
    assert client.post("/_emulator/happygrasshopper/revoke", json={}).status_code == 400


def test_routes__unknown_route_and_method(client: JsonClient, hg: HappyGrasshopper) -> None:
    assert hg.get("/users").status_code == 404 and hg.get("/users").json == {"message": "Not found."}
    posted = client.post(f"{HG_BASE}/contacts", headers={"Authorization": f"Bearer {hg.key}"}, json={})
    assert posted.status_code == 405 and set(posted.json) == {"message"}
    assert client.get("/happygrasshopper/contacts", headers={"Authorization": f"Bearer {hg.key}"}).status_code == 404


def test_rate_limit__429_too_many_attempts_with_retry_after(app: EmulatorApp, hg: HappyGrasshopper) -> None:
    app.configure(service="happygrasshopper", rate_limit=(1, 30.0))
    hg.get("/contacts")
    plain = hg.get("/contacts")
    assert plain.status_code == 429 and plain.json == {"message": "Too Many Attempts."}
    assert "Retry-After" not in plain.headers
    app.configure(service="happygrasshopper", retry_after=True)
    assert 1 <= int(hg.get("/contacts").headers["Retry-After"]) <= 30


def test_environ__base_url_with_version_and_key(app: EmulatorApp) -> None:
    assert (
        app.environ("http://127.0.0.1:9").items()
        >= {
            "HAPPYGRASSHOPPER_BASE_URL": "http://127.0.0.1:9/happygrasshopper/v3",
            "HAPPYGRASSHOPPER_API_KEY": "hg-emulator-key-1",
        }.items()
    )
