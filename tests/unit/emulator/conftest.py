"""Fixtures of the emulator's unit tests: a small app at a fixed instant, and a JSON client for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.itglue import ITGlueAccount

NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


@dataclass
class Api:
    """Calls the IT Glue routes of an app through werkzeug's test client."""

    client: Client
    key: str

    def get(self, path: str, key: str | None = None, **params: Any) -> TestResponse:
        """``GET /itglue{path}`` with ``params`` as query and ``key`` (default: the app's) as x-api-key."""
        headers = {"x-api-key": self.key if key is None else key}
        return self.client.get(f"/itglue{path}", query_string=params, headers=headers)

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        """The JSON document of a request that must succeed."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        document: dict[str, Any] = response.json
        return document

    def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every record of a list endpoint, paging with ``meta`` (1000 a page)."""
        records: list[dict[str, Any]] = []
        number = 1
        while True:
            document = self.ok(path, **{"page[size]": 1000, "page[number]": number, **params})
            records += document["data"]
            if document["meta"]["next-page"] is None:
                return records
            number += 1

    def ids(self, path: str, **params: Any) -> list[int]:
        """The ids of every record of a list endpoint, in the served order."""
        return [int(record["id"]) for record in self.all(path, **params)]


@pytest.fixture
def app() -> EmulatorApp:
    """A small emulator, seed 1, anchored at ``NOW``."""
    return EmulatorApp(seed=1, size="small", now=NOW)


@pytest.fixture
def client(app: EmulatorApp) -> Client:
    """werkzeug's test client for the app."""
    return Client(app)


@pytest.fixture
def api(app: EmulatorApp, client: Client) -> Api:
    """IT Glue calls with the default account's key."""
    return Api(client, app.itglue.api_key)


@pytest.fixture
def account(app: EmulatorApp) -> ITGlueAccount:
    """The default IT Glue account."""
    return app.itglue.accounts[app.itglue.api_key]


def attr(record: dict[str, Any], name: str) -> Any:
    """One attribute of a JSON:API record."""
    return record["attributes"][name]
