"""The explorers driven without a browser: every control redraws, state survives a refresh, errors are shown."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from apitoolkit.exceptions import ServerError
from apitoolkit.widgets import (
    ExpirationsExplorer,
    ReputationExplorer,
    TaskExplorer,
    explore_expirations,
    explore_reputation,
    explore_tasks,
)
from apitoolkit.widgets.base import Explorer, html_table

NOW = "2026-11-23 12:00"


def images(explorer: Any) -> dict[str, bytes]:
    return {name: bytes(image.value) for name, image in explorer.images.items()}


def output(explorer: Any) -> tuple[Any, ...]:
    return images(explorer), explorer.table_view.value, explorer.readout.value


def assert_redraws(explorer: Any, control: str, value: Any) -> None:
    before, before_count = output(explorer), explorer.updates
    explorer.controls[control].value = value
    assert explorer.updates == before_count + 1, f"{control} did not redraw"
    assert output(explorer) != before, f"{control}: same output"


def test_reputation_explorer__every_control_redraws(data: dict[str, pd.DataFrame]) -> None:
    explorer = ReputationExplorer(data["users"], data["metrics"])
    assert all(v.startswith(b"\x89PNG") for v in images(explorer).values())
    assert explorer.table_view.value.count("<tr") == 10 + 1  # top 10 and the header
    assert "Weeks " in explorer.readout.value
    assert_redraws(explorer, "top", 5)
    assert len(explorer.table()) == 5
    role = explorer.controls["role"].options[1]
    assert_redraws(explorer, "role", role)
    assert set(explorer.table()["role_name"]) == {role}
    assert_redraws(explorer, "view", "by resource type")
    period = explorer.controls["period"]
    assert_redraws(explorer, "period", (period.options[1][1], period.options[-2][1]))


def test_reputation_explorer__refresh_keeps_choices_and_errors_are_shown(data: dict[str, pd.DataFrame]) -> None:
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


def test_expirations_explorer__controls_and_a_vanished_choice(data: dict[str, pd.DataFrame]) -> None:
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


def test_task_explorer__controls_redraw_and_overdue_table(data: dict[str, pd.DataFrame]) -> None:
    explorer = explore_tasks(data["items"], now=NOW, reload=lambda: {"tasks": data["items"]})
    assert_redraws(explorer, "granularity", "month")
    assert_redraws(explorer, "start", pd.Timestamp("2025-01-01").date())
    project = explorer.controls["project"].options[1]
    assert_redraws(explorer, "project", project)
    assert set(explorer.table()["project"]) <= {project}
    explorer.controls["project"].value = "All projects"
    assert_redraws(explorer, "assignee", explorer.controls["assignee"].options[1])
    assert isinstance(explorer, TaskExplorer)


def test_explorers__show_themselves_as_widgets(data: dict[str, pd.DataFrame]) -> None:
    bundle = ExpirationsExplorer(data["expirations"], now=NOW)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_html_table__readable_cells_all_columns_and_a_row_count_instead_of_dots() -> None:
    frame = pd.DataFrame(
        {
            "expiration_date": pd.date_range("2026-12-01", periods=60, freq="D", tz="UTC"),
            "organization_name": ["株式会社山本運輸 <b>"] * 60,
        }
    )
    text = html_table(frame, heading="Due soon", max_rows=50)
    assert "<h4" in text and "Due soon" in text and text.count("<tr") == 50 + 1
    assert "2026-12-01<" in text and "00:00:00" not in text  # a date, as `readable` writes it
    assert "株式会社山本運輸 &lt;b&gt;" in text and "..." not in text and "First 50 of 60 rows shown." in text
    assert "None." in html_table(frame.head(0), heading="Lapsed")


def test_explorer__a_control_left_out_of_the_rows_is_still_shown() -> None:
    class Tiny(Explorer):
        def selection(self) -> pd.DataFrame:
            return self.data["x"][self.data["x"]["a"] == self.value("a")]

        def figures(self, chosen: pd.DataFrame) -> dict[str, Any]:
            return {}

        def tables(self, chosen: pd.DataFrame) -> dict[str, pd.DataFrame]:
            return {"Rows": chosen}

    controls = {"a": widgets.Dropdown(options=[1, 2]), "b": widgets.Dropdown(options=["x"])}
    explorer = Tiny({"x": pd.DataFrame({"a": [1, 2, 2]})}, controls, [], rows=[["a"]])
    rows = [w for w in explorer.widget.children if isinstance(w, widgets.HBox)]
    assert [list(r.children) for r in rows[:2]] == [[controls["a"]], [controls["b"]]]
    controls["a"].value = 2
    assert len(explorer.table()) == 2 and explorer.table_view.value.count("<tr") == 2 + 1
