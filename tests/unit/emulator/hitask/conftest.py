"""Fixtures of the Hitask emulator tests: calls with a signed-in session, and a local replica fed by deltas."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.hitask import HitaskBackend

ISO_MS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


@dataclass
class Hitask:
    """Calls the Hitask routes of an app through werkzeug's test client."""

    client: Client
    backend: HitaskBackend
    session_id: str = ""

    def sign_in(self, method: str = "GET", **overrides: str | None) -> TestResponse:
        """``user/authenticate`` with the backend's credentials; an override of None leaves one out."""
        backend = self.backend
        params = {"api_key": backend.api_key, "login": backend.login, "password": backend.password, **overrides}
        sent = {name: value for name, value in params.items() if value is not None}
        if method == "POST":
            return self.client.post("/hitask/user/authenticate", data=sent)
        return self.client.get("/hitask/user/authenticate", query_string=sent)

    def get(self, path: str, session_id: str | None = None, **params: Any) -> TestResponse:
        """``GET /hitask{path}`` with the session (or ``session_id``) in the query string."""
        session = self.session_id if session_id is None else session_id
        return self.client.get(f"/hitask{path}", query_string={"session_id": session, **params})

    def ok(self, path: str, **params: Any) -> Any:
        """The JSON of a request that must succeed."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def listing(self) -> tuple[list[dict[str, Any]], int]:
        """``GET /item``: the items and the ``X-Cursor``."""
        response = self.get("/item")
        assert response.status_code == 200
        return response.json, int(response.headers["X-Cursor"])

    def delta(self, cursor: int) -> tuple[list[dict[str, Any]], int]:
        """``GET /item/delta/{cursor}``: the entries and the new ``X-Cursor``."""
        response = self.get(f"/item/delta/{cursor}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json, int(response.headers["X-Cursor"])


@pytest.fixture
def hitask(app: EmulatorApp, client: Client) -> Hitask:
    """Hitask calls with a fresh session of the app's user."""
    calls = Hitask(client, app.hitask)
    calls.session_id = calls.sign_in().json["session_id"]
    return calls


def error(response: TestResponse) -> tuple[int, int, str]:
    """``(HTTP status, response_status, error_message)`` of a Hitask error."""
    body = response.json
    assert set(body) == {"response_status", "error_message"}
    return response.status_code, body["response_status"], body["error_message"]
