"""Hitask client and loaders against the running emulator: sessions, credentials, incremental sync."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import apitoolkit
from apitoolkit.cache import FrameCache
from apitoolkit.emulator import EmulatorServer
from apitoolkit.exceptions import AuthenticationError, OfflineError
from apitoolkit.hitask import (
    HitaskClient,
    SyncWarning,
    explode,
    load_contacts,
    load_item_history,
    load_items,
    load_tags,
    load_team_members,
)
from apitoolkit.hitask.loaders import SNAPSHOT_KEY, _snapshots, flush_snapshots
from apitoolkit.http import Page, RequestSpec
from apitoolkit.stores.files import DirectoryStore
from tests.helpers import files_containing, hitask_calls, hitask_client


@pytest.fixture
def hitask(emulator: EmulatorServer) -> HitaskClient:
    return hitask_client(emulator)


def snapshots(client: HitaskClient) -> FrameCache:
    """The client's snapshot cache (the tests run with a cache directory, so there is one)."""
    store = _snapshots(client)
    assert store is not None
    return store


def snapshot_path(client: HitaskClient) -> Path:
    """The file of the client's item snapshot."""
    store = snapshots(client).store
    assert isinstance(store, DirectoryStore)
    return store.path(SNAPSHOT_KEY)


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("id").reset_index(drop=True)


def test_load_items__every_item_typed_with_projects(hitask: HitaskClient, emulator: EmulatorServer) -> None:
    items = load_items(hitask)
    listed = hitask.request("GET", RequestSpec("item"), cache=False)
    assert sorted(items["id"]) == sorted(int(r["id"]) for r in listed.payload)
    assert str(items["category"].dtype) == "category"
    assert set(items["category"].cat.categories) == {"project", "task", "event", "note", "file"}
    assert {"project", "task"} <= set(items["category"].astype(str))
    inside = items[items["project_id"].notna()]
    assert len(inside) and inside["project_title"].notna().all()
    projects = items.set_index("id")
    assert (inside["project_id"].map(projects["category"]).astype(str) == "project").all()
    assert str(items["time_create"].dtype) == "datetime64[us, UTC]"
    for column, inner in (("tags", "string"), ("participants", "int64")):
        assert str(items[column].dtype) == f"list<item: {inner}>[pyarrow]"
        assert items[column].notna().all()  # an item without tags has an empty list
    assert (items["tags"].list.len() > 0).any() and (items["tags"].list.len() == 0).any()


def test_load_items__filters_and_explode(hitask: HitaskClient) -> None:
    tasks = load_items(hitask, category="task", include_completed=False)
    assert set(tasks["category"].astype(str)) == {"task"} and not tasks["completed"].fillna(False).any()
    items = load_items(hitask)
    tags = explode(items, "tags")
    assert len(tags) == int(items["tags"].list.len().sum()) and str(tags["tags"].dtype) == "str"
    assert str(explode(items, "participants")["participants"].dtype) == "Int64"
    with pytest.raises(apitoolkit.InvalidArgumentError, match="task"):
        load_items(hitask, category="tsk")


def test_session__lazy_reused_and_renewed_once(hitask: HitaskClient, emulator: EmulatorServer) -> None:
    assert not hitask.signed_in and hitask_calls(emulator, "authenticate") == 0
    load_tags(hitask)
    load_team_members(hitask)
    load_items(hitask)
    assert hitask_calls(emulator, "authenticate") == 1
    emulator.app.hitask.expire_sessions()
    load_contacts(hitask)
    assert hitask_calls(emulator, "authenticate") == 2
    hitask.sign_out()
    assert not hitask.signed_in


