"""The emulator's clock moves on: `EmulatorApp.advance` adds what happened in the span, deterministically."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
import requests

from apitoolkit.emulator import EmulatorApp, EmulatorServer, mock_emulator
from apitoolkit.emulator.core.server import SharedEmulator
from apitoolkit.emulator.hitask.data import parse_time
from apitoolkit.emulator.itglue import ITGlueAccount
from apitoolkit.emulator.itglue.data import reputation
from apitoolkit.hitask import HitaskClient, load_items
from apitoolkit.itglue import ITGlueClient, load_logs
from tests.helpers import APP_NOW, FAST_RETRY

DAY = 86_400
START = int(APP_NOW.timestamp())


def _account(app: EmulatorApp) -> ITGlueAccount:
    return app.itglue.accounts[app.itglue.api_key]


def _column(app: EmulatorApp, resource: str, name: str) -> np.ndarray:
    return _account(app).tables[resource].columns[name]


@pytest.fixture
def emu() -> Iterator[mock_emulator]:
    """A small in-process emulator at ``APP_NOW``."""
    with mock_emulator(seed=1, size="small", now=APP_NOW) as emulator:
        yield emulator


def test_advance__moves_now_and_returns_it(app: EmulatorApp) -> None:
    assert app.advance(np.float64(0.5)) == APP_NOW + timedelta(hours=12)
    assert app.advance(0.5) == APP_NOW + timedelta(days=1)
    assert app.advance(timedelta(hours=6)) == APP_NOW + timedelta(days=1, hours=6)
    assert app.now == APP_NOW + timedelta(days=1, hours=6) and app.start == APP_NOW
    assert app.itglue.now == app.now and app.hitask.now == app.now


@pytest.mark.parametrize(
    "by", [0, -1, 0.0, -0.5, 1e-7, math.nan, math.inf, -math.inf, timedelta(0), timedelta(seconds=-5), "1", True]
)
def test_advance__refuses_a_span_that_is_not_positive_and_finite(app: EmulatorApp, by: Any) -> None:
    before = len(_account(app).logs)
    with pytest.raises(ValueError, match="clock|advance"):
        app.advance(by)
    assert app.now == APP_NOW and len(_account(app).logs) == before


def test_advance__a_day_of_logs_inside_the_span_with_growing_ids(app: EmulatorApp) -> None:
    old_ids = _column(app, "logs", "id")
    app.advance(1)
    ids, created = _column(app, "logs", "id"), _column(app, "logs", "created-at")
    new = ids > old_ids.max()
    assert 50 <= new.sum() <= 200  # 3000 logs over 30 days: about 100 a day
    assert ((created[new] >= START) & (created[new] < START + DAY)).all()
    order = np.argsort(ids[new])
    assert (np.diff(created[new][order]) >= 0).all()  # ids grow with time
    assert created.min() >= START + DAY - 30 * DAY  # the 30 days' retention, from the new now
    assert set(_column(app, "logs", "action")[new]) <= {"view", "update", "create", "delete", "sign_in", "export"}


def test_advance__new_logs_load_through_the_real_loader() -> None:
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=5)  # the loader warns past 30 days ago
    with mock_emulator(seed=1, size="small", now=start) as emu:
        env = emu.environ()
        client = ITGlueClient(env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY)
        emu.advance(2)
        logs = load_logs(start, emu.now, client=client)
    assert len(logs) > 100
    stamps = logs["created_at"]
    assert stamps.min() >= start and stamps.max() < emu.now


def test_advance__reputation_follows_new_metrics_and_users_sign_in(app: EmulatorApp) -> None:
    users = _account(app).tables["users"]
    before = users.columns["reputation"].copy()
    signed_in = users.columns["current-sign-in-at"].copy()
    metric_ids = _column(app, "user_metrics", "id")
    app.advance(3)
    after = users.columns["reputation"]
    changed = np.flatnonzero(after != before)
    assert len(changed) >= 3 and (after >= before).all()
    metrics = _account(app).tables["user_metrics"].columns
    assert (reputation(users.columns["id"], metrics) == after).all()  # still the sum over every metric
    fresh = metrics["id"] > metric_ids.max()
    assert set(metrics["date"][fresh].tolist()) <= {START // DAY + 1, START // DAY + 2, START // DAY + 3}
    assert (users.columns["updated-at"][changed] >= START).all()
    moved = np.flatnonzero(users.columns["current-sign-in-at"] != signed_in)
    assert len(moved) >= 5
    assert (users.columns["current-sign-in-at"][moved] >= START).all()
    assert (users.columns["last-sign-in-at"][moved] == np.where(signed_in == -1, -2, signed_in)[moved]).sum() >= 1


def test_advance__expirations_renewed_late_and_early_and_new_ones(app: EmulatorApp) -> None:
    ids, dates = _column(app, "expirations", "id").copy(), _column(app, "expirations", "expiration-date").copy()
    app.advance(60)
    table = _account(app).tables["expirations"]
    same = table.columns["id"][: len(ids)]
    assert (same == ids).all()
    moved = np.flatnonzero(table.columns["expiration-date"][: len(ids)] != dates)
    renewed_at = table.columns["updated-at"][moved]
    late = renewed_at > dates[moved]
    assert late.sum() >= 3 and (~late).sum() >= 1
    delay = renewed_at[late] - dates[moved][late]
    assert (delay < 61 * DAY).all() and (delay > 0).all()
    assert (table.columns["expiration-date"][moved] > renewed_at).all()
    assert (table.columns["expiration-date"][moved] - dates[moved] >= 365 * DAY).all()
    new = table.columns["id"] > ids.max()
    assert new.sum() >= 2
    created = table.columns["created-at"][new]
    assert ((created >= START) & (created < START + 60 * DAY)).all()


def test_advance__organizations_now_and_then(app: EmulatorApp) -> None:
    ids = _column(app, "organizations", "id").copy()
    updated = _column(app, "organizations", "updated-at").copy()
    app.advance(60)
    orgs = _account(app).tables["organizations"].columns
    added = orgs["id"] > ids.max()
    touched = orgs["updated-at"][: len(ids)] != updated
    assert 1 <= added.sum() <= 6 and 1 <= touched.sum() <= 15
    assert (orgs["created-at"][added] >= START).all()


def test_advance__hitask_delta_returns_the_changed_items(emu: mock_emulator) -> None:
    env = emu.environ()
    client = HitaskClient(
        env["HITASK_API_KEY"], env["HITASK_LOGIN"], env["HITASK_PASSWORD"], base_url=env["HITASK_BASE_URL"]
    )
    before = load_items(client).set_index("id")
    emu.advance(3)
    after = load_items(client)
    assert after.attrs["apitoolkit"]["source"] == "delta"
    records = {record["id"]: record for record in emu.app.hitask.items.records}
    changed = [id_ for id_, record in records.items() if record["_updated_ms"] > START * 1000]
    assert len(changed) >= 5
    for id_ in changed:
        stamp = records[id_]["_updated_ms"]
        assert START * 1000 <= stamp < (START + 3 * DAY) * 1000
    indexed = after.set_index("id")
    assert set(indexed.index) == set(records)
    new = set(indexed.index) - set(before.index)
    assert len(new) >= 1 and all(id_ > max(before.index) for id_ in new)
    created = {parse_time(records[id_]["time_create"]) for id_ in new}
    assert all(START * 1000 <= moment < (START + 3 * DAY) * 1000 for moment in created)
    completed = [i for i in changed if i in before.index and records[i]["completed"] and not before.at[i, "completed"]]
    assert len(completed) >= 1
    assert indexed.loc[completed, "completed"].all()


def test_advance__same_seed_and_advances_give_the_same_data() -> None:
    apps = [EmulatorApp(seed=3, size="small", now=APP_NOW) for _ in range(4)]
    for app in apps[:2]:
        app.advance(0.5)
        app.advance(timedelta(days=2, hours=3))
    apps[2].advance(2.625)  # cut at the same UTC midnights: the same pieces, the same data
    apps[3].advance(0.25)  # cut elsewhere: other pieces, other draws
    apps[3].advance(2.375)
    tables = [_account(app).tables for app in apps]
    for other in tables[1:3]:
        for key, table in tables[0].items():
            for name, column in table.columns.items():
                assert np.array_equal(column, other[key].columns[name]), (key, name)
    items = [app.hitask.items.list_json()[0] for app in apps]
    assert items[0] == items[1] == items[2] != items[3]
    assert not np.array_equal(tables[0]["logs"].columns["id"], tables[3]["logs"].columns["id"])


def test_reset__brings_the_clock_and_the_data_back(app: EmulatorApp) -> None:
    logs, items = len(_account(app).logs), app.hitask.items.list_json()
    app.advance(5)
    app.reset()
    assert app.now == APP_NOW and app.itglue.now == APP_NOW and app.hitask.now == APP_NOW
    assert len(_account(app).logs) == logs and app.hitask.items.list_json() == items
    assert app.advance(1) == APP_NOW + timedelta(days=1)


def test_control__clock_route_reads_and_advances(emu: mock_emulator) -> None:
    url = f"{emu.url}/_emulator/clock"
    assert requests.get(url, timeout=5).json() == {"now": APP_NOW.isoformat(), "start": APP_NOW.isoformat()}
    answer = requests.post(url, json={"advance_days": 1.5}, timeout=5)
    assert answer.status_code == 200
    assert answer.json() == {
        "now": (APP_NOW + timedelta(days=1.5)).isoformat(),
        "previous": APP_NOW.isoformat(),
        "start": APP_NOW.isoformat(),
    }
    assert (
        requests.post(url, json={"advance_seconds": 3600}, timeout=5).json()["now"]
        == (APP_NOW + timedelta(days=1.5, hours=1)).isoformat()
    )
    assert emu.now == APP_NOW + timedelta(days=1.5, hours=1)
    for body in ({"advance_days": 0}, {"advance_days": -2}, {"advance_days": "1"}, {}, {"days": 1}, [1]):
        refused = requests.post(url, json=body, timeout=5)
        assert refused.status_code == 400 and "error" in refused.json()
    assert emu.now == APP_NOW + timedelta(days=1.5, hours=1)


def test_server_handles__advance_in_process_and_over_loopback() -> None:
    with EmulatorServer(port=0, seed=1, size="small", now=APP_NOW) as server:
        assert server.advance(1) == APP_NOW + timedelta(days=1) == server.now
        shared = SharedEmulator(server.url, server.environ(), reused=True)
        assert shared.now() == APP_NOW + timedelta(days=1)
        assert shared.advance(timedelta(hours=12)) == APP_NOW + timedelta(days=1, hours=12) == server.app.now
        with pytest.raises(ValueError, match="forward"):
            shared.advance(-1)


def test_app__accepts_a_now_in_the_past_and_advances_toward_today() -> None:
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=90)
    app = EmulatorApp(seed=1, size="small", now=past)
    assert app.now == past and app.advance(30) == past + timedelta(days=30)
    assert _column(app, "logs", "created-at").max() < int((past + timedelta(days=30)).timestamp())
