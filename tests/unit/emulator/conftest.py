"""Fixtures of the emulator's unit tests: a small app at a fixed instant, and a JSON client for it."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.itglue import ITGlueAccount
from tests.helpers import APP_NOW, Api, JsonClient


@pytest.fixture
def app() -> EmulatorApp:
    """A small emulator, seed 1, anchored at ``APP_NOW``."""
    return EmulatorApp(seed=1, size="small", now=APP_NOW)


@pytest.fixture
def client(app: EmulatorApp) -> JsonClient:
    """werkzeug's test client for the app."""
    return JsonClient(app)


@pytest.fixture
def api(app: EmulatorApp, client: JsonClient) -> Api:
    """IT Glue calls with the default account's key."""
    return Api(client, app.itglue.api_key)


@pytest.fixture
def account(app: EmulatorApp) -> ITGlueAccount:
    """The default IT Glue account."""
    return app.itglue.accounts[app.itglue.api_key]
