"""Hitask loaders under every reading of the documents (emulator dialects), each frame equal to the emulator's truth.

The readings: the assignee as ``assigneeId`` (field table) or ``assignee`` (JSON examples); deltas with
unchanged-item stubs (the seed's example) or changes only (its prose); error 7 "Session not found" carried by
401, 200, 400 or 403.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator

import pandas as pd
import pytest

import apitoolkit
from apitoolkit.analysis.tasks import overdue, work_by
from apitoolkit.emulator import EmulatorServer
from apitoolkit.emulator.hitask import HitaskService
from apitoolkit.exceptions import ApiError
from apitoolkit.hitask import (
    HitaskClient,
    SyncWarning,
    load_contacts,
    load_item_history,
    load_items,
    load_tags,
    load_team_members,
)
from apitoolkit.hitask.loaders import SNAPSHOT_KEY, _snapshots, flush_snapshots
from tests.helpers import hitask_calls, hitask_client

READINGS = HitaskService.dialects
EVERY_READING = [dict(zip(READINGS, combination, strict=True)) for combination in itertools.product(*READINGS.values())]


@pytest.fixture
def dialect(emulator: EmulatorServer) -> Iterator[Callable[..., None]]:
    """Sets Hitask readings for one test (``dialect(delta="changes_only")``) and restores the defaults after."""

    def configure(**readings: str) -> None:
        emulator.app.configure(service="hitask", dialect=readings)

    yield configure
    emulator.app.configure(service="hitask", dialect=dict.fromkeys(READINGS))


def truth(emulator: EmulatorServer) -> pd.DataFrame:
    """The emulator's current items: id, title, assignee, completed (what every reading must load)."""
    records = [
        {"id": r["id"], "title": r["title"], "assignee_id": r["assigneeId"], "completed": r["completed"]}
        for r in emulator.app.hitask.items.records
    ]
    return pd.DataFrame(records).astype({"id": "Int64", "assignee_id": "Int64", "completed": "boolean"})


def assert_items_equal_truth(items: pd.DataFrame, emulator: EmulatorServer) -> None:
    loaded = items[["id", "title", "assignee_id", "completed"]].sort_values("id").reset_index(drop=True)
    expected = truth(emulator).sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(loaded, expected, check_dtype=False)
    assert loaded["assignee_id"].notna().all() and (loaded["assignee_id"] > 0).any()


def stored_dialect(client: HitaskClient) -> str:
    flush_snapshots()
    store = _snapshots(client)
    meta = None if store is None else store.meta(SNAPSHOT_KEY)
    assert meta is not None, "no snapshot"
    return str(meta["extra"]["dialect"])


@pytest.mark.parametrize("readings", EVERY_READING, ids=lambda r: "-".join(r.values()))
def test_loaders__every_reading_loads_the_emulator_truth(
    emulator: EmulatorServer, dialect: Callable[..., None], readings: dict[str, str]
) -> None:
    dialect(**readings)
    client = hitask_client(emulator)
    backend = emulator.app.hitask
    assert_items_equal_truth(load_items(client), emulator)
    assigned = next(r["id"] for r in backend.items.records if r["category"] == 1 and r["assigneeId"])
    backend.change(assigned, assigneeId=int(backend.members[-1]["id"]), title="Reassigned")
    backend.add("task", title="Added while synced", assigneeId=int(backend.members[1]["id"]))
    backend.expire_sessions()  # the delta meets code 7 with the reading's status, signs in again once
    synced = load_items(client)
    assert apitoolkit.load_source(synced) == "delta" and hitask_calls(emulator, "authenticate") == 2
    assert_items_equal_truth(synced, emulator)
    item_id = int(synced["id"].iloc[0])
    history = load_item_history(item_id, client=client)
    assert history["id"].tolist() == [e["id"] for e in backend.items.history(item_id)]
    assert sorted(load_team_members(client)["id"]) == sorted(m["id"] for m in backend.members)
    assert sorted(load_tags(client)["id"]) == sorted(t["id"] for t in backend.tags)
    assert sorted(load_contacts(client)["id"]) == sorted(c["id"] for c in backend.contacts)
    paths = {r.path.split("/hitask", 1)[-1] for r in emulator.app.stats.requests if r.service == "hitask"}
    assert {"/item/history", "/team"} <= paths and not any(
        p.endswith(("/history", "/members")) and p != "/item/history" for p in paths
    )


