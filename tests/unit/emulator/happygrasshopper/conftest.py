"""Fixtures of the Happy Grasshopper emulator tests: calls with the bearer key."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import HappyGrasshopper, JsonClient


@pytest.fixture
def hg(app: EmulatorApp, client: JsonClient) -> HappyGrasshopper:
    """Happy Grasshopper calls with the app's key."""
    return HappyGrasshopper(client, app.happygrasshopper.api_key)