@pytest.mark.parametrize(
    ("field", "variable"), [("api_key", "HITASK_API_KEY"), ("login", "HITASK_LOGIN"), ("password", "HITASK_PASSWORD")]
)
def test_sign_in__says_which_credential_was_refused(emulator: EmulatorServer, field: str, variable: str) -> None:
    wrong = "zz-wrong-" + field + "-7c1e9a3b5d"
    client = hitask_client(emulator, **{field: wrong})
    with pytest.raises(AuthenticationError) as info:
        load_tags(client)
    message = str(info.value)
    assert variable in message and wrong not in message
    others = {k: v for k, v in emulator.environ().items() if k.startswith("HITASK_") and k != "HITASK_BASE_URL"}
    assert not any(value in message for value in others.values())


def test_sync__refresh_costs_one_small_request_and_equals_a_full_reload(
    hitask: HitaskClient, emulator: EmulatorServer
) -> None:
    load_items(hitask)
    assert hitask_calls(emulator, "/item") == 1
    for round_number in range(4):
        counts = emulator.app.hitask.mutate(fraction=0.05, seed=round_number)
        assert sum(counts.values()) > 0
        before = len(emulator.app.stats.requests)
        synced = load_items(hitask)
        new = [r for r in emulator.app.stats.requests[before:] if r.service == "hitask"]
        assert [r.path.rsplit("/", 1)[0].lstrip("/") for r in new] == ["item/delta"]
        assert apitoolkit.load_source(synced) == "delta"
        full = load_items(hitask_client(emulator, cache="off"))
        pd.testing.assert_frame_equal(comparable(synced), comparable(full))


def test_sync__deleted_items_disappear_and_new_ones_appear(hitask: HitaskClient, emulator: EmulatorServer) -> None:
    items = load_items(hitask)
    victim = int(items["id"].iloc[0])
    emulator.app.hitask.delete(victim)
    new_id = emulator.app.hitask.add(category="task", title="Written during the sync test")
    synced = load_items(hitask)
    assert victim not in set(synced["id"]) and new_id in set(synced["id"])
    assert synced.set_index("id").loc[new_id, "title"] == "Written during the sync test"


def test_sync__cursor_from_the_future_reloads_with_warning(hitask: HitaskClient, emulator: EmulatorServer) -> None:
    load_items(hitask)
    flush_snapshots()
    store = snapshots(hitask)
    cached = store.get(SNAPSHOT_KEY, allow_expired=True)
    assert cached is not None
    store.put(SNAPSHOT_KEY, cached.frame, ttl=3600, extra={**cached.meta, "cursor": "99999999999999"})
    with pytest.warns(SyncWarning, match="cursor"):
        synced = load_items(hitask)
    assert len(synced) == len(load_items(hitask_client(emulator, cache="off")))


def test_sync__snapshot_of_another_account_is_not_used(hitask: HitaskClient, emulator: EmulatorServer) -> None:
    load_items(hitask)
    flush_snapshots()
    store = snapshots(hitask)
    cached = store.get(SNAPSHOT_KEY, allow_expired=True)
    assert cached is not None
    store.put(SNAPSHOT_KEY, cached.frame.head(3), ttl=3600, extra={**cached.meta, "namespace": "someone-else"})
    with pytest.warns(SyncWarning, match="another account"):
        synced = load_items(hitask)
    assert len(synced) > 3


def test_sync__corrupted_snapshot_reloads_with_warning(hitask: HitaskClient, emulator: EmulatorServer) -> None:
    load_items(hitask)
    flush_snapshots()
    path = snapshot_path(hitask)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.warns(SyncWarning, match="could not be read"):
        synced = load_items(hitask)
    assert len(synced) == len(load_items(hitask_client(emulator, cache="off")))


def test_sync__failed_delta_leaves_the_snapshot_and_serves_it_stale_when_down(
    hitask: HitaskClient, emulator: EmulatorServer
) -> None:
    load_items(hitask)
    flush_snapshots()
    path = snapshot_path(hitask)
    before = path.read_bytes()
    emulator.app.hitask.mutate(fraction=0.05, seed=9)
    emulator.app.faults.add("server_error", rate=1.0, service="hitask", path="delta", status=500)
    with pytest.warns(apitoolkit.StaleDataWarning, match="could not be reached"):
        stale = load_items(hitask)
    assert apitoolkit.load_source(stale) == "stale-cache"
    flush_snapshots()
    assert path.read_bytes() == before
    emulator.app.faults.clear()
    uncached = hitask_client(emulator, cache="off")
    pd.testing.assert_frame_equal(comparable(load_items(hitask)), comparable(load_items(uncached)))