@pytest.mark.parametrize("spelling", READINGS["assignee_field"])
def test_assignee__work_by_and_overdue_by_assignee_under_either_spelling(
    emulator: EmulatorServer, dialect: Callable[..., None], spelling: str
) -> None:
    dialect(assignee_field=spelling)
    items = load_items(hitask_client(emulator, cache="off"))
    tasks = [r for r in emulator.app.hitask.items.records if r["category"] == 1]
    expected = pd.Series([r["assigneeId"] for r in tasks if r["assigneeId"]]).value_counts()
    by = work_by(items).set_index("assignee")
    assert "unassigned" not in by.index or by.loc["unassigned", "total"] == sum(1 for r in tasks if not r["assigneeId"])
    counted = by["total"].drop("unassigned", errors="ignore")
    assert {int(k.removeprefix("#")): int(v) for k, v in counted.items()} == expected.to_dict()  # "#id" without users
    late = overdue(items)
    assert late["assignee"].notna().any() or late.empty


@pytest.mark.parametrize("reading", READINGS["delta"])
def test_delta__deletions_under_each_reading(
    emulator: EmulatorServer, dialect: Callable[..., None], reading: str
) -> None:
    dialect(delta=reading)
    client = hitask_client(emulator)
    load_items(client)
    backend = emulator.app.hitask
    leaf = next(r["id"] for r in backend.items.records if r["category"] == 4)
    backend.delete(leaf)
    backend.change(backend.items.records.ids()[0], title="Changed with the deletion")
    synced = load_items(client)
    assert apitoolkit.load_source(synced) == "delta" and stored_dialect(client) == reading
    if reading == "stubs":
        assert_items_equal_truth(synced, emulator)
    else:  # a changes-only delta cannot show the deletion: the item stays until the next full load
        assert leaf in set(synced["id"]) and synced.set_index("id").loc[backend.items.records.ids()[0], "title"] == (
            "Changed with the deletion"
        )
        assert apitoolkit.load_source(load_items(client)) == "delta"  # within the default 24 hours
        before = hitask_calls(emulator, "/item")
        reloaded = load_items(client, full_reload_after=0)
        assert apitoolkit.load_source(reloaded) == "network" and hitask_calls(emulator, "/item") == before + 1
        assert_items_equal_truth(reloaded, emulator)
        assert stored_dialect(client) == "changes_only"  # kept through the scheduled reload


def test_delta__changes_only_with_nothing_changed_keeps_every_item(
    emulator: EmulatorServer, dialect: Callable[..., None]
) -> None:
    dialect(delta="changes_only")
    client = hitask_client(emulator)
    first = load_items(client)
    again = load_items(client)  # the delta is [], which under the stub reading would mean "all deleted"
    assert apitoolkit.load_source(again) == "delta" and len(again) == len(first)


@pytest.mark.parametrize(("first", "then"), [("stubs", "changes_only"), ("changes_only", "stubs")])
def test_delta__a_flip_of_reading_warns_and_reloads(
    emulator: EmulatorServer, dialect: Callable[..., None], first: str, then: str
) -> None:
    dialect(delta=first)
    client = hitask_client(emulator)
    backend = emulator.app.hitask
    load_items(client)
    backend.change(backend.items.records.ids()[0], title="First round")
    load_items(client)
    assert stored_dialect(client) == first
    dialect(delta=then)
    backend.delete(next(r["id"] for r in backend.items.records if r["category"] == 4))
    backend.change(backend.items.records.ids()[1], title="Second round")
    with pytest.warns(SyncWarning, match="loading everything again"):
        flipped = load_items(client)
    assert apitoolkit.load_source(flipped) == "network"
    assert_items_equal_truth(flipped, emulator)


@pytest.mark.parametrize("status", READINGS["session_status"])
def test_session__code_7_signs_in_again_once_whatever_the_status(
    emulator: EmulatorServer, dialect: Callable[..., None], status: str
) -> None:
    dialect(session_status=status)
    client = hitask_client(emulator)
    load_tags(client)
    emulator.app.hitask.expire_sessions()
    assert len(load_contacts(client)) and hitask_calls(emulator, "authenticate") == 2
    emulator.app.hitask.session_ttl = 0  # every new session is dead at once: one retry, then the error
    emulator.app.hitask.expire_sessions()
    with warnings.catch_warnings(), pytest.raises(ApiError) as info:
        load_team_members(client, refresh=True)
    assert info.value.code == "7" and hitask_calls(emulator, "authenticate") == 3
