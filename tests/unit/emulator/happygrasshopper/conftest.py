"""Fixtures of the Happy Grasshopper emulator tests: calls with the bearer key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.test import Client, TestResponse

from apitoolkit.emulator import EmulatorApp

BASE = "/happygrasshopper/v3"
ISO_Z = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


@dataclass
class HappyGrasshopper:
    """Calls the Happy Grasshopper routes of an app through werkzeug's test client."""

    client: Client
    key: str

    def get(self, path: str, params: Any = None, key: str | None = None) -> TestResponse:
        """``GET /happygrasshopper/v3{path}`` with ``Authorization: Bearer <key>``; ``params`` dict or pairs."""
        return self.client.get(f"{BASE}{path}", query_string=params,
                               headers={"Authorization": f"Bearer {self.key if key is None else key}"})

    def ok(self, path: str, params: Any = None) -> dict[str, Any]:
        """The JSON document of a request that must succeed."""
        response = self.get(path, params)
        assert response.status_code == 200, response.get_data(as_text=True)
        document: dict[str, Any] = response.json
        return document

    def all(self, params: Any = None) -> list[dict[str, Any]]:
        """Every contact matching ``params``, following ``links.next``."""
        contacts: list[dict[str, Any]] = []
        document = self.ok("/contacts", {"per_page": 100, **(params or {})})
        while True:
            contacts += document["data"]
            if document["links"]["next"] is None:
                return contacts
            document = self.ok("/contacts" + document["links"]["next"].split("/contacts", 1)[1])


@pytest.fixture
def hg(app: EmulatorApp, client: Client) -> HappyGrasshopper:
    """Happy Grasshopper calls with the app's key."""
    return HappyGrasshopper(client, app.happygrasshopper.api_key)