def test_sync__delta_with_fields_the_snapshot_lacks_reloads_with_warning(
    hitask: HitaskClient, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_items(hitask)
    emulator.app.hitask.mutate(fraction=0.05, seed=4)
    served = HitaskClient.request

    def with_new_field(self: HitaskClient, method: str, spec: RequestSpec, **kwargs: Any) -> Page:
        page = served(self, method, spec, **kwargs)
        if "item/delta/" in spec.path:
            for record in page.payload:
                if record.get("changed") is not False:
                    record["sla_tier"] = "gold"
        return page

    monkeypatch.setattr(HitaskClient, "request", with_new_field)
    with pytest.warns(SyncWarning, match="sla_tier"):
        synced = load_items(hitask)
    assert apitoolkit.load_source(synced) == "network"
    pd.testing.assert_frame_equal(comparable(synced), comparable(load_items(hitask_client(emulator, cache="off"))))


def test_sync__offline_serves_the_snapshot(
    hitask: HitaskClient, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    online = load_items(hitask)
    flush_snapshots()
    offline = load_items(hitask_client(emulator, offline=True))
    pd.testing.assert_frame_equal(comparable(offline), comparable(online))
    monkeypatch.setenv("APITOOLKIT_CACHE", str(__import__("tempfile").mkdtemp()))
    with pytest.raises(OfflineError, match="Hitask"):
        load_items(hitask_client(emulator, offline=True))


def test_hitask__no_credential_or_session_reaches_the_cache(
    hitask: HitaskClient, emulator: EmulatorServer, cache_dir: Path
) -> None:
    load_items(hitask)
    load_tags(hitask)
    items = load_items(hitask)
    load_item_history(int(items["id"].iloc[0]), client=hitask)
    flush_snapshots()
    session_id = hitask._session_id
    env = emulator.environ()
    assert session_id is not None
    for secret in (env["HITASK_API_KEY"], env["HITASK_PASSWORD"], session_id):
        assert files_containing(cache_dir, secret) == [], secret[:4]
        assert secret not in repr(hitask)
    # The login is the user's own id and rightly appears in the account's data (team members); what must
    # never be stored is the sign-in request that carried it.
    for spelling in (env["HITASK_LOGIN"], env["HITASK_LOGIN"].replace("@", "%40")):
        assert files_containing(cache_dir, f"login={spelling}") == []


def test_other_loaders(hitask: HitaskClient, emulator: EmulatorServer) -> None:
    items = load_items(hitask)
    history = load_item_history(int(items["id"].iloc[0]), client=hitask)
    assert len(history) and (history["item_id"] == items["id"].iloc[0]).all()
    assert history["time"].is_monotonic_increasing
    assert len(load_tags(hitask)) and len(load_team_members(hitask)) and len(load_contacts(hitask))
    with pytest.raises(apitoolkit.ApiError) as info:
        load_item_history(987654321, client=hitask)
    assert info.value.status == 404


def test_cache__snapshots_are_listed_and_cleared_with_their_service(
    hitask: HitaskClient, emulator: EmulatorServer
) -> None:
    load_items(hitask)
    flush_snapshots()
    info = apitoolkit.cache_info()
    assert set(info[info["service"] == "hitask"]["kind"]) >= {"snapshots"}
    assert apitoolkit.clear_cache("itglue") == 0 or snapshots(hitask).exists(SNAPSHOT_KEY)
    assert snapshots(hitask).exists(SNAPSHOT_KEY)  # another service's clear leaves it
    assert apitoolkit.clear_cache("hitask") > 0
    assert not snapshots(hitask).exists(SNAPSHOT_KEY)
    assert apitoolkit.load_source(load_items(hitask)) == "network"
