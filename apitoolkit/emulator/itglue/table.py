"""Column-wise storage of one IT Glue resource: records, their cached JSON bytes, sort keys and orders."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast, overload

import numpy as np
import orjson

Kind = Literal["int", "str", "bool", "time", "date"]
NULL = -1
"""Stored in ``int``, ``time`` and ``date`` columns for a null value (ids, counts and times are >= 0)."""


@dataclass(frozen=True)
class Field:
    """One attribute of a resource.

    Attributes:
        name: The kebab-case attribute name, e.g. ``"created-at"``.
        kind: ``int``/``bool`` (numpy), ``str`` (object array, None for null), ``time`` (int64 seconds
            since the epoch, rendered ``YYYY-MM-DDTHH:MM:SS.000Z``) or ``date`` (int64 days since the
            epoch, rendered ``YYYY-MM-DD``).
        nullable: Whether ``NULL`` in an ``int``/``time``/``date`` column renders as null.

    Example:
        >>> Field("created-at", "time")
        Field(name='created-at', kind='time', nullable=False)
    """

    name: str
    kind: Kind
    nullable: bool = False


class Table:
    """The rows of one resource in numpy columns (``id``, every field, and hidden helper columns).

    Records are built on demand; each row's JSON bytes are serialised once and cached, so a page is a
    join of cached bytes. Orders computed for a query are cached until the data changes. ``reset()``
    restores the columns given at construction. ``issued`` is the lowest and highest id held since then
    (deleted rows included, so a new record never reuses an id), or None for a table never filled.

    Example:
        >>> table = Table("things", [Field("name", "str")],
        ...               {"id": np.array([7]), "name": np.array(["a"], dtype=object)})
        >>> table.records(np.array([0]))
        [{'id': '7', 'type': 'things', 'attributes': {'name': 'a'}, 'relationships': {}}]
    """

    def __init__(self, type_: str, fields: Sequence[Field], columns: Mapping[str, np.ndarray]) -> None:
        missing = {"id", *(field.name for field in fields)} - set(columns)
        if missing:
            raise ValueError(f"columns missing for {type_}: {', '.join(sorted(missing))}")
        self.type = type_
        self.fields = tuple(fields)
        self._base = dict(columns)
        self._lock = threading.RLock()
        self._changed = True
        self.reset()

    def __len__(self) -> int:
        return len(self.columns["id"])

    def reset(self) -> None:
        """Bring the columns back to those given at construction."""
        with self._lock:
            if not self._changed:
                return
            self.columns = dict(self._base)
            ids = self.columns["id"]
            self.issued = (int(ids.min()), int(ids.max())) if len(ids) else None
            self._json: list[bytes | None] = [None] * len(self)
            self._orders: dict[Hashable, np.ndarray] = {}
            self._keys: dict[str, np.ndarray] = {}
            self._changed = False

    def records(self, rows: np.ndarray) -> list[dict[str, Any]]:
        """The records at row positions ``rows``, as JSON:API resource objects."""
        with self._lock:
            ids = self.columns["id"][rows].tolist()
            values = [_render(field, self.columns[field.name][rows]) for field in self.fields]
        names = [field.name for field in self.fields]
        return [
            {"id": str(id_), "type": self.type, "attributes": dict(zip(names, row, strict=True)), "relationships": {}}
            for id_, row in zip(ids, zip(*values, strict=True), strict=True)
        ]

    def json(self, rows: np.ndarray) -> list[bytes]:
        """The serialised records at row positions ``rows`` (serialised once, then cached)."""
        with self._lock:
            cache = self._json
            missing = np.array([row for row in rows.tolist() if cache[row] is None], dtype=np.int64)
            if len(missing):
                for row, record in zip(missing.tolist(), self.records(missing), strict=True):
                    # orjson returns bytes in a buffer of up to 8 KB it never shrinks: keep a right-sized copy.
                    cache[row] = bytes(memoryview(orjson.dumps(record)))
            return [cache[row] or b"" for row in rows.tolist()]

    def find(self, id_: int) -> int | None:
        """The row position of the record with id ``id_``, or None."""
        found = np.flatnonzero(self.columns["id"] == id_)
        return int(found[0]) if len(found) else None

    def append(self, columns: Mapping[str, np.ndarray]) -> None:
        """Add rows; ``columns`` holds every column of the table."""
        with self._lock:
            self.columns = {name: np.concatenate([self.columns[name], columns[name]]) for name in self.columns}
            if len(columns["id"]):
                low, high = int(columns["id"].min()), int(columns["id"].max())
                self.issued = (
                    (low, high) if self.issued is None else (min(low, self.issued[0]), max(high, self.issued[1]))
                )
            self._json.extend([None] * (len(self) - len(self._json)))
            self._changed_data()

    def remove(self, rows: np.ndarray) -> None:
        """Drop the rows at positions ``rows`` (``reset()`` brings them back)."""
        with self._lock:
            keep = np.ones(len(self), dtype=bool)
            keep[rows] = False
            self.columns = {name: column[keep] for name, column in self.columns.items()}
            self._json = [cached for cached, kept in zip(self._json, keep.tolist(), strict=True) if kept]
            self._changed_data()

    def update(self, name: str, rows: np.ndarray, values: np.ndarray) -> None:
        """Set column ``name`` at row positions ``rows`` (copy-on-write, so ``reset()`` can undo it)."""
        with self._lock:
            column = self.columns[name].copy()
            column[rows] = values
            self.columns[name] = column
            for row in rows.tolist():
                self._json[row] = None
            self._changed_data()

    def sort_key(self, name: str) -> np.ndarray:
        """An int64 array ordering the rows by column ``name`` (strings by rank, null as empty)."""
        with self._lock:
            key = self._keys.get(name)
            if key is None:
                column = self.columns[name]
                if column.dtype == object:
                    texts = ["" if value is None else value for value in column.tolist()]
                    rank = {text: i for i, text in enumerate(sorted(set(texts)))}
                    key = np.fromiter((rank[text] for text in texts), dtype=np.int64, count=len(texts))
                else:
                    key = column.astype(np.int64)
                self._keys[name] = key
            return key

    def cached_order(self, key: Hashable, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The row order for a query ``key``, computed once per state of the data."""
        with self._lock:
            order = self._orders.get(key)
            if order is None:
                if len(self._orders) >= 256:
                    self._orders.clear()
                order = self._orders[key] = compute()
            return order

    def _changed_data(self) -> None:
        self._orders.clear()
        self._keys.clear()
        self._changed = True


