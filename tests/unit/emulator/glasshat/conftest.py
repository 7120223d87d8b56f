"""Fixtures of the Glasshat emulator tests: calls with the default account's ``apikey``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.glasshat import GlasshatAccount

ISO_Z = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


@dataclass
class Glasshat:
    """Calls the Glasshat routes of an app through werkzeug's test client."""

    client: Client
    key: str

    def get(self, path: str, key: str | None = None, **params: Any) -> TestResponse:
        """``GET /glasshat{path}`` with ``apikey`` (default: the app's) in the query string."""
        return self.client.get(f"/glasshat{path}", query_string={"apikey": self.key if key is None else key,
                                                                   **params})

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        """``POST /glasshat{path}`` (``query_string``, ``data`` or ``json`` as given)."""
        return self.client.post(f"/glasshat{path}", **kwargs)

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        """The JSON object of a GET that must succeed."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        document: dict[str, Any] = response.json
        return document

    def all(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every record of a list endpoint, 500 a page."""
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            document = self.ok(path, page=page, per_page=500, **params)
            records += document[key]
            if page * 500 >= document["total"]:
                return records
            page += 1


@pytest.fixture
def glasshat(app: EmulatorApp, client: Client) -> Glasshat:
    """Glasshat calls with the default account's key."""
    return Glasshat(client, app.glasshat.api_key)


@pytest.fixture
def account(app: EmulatorApp) -> GlasshatAccount:
    """The default Glasshat account."""
    return app.glasshat.accounts[app.glasshat.api_key]


def error(response: TestResponse) -> tuple[int, str]:
    """``(HTTP status, error name)`` of a Glasshat error document."""
    errors = response.json["errors"]
    assert len(errors) == 1 and all(isinstance(message, str) and message for message in errors.values())
    return response.status_code, next(iter(errors))
