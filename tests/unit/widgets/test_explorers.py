"""The explorers driven without a browser: every control redraws, state survives a refresh, errors are shown."""

from __future__ import annotations

from typing import Any

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

from apitoolkit.exceptions import ServerError
from apitoolkit.widgets import (
    ExpirationsExplorer,
    ReputationExplorer,
    TaskExplorer,
    explore_expirations,
    explore_reputation,
    explore_tasks,
)
from tests.conftest import FAST_RETRY

NOW = "2026-11-23 12:00"


@pytest.fixture(scope="module")
def data(emulator_server: Any) -> dict[str, pd.DataFrame]:
    from apitoolkit.hitask import HitaskClient, load_items
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
    }


def images(explorer: Any) -> dict[str, bytes]:
    return {name: bytes(image.value) for name, image in explorer.images.items()}


def assert_redraws(explorer: Any, control: str, value: Any) -> None:
    before_images, before_table, before_count = images(explorer), explorer.table_view.value, explorer.updates
    explorer.controls[control].value = value
    assert explorer.updates == before_count + 1, f"{control} did not redraw"
    assert images(explorer) != before_images or explorer.table_view.value != before_table, f"{control}: same output"


def test_reputation_explorer__every_control_redraws(data) -> None:
    explorer = ReputationExplorer(data["users"], data["metrics"])
    assert all(v.startswith(b"\x89PNG") for v in images(explorer).values())
    assert explorer.table_view.value.count("<tr") == 10 + 1  # top 10 and the header
    assert_redraws(explorer, "top", 5)
    assert len(explorer.table()) == 5
    role = explorer.controls["role"].options[1]
    assert_redraws(explorer, "role", role)
    assert set(explorer.table()["role_name"]) == {role}
    assert_redraws(explorer, "view", "by resource type")
    period = explorer.controls["period"]
    assert_redraws(explorer, "period", (period.options[1][1], period.options[-2][1]))


def test_reputation_explorer__refresh_keeps_choices_and_errors_are_shown(data) -> None:
    calls = []

    def reload() -> dict[str, pd.DataFrame]:
        calls.append(1)
        if len(calls) == 2:
            raise ServerError("IT Glue answered 503: try again later.", service="itglue", status=503)
        return {"users": data["users"].head(20), "metrics": data["metrics"]}

    explorer = explore_reputation(data["users"], data["metrics"], reload=reload)
    role = data["users"].head(20)["role_name"].iloc[0]  # still there after the refresh
    explorer.controls["role"].value = role
    explorer.controls["top"].value = 4
    explorer.refresh_button.click()
    assert (explorer.controls["role"].value, explorer.controls["top"].value) == (role, 4)
    assert len(explorer.data["users"]) == 20 and "Refreshed" in explorer.status.value
    explorer.refresh_button.click()
    assert "Refresh failed" in explorer.status.value and "503" in explorer.status.value
    assert len(explorer.data["users"]) == 20 and not explorer.refresh_button.disabled


def test_expirations_explorer__controls_and_a_vanished_choice(data) -> None:
    explorer = explore_expirations(data["expirations"], now=NOW, reload=lambda: {"expirations": data["expirations"]})
    assert_redraws(explorer, "horizon", 30)
    due = explorer.table()
    assert (due["days_until"] <= 30).all()
    organization = explorer.controls["organization"].options[1]
    assert_redraws(explorer, "organization", organization)
    assert set(explorer.table()["organization_name"]) <= {organization}
    assert_redraws(explorer, "resource_type", explorer.controls["resource_type"].options[1])
    others = data["expirations"][data["expirations"]["organization_name"] != organization]
    explorer._reload = lambda: {"expirations": others}
    explorer.refresh()
    assert explorer.controls["organization"].value == "All organizations"  # the chosen one is gone
    assert explorer.controls["horizon"].value == 30


def test_task_explorer__controls_redraw_and_overdue_table(data) -> None:
    explorer = explore_tasks(data["items"], now=NOW, reload=lambda: {"tasks": data["items"]})
    assert_redraws(explorer, "granularity", "month")
    assert_redraws(explorer, "start", pd.Timestamp("2025-01-01").date())
    project = explorer.controls["project"].options[1]
    assert_redraws(explorer, "project", project)
    assert set(explorer.table()["project"]) <= {project}
    explorer.controls["project"].value = "All projects"
    assert_redraws(explorer, "assignee", explorer.controls["assignee"].options[1])
    assert isinstance(explorer, TaskExplorer)


def test_explorers__show_themselves_as_widgets(data) -> None:
    bundle = ExpirationsExplorer(data["expirations"], now=NOW)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