class Records(Sequence[dict[str, Any]]):
    """A read-only list view of a table's records in a given order (built on access).

    Example:
        >>> table = Table("things", [Field("n", "int")], {"id": np.array([2, 1]), "n": np.array([5, 6])})
        >>> records = Records(table, lambda: np.array([1, 0]))
        >>> [record["id"] for record in records]
        ['1', '2']
    """

    _CHUNK = 10_000

    def __init__(self, table: Table, order: Callable[[], np.ndarray]) -> None:
        self._table = table
        self._order = order

    def __len__(self) -> int:
        return len(self._order())

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        order = self._order()
        if isinstance(index, slice):
            return self._table.records(order[index])
        return self._table.records(order[[index]])[0]

    def __iter__(self) -> Iterator[dict[str, Any]]:
        order = self._order()
        for start in range(0, len(order), self._CHUNK):
            yield from self._table.records(order[start : start + self._CHUNK])

    def __repr__(self) -> str:
        return f"<Records of {self._table.type}: {len(self)}>"


def _render(field: Field, values: np.ndarray) -> list[Any]:
    if field.kind == "time":
        texts = np.datetime_as_string(_stamps(values, "s"), unit="s").tolist()
        rendered: list[Any] = [f"{text}.000Z" for text in texts]
    elif field.kind == "date":
        rendered = np.datetime_as_string(_stamps(values, "D"), unit="D").tolist()
    else:
        rendered = values.tolist()
    if field.nullable and field.kind != "str":
        return [None if raw == NULL else value for raw, value in zip(values.tolist(), rendered, strict=True)]
    return rendered


def _stamps(values: np.ndarray, unit: str) -> np.ndarray[Any, np.dtype[np.datetime64]]:
    return cast("np.ndarray[Any, np.dtype[np.datetime64]]", values.astype(f"datetime64[{unit}]"))
