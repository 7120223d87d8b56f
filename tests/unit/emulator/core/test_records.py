"""RecordStore: id order, cached JSON with hidden keys, copy-on-write changes, versions and reset."""

from __future__ import annotations

import pytest

from apitoolkit.emulator.core.records import RecordStore


@pytest.fixture
def store() -> RecordStore:
    return RecordStore([{"id": 3, "name": "c", "_rank": 1}, {"id": 1, "name": "ä"}], hidden=("_rank",))


def test_store__ids_ascending_and_json_without_hidden_keys(store: RecordStore) -> None:
    assert store.ids() == [1, 3] and len(store) == 2 and 3 in store and 2 not in store
    assert store.json_many([3, 1]) == [b'{"id":3,"name":"c"}', '{"id":1,"name":"ä"}'.encode()]
    assert [record["id"] for record in store] == [1, 3] and store.get(3) == {"id": 3, "name": "c", "_rank": 1}


def test_store__changes_are_copies_and_bump_the_version(store: RecordStore) -> None:
    original, version = store.get(3), store.version
    updated = store.update(3, {"name": "z"})
    assert updated == {"id": 3, "name": "z", "_rank": 1} and original == {"id": 3, "name": "c", "_rank": 1}
    assert store.json(3) == b'{"id":3,"name":"z"}' and store.version > version
    store.put({"id": 2, "name": "b"})
    store.remove(1)
    assert store.ids() == [2, 3] and store.original(2) is None and store.original(1) == {"id": 1, "name": "ä"}
    with pytest.raises(KeyError):
        store.json(1)
    with pytest.raises(KeyError):
        store.update(9, {})


def test_store__reset_restores_the_seed_records(store: RecordStore) -> None:
    seed = [store.json(id_) for id_ in store.ids()]
    store.update(1, {"name": "x"})
    store.put({"id": 7, "name": "new"})
    store.remove(3)
    store.reset()
    assert [store.json(id_) for id_ in store.ids()] == seed
    version = store.version
    store.reset()
    assert store.version == version
