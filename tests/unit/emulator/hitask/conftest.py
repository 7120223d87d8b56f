"""Fixtures of the Hitask emulator tests: calls with a signed-in session, and a local replica fed by deltas."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import Hitask, JsonClient


@pytest.fixture
def hitask(app: EmulatorApp, client: JsonClient) -> Hitask:
    """Hitask calls with a fresh session of the app's user."""
    calls = Hitask(client, app.hitask)
    calls.session_id = calls.sign_in().json["session_id"]
    return calls
