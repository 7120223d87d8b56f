"""Generated Hitask data: deterministic, sized by overrides, realistic, and fast to serve when large."""

from __future__ import annotations

import time

import orjson
import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.hitask import HitaskBackend
from apitoolkit.emulator.hitask.data import Counts
from tests.helpers import APP_NOW, Hitask, JsonClient


def _snapshot(backend: HitaskBackend) -> tuple[bytes, list, list, list, list]:
    return backend.items.list_json()[0], backend.members, backend.contacts, backend.groups, backend.tags


def test_data__same_seed_same_data_other_seed_other_data() -> None:
    first = _snapshot(HitaskBackend(seed=1, size="small", now=APP_NOW))
    assert first == _snapshot(HitaskBackend(seed=1, size="small", now=APP_NOW))
    other = _snapshot(HitaskBackend(seed=2, size="small", now=APP_NOW))
    assert all(mine != theirs for mine, theirs in zip(first[:4], other[:4], strict=True))


def test_data__history_is_deterministic() -> None:
    histories = []
    for _ in range(2):
        backend = HitaskBackend(seed=5, size="small", now=APP_NOW)
        histories.append([backend.items.history(id_) for id_ in backend.items.records.ids()[:20]])
    assert histories[0] == histories[1]


def test_data__overrides_and_sizes() -> None:
    app = EmulatorApp(seed=1, now=APP_NOW, hitask={"items": 40, "members": 3, "contacts": 5, "tags": 0, "groups": 1})
    backend = app.hitask
    assert (
        len(backend.items.records),
        len(backend.members),
        len(backend.contacts),
        len(backend.tags),
        len(backend.groups),
    ) == (40, 3, 5, 0, 1)
    assert all(item["tags"] is None for item in backend.items.records)
    assert Counts.for_size("medium").items == 5_000 and Counts.for_size("large").items == 50_000


@pytest.mark.parametrize(
    "overrides",
    [{"items": -1}, {"members": 0}, {"projects": 3}, {"items": 1.5}, {"tags": True}],
)
def test_data__invalid_counts_are_refused(overrides: dict) -> None:
    with pytest.raises(ValueError):
        EmulatorApp(now=APP_NOW, hitask=overrides)


def test_data__no_items_still_serves(client: JsonClient) -> None:
    app = EmulatorApp(seed=1, now=APP_NOW, hitask={"items": 0})
    hitask = Hitask(JsonClient(app), app.hitask)
    hitask.session_id = hitask.sign_in().json["session_id"]
    items, cursor = hitask.listing()
    assert items == [] and abs(cursor - time.time() * 1000) < 5_000
    assert app.hitask.mutate(0.5) == {"changed": 0, "added": 1, "completed": 0, "deleted": 0}
    assert len(hitask.listing()[0]) == 1


def test_data__people_are_realistic(app: EmulatorApp) -> None:
    backend = app.hitask
    large = HitaskBackend(seed=1, size="medium", now=APP_NOW)
    names = [f"{c['firstName']} {c['lastName']}" for c in large.contacts]
    assert any(not name.isascii() for name in names)
    assert any(contact["lastName"] is None for contact in large.contacts)
    assert len({member["email"] for member in large.members}) == len(large.members)
    assert all(member["login"] == member["email"] for member in backend.members)
    assert {member["email"].split("@")[1] for member in backend.members} == {backend.login.split("@")[1]}


@pytest.mark.slow
def test_data__large_generates_lists_and_serves_a_delta() -> None:
    # Speed is measured in benchmarks/ (hitask case), not asserted here: shared machines are noisy.
    app = EmulatorApp(seed=3, now=APP_NOW, hitask=dict(Counts.for_size("large").__dict__))
    hitask = Hitask(JsonClient(app), app.hitask)
    hitask.session_id = hitask.sign_in().json["session_id"]
    listing = hitask.get("/item")
    assert len(orjson.loads(listing.get_data())) == 50_000
    app.hitask.mutate(0.01, seed=1)
    delta = hitask.get(f"/item/delta/{listing.headers['X-Cursor']}")
    assert sum(entry["changed"] for entry in orjson.loads(delta.get_data())) > 400
