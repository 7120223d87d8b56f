"""Hitask items: the listing and its X-Cursor, deltas over rounds of mutations, history, mutation rules."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.hitask.data import parse_time
from apitoolkit.emulator.hitask.items import now_ms
from tests.helpers import APP_NOW, ISO_MS, Hitask, hitask_error

FIELDS = {
    "id",
    "guid",
    "user_id",
    "title",
    "short_name",
    "issue_id",
    "completed",
    "color",
    "color_value",
    "category",
    "message",
    "parent",
    "recurring",
    "assigneeId",
    "participants",
    "start_date",
    "end_date",
    "due_date",
    "is_all_day",
    "shared",
    "time_last_update",
    "time_create",
    "starred",
    "time_track",
    "time_est",
    "time_spent",
    "priority",
    "tags",
    "permissions",
}


def _ms(item: dict[str, Any]) -> int:
    return parse_time(item["time_last_update"])


def test_items__every_item_by_id_with_the_documented_fields(hitask: Hitask) -> None:
    items, cursor = hitask.listing()
    assert len(items) == 300 and [item["id"] for item in items] == sorted(item["id"] for item in items)
    assert all(set(item) == FIELDS for item in items)
    assert cursor == max(_ms(item) for item in items)


def test_items__values_have_the_documented_formats(hitask: Hitask) -> None:
    items, _ = hitask.listing()
    member_ids = {member["id"] for member in hitask.backend.members}
    for item in items:
        assert item["category"] in (0, 1, 2, 4, 5) and item["user_id"] in member_ids
        for name in ("completed", "is_all_day", "shared", "starred", "time_track"):
            assert isinstance(item[name], bool), name
        for name in ("time_create", "time_last_update", "start_date", "end_date", "due_date"):
            assert item[name] is None or re.fullmatch(ISO_MS, item[name]), (name, item[name])
        assert 10_000 <= item["priority"] <= 30_000 and isinstance(item["time_est"], float)
        assert (item["short_name"] is not None) == (item["category"] == 0)
        assert item["short_name"] is None or re.fullmatch(r"[A-Z0-9]{1,8}", item["short_name"])
        assert item["tags"] is None or (item["tags"] and all(isinstance(tag, str) for tag in item["tags"]))
        assert item["participants"] is None or set(item["participants"]) <= member_ids
        assert item["permissions"][0] == {"principal": item["user_id"], "level": 100}
        assert item["assigneeId"] == 0 or item["assigneeId"] in member_ids
        assert _ms(item) >= parse_time(item["time_create"])


def test_items__realistic_mix(hitask: Hitask) -> None:
    items, _ = hitask.listing()
    by_id = {item["id"]: item for item in items}
    share = {code: sum(item["category"] == code for item in items) / len(items) for code in (0, 1, 2, 4, 5)}
    assert 0.005 < share[0] < 0.06 and 0.6 < share[1] < 0.8 and 0.05 < share[2] < 0.2
    assert 0.04 < share[4] < 0.17 and 0.02 < share[5] < 0.12
    tasks = [item for item in items if item["category"] == 1]
    in_projects = [task for task in tasks if task["parent"] and by_id[task["parent"]]["category"] == 0]
    assert len(in_projects) > len(tasks) / 3
    assert all(by_id[item["parent"]]["category"] in (0, 1) for item in items if item["parent"])
    now = int(APP_NOW.timestamp() * 1000)
    overdue = [t for t in tasks if t["due_date"] and parse_time(t["due_date"]) < now and not t["completed"]]
    assert overdue and 0.2 < sum(task["completed"] for task in tasks) / len(tasks) < 0.8
    assert sum(item["due_date"] is None for item in items) > len(items) / 3
    assert any(not item["title"].isascii() for item in items)
    assert {item["time_create"][-6:] for item in items} > {"+01:00"}


def test_delta__from_the_listing_cursor_everything_is_a_stub(hitask: Hitask) -> None:
    items, cursor = hitask.listing()
    entries, new_cursor = hitask.delta(cursor)
    assert entries == [{"id": item["id"], "changed": False} for item in items] and new_cursor == cursor


def test_delta__from_zero_everything_changed(hitask: Hitask) -> None:
    items, cursor = hitask.listing()
    entries, new_cursor = hitask.delta(0)
    assert entries == [{**item, "changed": True} for item in items] and new_cursor == cursor


def test_delta__rounds_of_mutations_keep_a_replica_exact(app: EmulatorApp, hitask: Hitask) -> None:
    items, cursor = hitask.listing()
    replica = {item["id"]: item for item in items}
    backend, deleted = app.hitask, 0
    for round_ in range(4):
        counts = backend.mutate(0.05, seed=round_)
        first_id = backend.items.records.ids()[round_]
        backend.change(first_id, title=f"Round {round_}: Überprüfung")
        added = backend.add("event", start_date="2025-03-03T09:00:00.000+09:00")
        entries, new_cursor = hitask.delta(cursor)
        changed = [entry for entry in entries if entry["changed"]]
        touched = counts["changed"] + counts["completed"] + counts["added"]
        assert {entry["id"] for entry in changed} >= {first_id, added} and touched + 1 <= len(changed) <= touched + 2
        assert all(set(entry) == {"id", "changed"} for entry in entries if not entry["changed"])
        assert new_cursor == max(_ms(entry) for entry in changed) > cursor
        live = {entry["id"] for entry in entries}
        replica = {id_: item for id_, item in replica.items() if id_ in live}
        replica.update({entry["id"]: {k: v for k, v in entry.items() if k != "changed"} for entry in changed})
        listing, listing_cursor = hitask.listing()
        assert sorted(replica) == [item["id"] for item in listing] and listing_cursor == new_cursor
        assert [replica[item["id"]] for item in listing] == listing
        deleted += counts["deleted"]
        cursor = new_cursor
    assert deleted > 0 and hitask.delta(cursor) == ([{"id": id_, "changed": False} for id_ in replica], cursor)


def test_delta__deleted_items_are_absent(app: EmulatorApp, hitask: Hitask) -> None:
    items, cursor = hitask.listing()
    project = next(item for item in items if item["category"] == 0 and any(i["parent"] == item["id"] for i in items))
    children = {item["id"] for item in items if item["parent"] == project["id"]}
    deleted = app.hitask.delete(project["id"])
    assert set(deleted) >= {project["id"], *children}
    entries, new_cursor = hitask.delta(cursor)
    assert not {entry["id"] for entry in entries} & set(deleted) and new_cursor == cursor
    assert len(entries) == len(items) - len(deleted)


@pytest.mark.parametrize("cursor", ["abc", "12.5", "1e9"])
def test_delta__cursor_not_an_integer_is_400_code_5(hitask: Hitask, cursor: str) -> None:
    assert hitask_error(hitask.get(f"/item/delta/{cursor}")) == (400, 5, "Invalid data format of delta")


def test_delta__cursor_in_the_future_is_400_code_6(hitask: Hitask) -> None:
    assert hitask_error(hitask.get(f"/item/delta/{now_ms() + 5_000}")) == (400, 6, "delta is not valid")
    assert hitask.get(f"/item/delta/{now_ms() + 200}").status_code == 200


def test_mutations__stamps_grow_past_the_latest_even_with_a_slow_clock(app: EmulatorApp, hitask: Hitask) -> None:
    store = app.hitask.items
    store.clock = now_ms() + 60_000
    ids = store.records.ids()[:3]
    stamps = [_ms(app.hitask.change(id_, priority=30_000)) for id_ in ids]
    assert stamps == [store.clock - 2, store.clock - 1, store.clock]
    assert hitask.delta(stamps[0])[1] == stamps[-1]


def test_mutations__validate_fields_and_ids(app: EmulatorApp) -> None:
    backend, first = app.hitask, app.hitask.items.records.ids()[0]
    with pytest.raises(ValueError, match="cannot be set"):
        backend.change(first, time_create="2025-01-01T00:00:00.000+00:00")
    with pytest.raises(ValueError, match="invalid value"):
        backend.change(first, completed="yes")
    with pytest.raises(ValueError):
        backend.change(first, due_date="tomorrow")
    with pytest.raises(KeyError):
        backend.change(1, title="x")
    with pytest.raises(ValueError, match="category"):
        backend.add("meeting")


def test_mutations__add_by_name_or_code_with_defaults(app: EmulatorApp, hitask: Hitask) -> None:
    backend = app.hitask
    project = backend.add("project", title="Relaunch 2026")
    task = backend.add(1, parent=project, due_date="2025-03-07T17:00:00+01:00", tags=["urgent"])
    items = {item["id"]: item for item in hitask.listing()[0]}
    assert items[project]["category"] == 0 and items[project]["short_name"] == "RELAUN"
    assert items[task]["parent"] == project and items[task]["due_date"].endswith(".000" + items[task]["due_date"][-6:])
    assert parse_time(items[task]["due_date"]) == parse_time("2025-03-07T17:00:00+01:00")
    assert items[task]["title"] and items[task]["user_id"] == backend.members[0]["id"] and set(items[task]) == FIELDS


def test_history__events_and_comments_oldest_first(hitask: Hitask) -> None:
    items, _ = hitask.listing()
    histories = {item["id"]: hitask.ok("/item/history", id=item["id"]) for item in items[:60]}
    for item_id, events in histories.items():
        assert events[0]["type"] == "create" and all(event["item_id"] == item_id for event in events)
        assert [parse_time(e["time"]) for e in events] == sorted(parse_time(e["time"]) for e in events)
        assert all(set(event) == {"id", "item_id", "user_id", "time", "type", "message"} for event in events)
        assert all(re.fullmatch(ISO_MS, event["time"]) for event in events)
    kinds = {event["type"] for events in histories.values() for event in events}
    assert kinds == {"create", "update", "comment", "complete"}
    ids = [event["id"] for events in histories.values() for event in events]
    assert len(ids) == len(set(ids))
    assert histories == {item_id: hitask.ok("/item/history", id=item_id) for item_id in histories}


def test_history__mutations_append_events(app: EmulatorApp, hitask: Hitask) -> None:
    item = next(item for item in hitask.listing()[0] if item["category"] == 1 and not item["completed"])
    before = hitask.ok("/item/history", id=item["id"])
    app.hitask.change(item["id"], title="Neu: 見積書")
    app.hitask.complete(item["id"])
    after = hitask.ok("/item/history", id=item["id"])
    assert after[: len(before)] == before
    assert [(event["type"], event["message"]) for event in after[len(before) :]] == [
        ("update", "Changed title"),
        ("complete", "Completed task"),
    ]
    now_item = next(i for i in hitask.listing()[0] if i["id"] == item["id"])
    assert now_item["completed"] and after[-1]["time"] == now_item["time_last_update"]


@pytest.mark.parametrize("item_id", ["1", "abc"])
def test_history__unknown_item_is_404_code_1(hitask: Hitask, item_id: str) -> None:
    assert hitask_error(hitask.get("/item/history", id=item_id)) == (404, 1, "Item not found")


def test_history__missing_id_is_400_code_4(hitask: Hitask) -> None:
    assert hitask_error(hitask.get("/item/history")) == (400, 4, "id is mandatory")


@pytest.mark.parametrize("path", ["/item/3360004/history", "/team/members"])
def test_routes__undocumented_paths_are_gone(hitask: Hitask, path: str) -> None:
    assert hitask_error(hitask.get(path))[:2] == (404, 1)


def test_history__deleted_item_is_404(app: EmulatorApp, hitask: Hitask) -> None:
    leaf = next(item for item in hitask.listing()[0] if item["category"] == 4)
    app.hitask.delete(leaf["id"])
    assert hitask_error(hitask.get("/item/history", id=leaf["id"]))[0] == 404


def test_lists__tags_members_groups_contacts(app: EmulatorApp, hitask: Hitask) -> None:
    tags, members = hitask.ok("/tag"), hitask.ok("/team")
    groups, contacts = hitask.ok("/group"), hitask.ok("/contact")
    assert all(set(tag) == {"id", "name", "shared"} for tag in tags) and len(tags) == 12
    assert all(
        set(m) == {"id", "login", "firstName", "lastName", "email", "businessLevel", "isOnline"} for m in members
    )
    assert members[0]["businessLevel"] == 100 and {m["businessLevel"] for m in members} <= {1, 2, 10, 100}
    assert groups[0] == {"id": groups[0]["id"], "name": "Everyone", "members": [m["id"] for m in members]}
    assert all(set(group) == {"id", "name", "members"} for group in groups) and len(groups) == 3
    assert all(set(c) == {"id", "firstName", "lastName", "email", "login"} for c in contacts) and len(contacts) == 20
    assert len({c["id"] for c in contacts}) == 20 and any(c["login"] is None for c in contacts)
    used = {tag for item in hitask.listing()[0] for tag in item["tags"] or []}
    assert used <= {tag["name"] for tag in tags} and used


def test_items__generated_relative_to_now(hitask: Hitask) -> None:
    items, cursor = hitask.listing()
    assert cursor <= APP_NOW.timestamp() * 1000
    assert min(datetime.fromisoformat(item["time_create"]) for item in items).year >= APP_NOW.year - 2
