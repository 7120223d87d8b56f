"""RecordStore: JSON records by integer id, each serialised once, with ``reset()`` back to the seed records."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import orjson


class RecordStore:
    """The records of one resource, ordered by id, with their JSON bytes cached until they change.

    Records are plain dicts holding an ``"id"`` and are never changed in place: ``put`` and ``update``
    store new dicts. Keys listed in ``hidden`` (bookkeeping such as a millisecond timestamp) stay out
    of the JSON. ``version`` grows with every change, so derived indexes know when to rebuild.

    Args:
        records: The seed records.
        hidden: Keys kept with a record but not served.

    Example:
        >>> store = RecordStore([{"id": 2, "name": "b"}, {"id": 1, "name": "a", "_rank": 3}], hidden=("_rank",))
        >>> store.ids(), store.json(1)
        ([1, 2], b'{"id":1,"name":"a"}')
        >>> store.update(1, {"name": "z"})["name"]
        'z'
        >>> store.reset(); store.get(1)["name"]
        'a'
    """

    def __init__(self, records: Iterable[dict[str, Any]], *, hidden: Iterable[str] = ()) -> None:
        self._base = {int(record["id"]): record for record in records}
        self._hidden = frozenset(hidden)
        self._lock = threading.RLock()
        self._records = dict(self._base)
        self._json: dict[int, bytes] = {}
        self._dirty: set[int] = set()
        self._order: list[int] | None = None
        self._lowest = min(self._base, default=None)
        self.version = 0

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._records

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """The records in id order (a snapshot)."""
        with self._lock:
            records = self._records
            return iter([records[id_] for id_ in self.ids()])

    def get(self, id_: int) -> dict[str, Any] | None:
        """The record with this id (do not change it: use ``update``), or None."""
        return self._records.get(id_)

    def original(self, id_: int) -> dict[str, Any] | None:
        """The seed record with this id (None for records added later)."""
        return self._base.get(id_)

    def lowest_id(self) -> int | None:
        """The smallest id stored since the seed (deleted records included): new ids below it are unused."""
        return self._lowest

    def ids(self) -> list[int]:
        """Every id, ascending (the list is shared: do not change it)."""
        with self._lock:
            if self._order is None:
                self._order = sorted(self._records)
            return self._order

    def json(self, id_: int) -> bytes:
        """The serialised record (KeyError when absent)."""
        with self._lock:
            cached = self._json.get(id_)
            if cached is None:
                record = self._records[id_]
                if self._hidden:
                    record = {key: value for key, value in record.items() if key not in self._hidden}
                cached = self._json[id_] = orjson.dumps(record)
            return cached

    def json_many(self, ids: Iterable[int]) -> list[bytes]:
        """The serialised records of ``ids``, in that order."""
        with self._lock:
            return [self.json(id_) for id_ in ids]

    def put(self, record: dict[str, Any]) -> None:
        """Insert a record, or replace the one with its id."""
        id_ = int(record["id"])
        with self._lock:
            if id_ not in self._records:
                self._order = None
                self._lowest = id_ if self._lowest is None else min(id_, self._lowest)
            self._records[id_] = record
            self._touch(id_)

    def update(self, id_: int, changes: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the record by a copy with ``changes`` applied; returns the new record (KeyError when absent)."""
        with self._lock:
            record = {**self._records[id_], **changes}
            self._records[id_] = record
            self._touch(id_)
            return record

    def remove(self, id_: int) -> None:
        """Drop a record (KeyError when absent)."""
        with self._lock:
            del self._records[id_]
            self._order = None
            self._touch(id_)

    def reset(self) -> None:
        """Back to the seed records (the JSON of unchanged ones stays cached)."""
        with self._lock:
            if not self._dirty:
                return
            for id_ in self._dirty:
                self._json.pop(id_, None)
            self._records = dict(self._base)
            self._dirty.clear()
            self._order = None
            self._lowest = min(self._base, default=None)
            self.version += 1

    def _touch(self, id_: int) -> None:
        self._json.pop(id_, None)
        self._dirty.add(id_)
        self.version += 1
