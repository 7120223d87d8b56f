"""Hitask dialects: the readings of what the documents leave open (assignee key, delta stubs, status of code 7)."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import Hitask, hitask_error


def test_dialects__defaults_are_the_field_table_stubs_and_401(app: EmulatorApp) -> None:
    assert app.services["hitask"].dialects == {
        "assignee_field": ("assigneeId", "assignee"),
        "delta": ("stubs", "changes_only"),
        "session_status": ("401", "200", "400", "403"),
    }
    with pytest.raises(ValueError, match="assignee_field"):
        app.configure(service="hitask", dialect={"assignee_field": "assigned_to"})


def test_assignee_field__listing_and_delta_spell_it_as_configured(app: EmulatorApp, hitask: Hitask) -> None:
    before, cursor = hitask.listing()
    task = next(item for item in before if item["assigneeId"])
    app.hitask.change(task["id"], title="Spelled differently")
    app.configure(service="hitask", dialect={"assignee_field": "assignee"})
    items, _ = hitask.listing()
    assert all("assignee" in item and "assigneeId" not in item for item in items)
    assert [item["assignee"] for item in items] == [item["assigneeId"] for item in before]
    changed = [entry for entry in hitask.delta(cursor)[0] if entry["changed"]]
    assert [entry["id"] for entry in changed] == [task["id"]] and changed[0]["assignee"] == task["assigneeId"]
    app.configure(service="hitask", dialect={"assignee_field": None})
    assert "assigneeId" in hitask.listing()[0][0]


def test_delta__changes_only_lists_changed_and_added_items_without_stubs(app: EmulatorApp, hitask: Hitask) -> None:
    app.configure(service="hitask", dialect={"delta": "changes_only"})
    items, cursor = hitask.listing()
    assert hitask.delta(cursor) == ([], cursor)
    leaf = next(item for item in items if item["category"] == 4)
    app.hitask.delete(leaf["id"])
    changed = items[0]["id"]
    app.hitask.change(changed, title="Only me")
    added = app.hitask.add("task", title="New")
    entries, new_cursor = hitask.delta(cursor)
    assert [entry["id"] for entry in entries] == [changed, added] and new_cursor > cursor
    assert all(entry["changed"] is True for entry in entries) and entries[0]["title"] == "Only me"
    app.reset()  # dialects are kept across a reset
    assert app.services["hitask"].reading("delta") == "changes_only"


@pytest.mark.parametrize("status", ["401", "200", "400", "403"])
def test_session_status__code_7_comes_with_the_configured_status(app: EmulatorApp, hitask: Hitask, status: str) -> None:
    app.configure(service="hitask", dialect={"session_status": status})
    assert hitask_error(hitask.get("/tag", session_id="gone")) == (
        int(status),
        7,
        "Session not found, please authenticate first",
    )
    assert hitask.get("/tag").status_code == 200
    assert hitask_error(hitask.sign_in(api_key="wrong-key"))[:2] == (401, 8)  # other refusals keep their status
