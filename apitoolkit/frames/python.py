"""The coercing path: pages parsed by orjson, schema columns coerced value by value, extras built from Python values."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa

from apitoolkit.exceptions import ResponseFormatError
from apitoolkit.frames.convert import coerce_column
from apitoolkit.frames.dtypes import to_pandas
from apitoolkit.frames.extras import Path, extras_plan, is_relationship, is_skipped, leaves_of, relationship_ids
from apitoolkit.frames.extras import structural as structural_paths
from apitoolkit.frames.schema import Schema

__all__ = ["dig", "infer_array", "parse_pages", "python_extras", "python_leaves", "slow_frame"]


def parse_pages(pages: Sequence[bytes], records_key: str | None) -> list[dict[str, Any]]:
    """The records of all pages as Python objects; a record that is not an object is an error, never a lost row.

    Raises:
        ResponseFormatError: A page is not valid JSON, has no list of records, or a record is not an object.

    Example:
        >>> parse_pages([b'{"data": [{"id": 1}]}', b'{"data": {"id": 2}}'], "data")
        [{'id': 1}, {'id': 2}]
    """
    records: list[dict[str, Any]] = []
    for number, page in enumerate(pages, start=1):
        try:
            payload = orjson.loads(page)
        except orjson.JSONDecodeError as exc:
            raise ResponseFormatError(f"a page is not valid JSON ({exc}); reload with refresh=True") from None
        items = payload.get(records_key) if records_key is not None and isinstance(payload, dict) else payload
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise ResponseFormatError(f"a page has no list of records under {records_key!r}")
        for position, record in enumerate(items, start=1):
            if not isinstance(record, dict):
                kind = "null" if record is None else type(record).__name__
                raise ResponseFormatError(f"record {position} of page {number} is {kind}, not an object")
        records.extend(items)
    return records


def dig(record: Any, path: Path) -> Any:
    """The value at ``path`` in a parsed record; None when any step is missing or not an object.

    Example:
        >>> dig({"attributes": {"name": "a"}}, ("attributes", "name")), dig({"attributes": None}, ("attributes", "x"))
        ('a', None)
    """
    for part in path:
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record


def slow_frame(pages: Sequence[bytes], schema: Schema, records_key: str | None) -> tuple[pd.DataFrame, int]:
    """The frame of the coercing path, and how many values were bad (not of the documented type: set missing).

    Example:
        >>> from apitoolkit.frames import Field
        >>> frame, bad = slow_frame([b'[{"id": "7"}, {"id": "x"}]'], Schema("t", (Field("id", "int"),)), None)
        >>> frame["id"].tolist(), bad
        ([7, <NA>], 1)
    """
    records = parse_pages(pages, records_key)
    cols: dict[str, pa.Array] = {}
    bad = 0
    for f in schema.fields:
        cols[f.name], errors = coerce_column((dig(r, f.source) for r in records), f.kind)
        bad += errors
    cols.update(python_extras(records, schema))
    return to_pandas(pa.table(cols)), bad


class _Leaves:
    """Walks Python records for their unknown fields: path -> holds a value that is neither an object nor null."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.known, self.inner = structural_paths(schema)
        self.seen: dict[Path, bool] = {}

    def walk(self, value: Any, path: Path) -> None:
        if path in self.known or is_skipped(self.schema, path):
            return
        if self.schema.jsonapi and path == ("relationships",):
            self.relationships(value)
            return
        if path and path not in self.inner:
            self.seen.setdefault(path, False)
            if value is not None and not isinstance(value, dict):
                self.seen[path] = True
        self.open(value, path)

    def open(self, value: Any, path: Path) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                self.walk(item, (*path, key))

    def relationships(self, value: Any) -> None:
        if isinstance(value, dict):
            taken = self.known | self.inner
            self.seen.update((("relationships", key), True) for key in value if ("relationships", key) not in taken)


def python_leaves(records: list[dict[str, Any]], schema: Schema) -> list[Path]:
    """The unknown leaves of Python records: a field is opened when every value it holds is an object or null.

    Example:
        >>> python_leaves([{"id": 1, "address": {"city": "Oslo"}}, {"id": 2, "address": None}], Schema("t", ()))
        [('id',), ('address', 'city')]
    """
    leaves = _Leaves(schema)
    for record in records:
        leaves.walk(record, ())
    return leaves_of(leaves.seen)


def python_extras(
    records: list[dict[str, Any]], schema: Schema, plan: list[tuple[str, Path]] | None = None
) -> dict[str, pa.Array]:
    """The extra columns of Python records (the coercing path), or those of ``plan`` only (for the Arrow path).

    Example:
        >>> python_extras([{"id": 1, "note": "a"}], Schema("t", ()))["note"].to_pylist()
        ['a']
    """
    out: dict[str, pa.Array] = {}
    for name, path in extras_plan(python_leaves(records, schema), schema) if plan is None else plan:
        if is_relationship(schema, path):
            links = [dig(r, (*path, "data")) for r in records]
            ids = [link.get("id") if isinstance(link, dict) else None for link in links]
            out[name] = relationship_ids(pa.array([None if v is None else str(v) for v in ids], type=pa.string()))
        else:
            out[name] = infer_array([dig(r, path) for r in records])
    return out


def infer_array(values: list[Any]) -> pa.Array:
    """An extra column from JSON values, typed as Arrow's JSON reader types them (the Arrow path keeps those).

    Example:
        >>> infer_array([1, 2.5]).type, infer_array([1, "a"]).to_pylist(), infer_array([{"a": 1}]).to_pylist()
        (DataType(double), ['1', 'a'], ['{"a":1}'])
    """
    for floats in (False, True):  # True: integers beside floats, which Arrow rounds to floats even beyond 2**53
        try:
            arr = pa.array([_as_read(v, floats=floats) for v in values])
            break
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            continue
    else:
        arr = pa.array([None if v is None else _text(v) for v in values])
    if pa.types.is_struct(arr.type) or (pa.types.is_list(arr.type) and pa.types.is_struct(arr.type.value_type)):
        arr = pa.array([None if v is None else orjson.dumps(v).decode() for v in values])
    return arr


def _text(value: Any) -> str:
    """A value of a column of mixed types: objects and lists as JSON, the rest as ``str``."""
    return orjson.dumps(value).decode() if isinstance(value, dict | list) else str(value)


def _as_read(value: Any, *, floats: bool = False) -> Any:
    """Integers beyond int64 (``floats``: all integers) as floats, also in lists, as Arrow's JSON reader reads them."""
    if type(value) is int and (floats or not -(2**63) <= value < 2**63):
        return float(value)
    if isinstance(value, list):
        return [_as_read(v, floats=floats) for v in value]
    return value
