"""Fixtures of the Glasshat emulator tests: calls with the default account's ``apikey``."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.glasshat import GlasshatAccount
from tests.helpers import Glasshat, JsonClient


@pytest.fixture
def glasshat(app: EmulatorApp, client: JsonClient) -> Glasshat:
    """Glasshat calls with the default account's key."""
    return Glasshat(client, app.glasshat.api_key)


@pytest.fixture
def account(app: EmulatorApp) -> GlasshatAccount:
    """The default Glasshat account."""
    return app.glasshat.accounts[app.glasshat.api_key]
