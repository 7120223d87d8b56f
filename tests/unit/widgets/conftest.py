"""Demo data from the emulator for the explorer tests, loaded once per module."""

from __future__ import annotations

from typing import Any

import matplotlib
import pandas as pd
import pytest

from tests.helpers import FAST_RETRY

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def data(emulator_server: Any) -> dict[str, pd.DataFrame]:
    from apitoolkit.hitask import HitaskClient, load_items, load_team_members
    from apitoolkit.itglue import ITGlueClient, load_expirations, load_user_metrics, load_users

    emulator_server.app.reset()
    env = emulator_server.environ()
    itglue = ITGlueClient(api_key=env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], cache="off", retry=FAST_RETRY)
    hitask = HitaskClient(
        api_key=env["HITASK_API_KEY"],
        login=env["HITASK_LOGIN"],
        password=env["HITASK_PASSWORD"],
        base_url=env["HITASK_BASE_URL"],
        cache="off",
        retry=FAST_RETRY,
    )
    return {
        "users": load_users(client=itglue),
        "metrics": load_user_metrics("2026-08-01", "2026-11-22", client=itglue),
        "expirations": load_expirations(client=itglue),
        "items": load_items(hitask),
        "members": load_team_members(hitask),
    }
