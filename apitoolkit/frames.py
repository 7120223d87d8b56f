"""Raw pages to one typed, flat DataFrame through Arrow, with an explicit column schema per resource.

The fast path hands all pages to ``pyarrow.json`` in one call with the resource's schema (known fields
typed exactly, unknown ones inferred and kept), then flattens and casts in Arrow and converts to pandas
without copying strings. When a page surprises the schema (a number where a string was promised, a
naive timestamp, an id that is not numeric), the slow path parses with orjson and coerces value by value;
values that cannot be coerced become missing and a `SchemaDriftWarning` says how many.

Output: snake_case columns in schema order, then any unexpected columns; ids are ``Int64``, datetimes
``datetime64[us, UTC]``, dates ``date32[pyarrow]``, booleans ``boolean``, text ``str``; an empty result
has the same columns and dtypes.

Unknown fields (extras) follow one rule on both paths (`_extras_plan`), so a frame's columns never depend on
which path a batch took:

- Which: every field the schema does not name; for JSON:API records the unknown keys of ``attributes`` and
  of the record itself (not ``type``, ``links``, ``meta``), and each unknown relationship.
- Names: the snake_case of the path joined by ``_`` (``attributes.address.city`` -> ``address_city``); a
  relationship ``owner`` -> ``owner_id``, its ``data.id`` (``Int64`` when every id is an integer, else text,
  missing for to-many or null links). A name that is empty or a schema column is dropped; when two paths give
  one name, the smaller path (as a tuple of keys) wins.
- Nested objects are flattened to their leaves, at any depth, when the field holds only objects or null; a
  field that also holds other values is one column. Missing keys are missing values.
- Values are what JSON gives, never inferred further: text stays text (no dates read from strings: Arrow's
  guesses are read again as text), numbers as ``Int64``, or ``Float64`` when any is a float or beyond int64,
  lists of scalars as lists. Lists of objects and empty objects become JSON text; values of mixed types
  become text (``str`` of each, objects and lists as JSON), and send the listing down the coercing path.
- Order: after the schema's columns, sorted by name (also across batches).
"""

from __future__ import annotations

import io
import re
import threading
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from apitoolkit.exceptions import InvalidArgumentError, ResponseFormatError

__all__ = [
    "DuplicateRecordsWarning",
    "Field",
    "FrameBuilder",
    "Schema",
    "SchemaDriftWarning",
    "drop_duplicate_records",
    "empty_frame",
    "pages_to_frame",
    "pages_to_table",
    "snake_case",
    "table_to_frame",
    "utc_timestamp",
]

Kind = Literal["int", "float", "str", "bool", "datetime", "date", "list[str]", "list[int]", "json"]
Raw = Literal["number", "string", "bool", "any"]


class SchemaDriftWarning(UserWarning):
    """Some values did not have the documented type and were coerced or set missing."""


class DuplicateRecordsWarning(UserWarning):
    """The same record came back on more than one page (data changed while paging); extras were dropped."""


_ARROW: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    "bool": pa.bool_(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "list[str]": pa.list_(pa.string()),
    "list[int]": pa.list_(pa.int64()),
    "json": pa.string(),
}
_RAW_DEFAULT: dict[str, Raw] = {
    "int": "number",
    "float": "number",
    "str": "string",
    "bool": "bool",
    "datetime": "string",
    "date": "string",
    "list[str]": "any",
    "list[int]": "any",
    "json": "any",
}
_RAW_ARROW: dict[str, pa.DataType] = {"number": pa.int64(), "string": pa.string(), "bool": pa.bool_()}

#: Arrow's default allocator (mimalloc) keeps freed batches for reuse, so the peak grows with the input; our
#: own Arrow calls use the system allocator, which gives large blocks back. The user's other Arrow work keeps
#: the default.
_POOL = pa.system_memory_pool()

_STR_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)
_PANDAS_TYPES: dict[pa.DataType, Any] = {
    pa.int64(): pd.Int64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
    pa.string(): _STR_DTYPE,
    pa.large_string(): _STR_DTYPE,
    pa.float64(): pd.Float64Dtype(),
    pa.date32(): pd.ArrowDtype(pa.date32()),
    pa.list_(pa.string()): pd.ArrowDtype(pa.list_(pa.string())),
    pa.list_(pa.int64()): pd.ArrowDtype(pa.list_(pa.int64())),
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_case(name: str) -> str:
    """``kebab-case``, ``camelCase`` or ``Title Case`` to ``snake_case``.

    Example:
        >>> snake_case("my-glue-account-id"), snake_case("firstName"), snake_case("Resource Type")
        ('my_glue_account_id', 'first_name', 'resource_type')
    """
    return re.sub(r"[^0-9a-zA-Z]+", "_", _CAMEL.sub("_", name)).strip("_").lower()


@dataclass(frozen=True)
class Field:
    """One output column.

    Attributes:
        name: The column name (snake_case).
        kind: The column's type; ``"json"`` keeps a nested value (object or array) as JSON text.
        path: Where the value sits in a record, e.g. ``("attributes", "first-name")``; default: the name.
        raw: The JSON type the API sends (``"string"`` for ids sent as ``"123"``); default from ``kind``.
    """

    name: str
    kind: Kind
    path: tuple[str, ...] = ()
    raw: Raw | None = None

    @property
    def source(self) -> tuple[str, ...]:
        """The path, defaulting to the column name."""
        return self.path or (self.name,)

    @property
    def raw_type(self) -> Raw:
        """The JSON type read from the page."""
        return self.raw or _RAW_DEFAULT[self.kind]


@dataclass(frozen=True)
class Schema:
    """The columns of one resource, in order, and how to find them in a record.

    Attributes:
        name: Resource name (``"users"``).
        fields: The columns.
        primary_key: Column that identifies a record (for de-duplication); None when there is none.
        jsonapi: Records are JSON:API resource objects: unknown ``attributes`` and ``relationships`` are kept
            as columns.
    """

    name: str
    fields: tuple[Field, ...]
    primary_key: str | None = "id"
    jsonapi: bool = False

    @classmethod
    def jsonapi_resource(cls, name: str, attributes: Sequence[tuple[str, Kind] | tuple[str, Kind, Raw]]) -> Schema:
        """A JSON:API schema: ``id`` plus kebab-case attributes listed as ``(kebab-name, kind[, raw])``.

        Example:
            >>> s = Schema.jsonapi_resource("users", [("first-name", "str"), ("reputation", "int")])
            >>> [f.name for f in s.fields]
            ['id', 'first_name', 'reputation']
        """
        fields = [Field("id", "int", ("id",), "string")]
        for spec in attributes:
            attr, kind = spec[0], spec[1]
            raw = spec[2] if len(spec) == 3 else None
            fields.append(Field(snake_case(attr), kind, ("attributes", attr), raw))
        return cls(name, tuple(fields), "id", jsonapi=True)

    @property
    def columns(self) -> list[str]:
        """Column names in order."""
        return [f.name for f in self.fields]


# ---------------------------------------------------------------------------------------- empty frames
def empty_frame(schema: Schema) -> pd.DataFrame:
    """A frame with the schema's columns and dtypes and no rows.

    Example:
        >>> empty_frame(Schema("t", (Field("id", "int"),))).dtypes.to_dict()
        {'id': Int64Dtype()}
    """
    table = pa.table({f.name: pa.array([], type=_ARROW[f.kind]) for f in schema.fields})
    return _to_pandas(table)


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=_PANDAS_TYPES.get, memory_pool=_POOL)


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """A stored Arrow table (the frame cache, snapshots) back to the loaders' dtypes.

    Parquet names a list's items ``element`` where Arrow says ``item``; lists are brought back to one shape
    so they map to the same dtype as a fresh load.
    """
    fields = []
    for field in table.schema:
        kind = field.type
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            kind = pa.list_(kind.value_type)
        fields.append(pa.field(field.name, kind, field.nullable))
    return _to_pandas(table.cast(pa.schema(fields)))


# ---------------------------------------------------------------------------------------- the fast path
def _nest(paths: Iterable[tuple[tuple[str, ...], pa.DataType]]) -> pa.StructType:
    tree: dict[str, Any] = {}
    for path, typ in paths:
        node = tree
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(f"schema path {path} crosses a leaf")
        node[path[-1]] = typ

    def build(node: dict[str, Any]) -> pa.StructType:
        return pa.struct([(k, build(v) if isinstance(v, dict) else v) for k, v in node.items()])

    return build(tree)


def _read_type(f: Field) -> pa.DataType:
    if f.kind.startswith("list["):
        return _ARROW[f.kind]
    if f.kind == "float":
        return pa.float64()
    return _RAW_ARROW[f.raw_type] if f.raw_type != "any" else pa.string()


def _ndjson(pages: Sequence[bytes], records_key: str | None) -> tuple[bytes, bool]:
    wrap = records_key is None
    parts = [b'{"data":' + p.strip() + b"}" if wrap else p.strip() for p in pages]
    if any(not part.startswith(b"{") for part in parts):
        # Not a page for the reader; pyarrow (26) even kills the process on a leading `null`. The coercing
        # path says what is wrong.
        raise ResponseFormatError("a page is not a JSON object")
    multiline = any(b"\n" in p or b"\r" in p for p in parts)
    return b"\n".join(parts), multiline


def _get(struct: pa.StructArray, path: tuple[str, ...]) -> pa.Array | None:
    arr: pa.Array = struct
    for part in path:
        if not pa.types.is_struct(arr.type) or arr.type.get_field_index(part) < 0:
            return None
        arr = pc.struct_field(arr, part, memory_pool=_POOL)
    return arr


def _json_exact(arr: pa.Array) -> bool:
    """Whether inferred values write back as the JSON that was read: no timestamps (Arrow reads them from date
    strings), no floats (integers may have been widened), no object key null or absent in some record (Arrow
    adds keys seen in other records as nulls)."""
    kind = arr.type
    if pa.types.is_struct(kind):
        children = [pc.struct_field(arr, i, memory_pool=_POOL) for i in range(kind.num_fields)]
        return all(child.null_count == arr.null_count and _json_exact(child) for child in children)
    if pa.types.is_list(kind):
        return _json_exact(pc.list_flatten(arr, memory_pool=_POOL))
    return pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_string(kind) or pa.types.is_null(kind)


def _cast(arr: pa.Array, f: Field) -> pa.Array:
    if f.kind == "json":
        if not _json_exact(arr):
            raise pa.ArrowInvalid(f"{f.name} cannot be written back exactly from Arrow's inferred type")
        return pa.array([None if v is None else orjson.dumps(v).decode() for v in arr.to_pylist()], pa.string())
    target = _ARROW[f.kind]
    if f.kind.startswith("list["):
        # A list column holds a list in every row: missing means empty.
        listed = arr if arr.type == target else pc.cast(arr, target, memory_pool=_POOL)
        return pc.fill_null(listed, pa.scalar([], type=target))
    if arr.type == target:
        return arr
    return pc.cast(arr, target, safe=True, memory_pool=_POOL)


#: `FrameBuilder` parses pages in batches of about this many bytes. Measured on 200k records (peak RSS added
#: by the flattening / the frame's deep memory): one parse of all pages 7.5x; 8 MB batches 3.7x; 2 MB batches
#: with the system allocator, each turned into pandas at once, 2.0x, at the same speed.
BATCH_BYTES = 2 << 20


def _fast_table(
    pages: Sequence[bytes], schema: Schema, records_key: str | None, as_text: dict[tuple[str, ...], Any] | None = None
) -> pa.Table:
    """The pages through Arrow. ``as_text``: extras known (from earlier batches) to hold strings Arrow would take
    for dates; read as text at once, and extended with any found here."""
    hints = {} if as_text is None else dict(as_text)
    try:
        records = _read_records(pages, schema, records_key, hints)
    except pa.ArrowInvalid:
        if not hints:
            raise
        hints = {}  # this batch holds something else there: read it afresh
        records = _read_records(pages, schema, records_key, hints)
    cols: dict[str, pa.Array] = {}
    for f in schema.fields:
        arr = _get(records, f.source)
        cols[f.name] = pa.nulls(len(records), _ARROW[f.kind]) if arr is None else _cast(arr, f)
    seen: dict[tuple[str, ...], bool] = {}
    try:
        cols.update(_arrow_extras(records, schema, None, seen))
    except _NotPlain as odd:
        # Arrow read some extras its own way (dates from strings, lists of objects). Strings are read again as
        # text, in Arrow; what remains takes Python values, for those columns only.
        retyped = {path: _TEXT_INSTEAD.get(kind) for path, kind in odd.kinds.items()}
        if all(retyped.values()):
            hints.update(retyped)
            records = _read_records(pages, schema, records_key, hints)
            if as_text is not None:
                as_text.update(retyped)
        try:
            cols.update(_arrow_extras(records, schema, None, seen))
        except _NotPlain:
            cols.update(_arrow_extras(records, schema, _records(pages, records_key), seen))
    return pa.table(cols, metadata={_SEEN: orjson.dumps([[list(path), flag] for path, flag in seen.items()])})


#: Table metadata: the unknown fields of a batch (`_arrow_extras`'s ``seen``), for `_fit_batches`.
_SEEN = b"apitoolkit.extras"


def _read_records(
    pages: Sequence[bytes], schema: Schema, records_key: str | None, extras: dict[tuple[str, ...], pa.DataType]
) -> pa.StructArray:
    """The records of all pages read by Arrow: schema fields typed, ``extras`` typed as given, the rest inferred."""
    body, multiline = _ndjson(pages, records_key)
    # "json" fields keep whatever shape they have: Arrow infers them and `_cast` writes them back as JSON text.
    record_type = _nest([*((f.source, _read_type(f)) for f in schema.fields if f.kind != "json"), *extras.items()])
    key = records_key or "data"  # bare arrays are wrapped as {"data": [...]}
    explicit = pa.schema([(key, pa.list_(record_type))])
    longest = max(len(p) for p in pages) + 64
    table = pj.read_json(
        io.BytesIO(body),
        read_options=pj.ReadOptions(block_size=max(longest, 1 << 20), use_threads=True),
        parse_options=pj.ParseOptions(
            explicit_schema=explicit, unexpected_field_behavior="infer", newlines_in_values=multiline
        ),
        memory_pool=_POOL,
    )
    del body
    # pyarrow (26) builds invalid arrays when it infers a list that starts with null ([null, 1]), whose values
    # read back wrong or crash the process: the coercing path reads such pages instead.
    table.validate()
    if table.num_columns == 0 or key not in table.column_names:
        raise ResponseFormatError(f"pages have no '{key}' list")
    column = table.column(key)
    if column.null_count:
        raise pa.ArrowInvalid(f"a page has no '{key}' list")
    if not pa.types.is_list(column.type) or not pa.types.is_struct(column.type.value_type):
        raise pa.ArrowInvalid("data is not a list of objects")
    records: pa.StructArray = pc.list_flatten(column, memory_pool=_POOL).combine_chunks(memory_pool=_POOL)
    if records.null_count:
        raise pa.ArrowInvalid("null record in data")
    return records


# ---------------------------------------------------------------------------------------- extra columns
#: JSON:API members that never become columns (``attributes`` and ``relationships`` are opened instead).
_JSONAPI_SKIPPED = frozenset({"type", "links", "meta"})
#: Arrow types an extra column keeps as read: what JSON gives and `_infer_array` builds the same way.
_PLAIN = (pa.int64(), pa.float64(), pa.bool_(), pa.string(), pa.null())


class _NotPlain(Exception):
    """Arrow inferred extras that Python values would not give (a date from a string, a list of objects)."""

    def __init__(self, kinds: dict[tuple[str, ...], pa.DataType | None]) -> None:
        super().__init__(f"extras read their own way: {kinds}")
        self.kinds = kinds


#: Types Arrow infers from JSON strings, and the type that reads the strings as sent.
_TEXT_INSTEAD = {
    **{pa.timestamp(unit): pa.string() for unit in ("s", "ms", "us", "ns")},
    **{pa.list_(pa.timestamp(unit)): pa.list_(pa.string()) for unit in ("s", "ms", "us", "ns")},
}


def _extras_plan(leaves: Iterable[tuple[str, ...]], schema: Schema) -> list[tuple[str, tuple[str, ...]]]:
    """The rule for extra columns, on both paths: ``(column, path)`` in output order (see the module docstring).

    ``leaves`` are the paths of the unknown values found in the records: ``("relationships", name)`` for a
    relationship, each leaf of a nested object.
    """
    taken = set(schema.columns)
    best: dict[str, tuple[str, ...]] = {}
    for path in leaves:
        if schema.jsonapi and path[0] == "relationships":
            name = snake_case(f"{path[1]}_id")
        else:
            name = snake_case("_".join(path[1:] if schema.jsonapi and path[0] == "attributes" else path))
        if name and name not in taken and (name not in best or path < best[name]):
            best[name] = path
    return sorted(best.items())


def _structural(schema: Schema) -> tuple[set[tuple[str, ...]], set[tuple[str, ...]]]:
    """(the schema's paths, the paths that lead to them): neither is an extra."""
    known = {f.source for f in schema.fields}
    inner = {f.source[:i] for f in schema.fields for i in range(1, len(f.source))}
    if schema.jsonapi:
        inner |= {("attributes",)}
    return known, inner


def _python_leaves(records: list[dict[str, Any]], schema: Schema) -> list[tuple[str, ...]]:
    """The unknown leaves of Python records: a field is opened when every value it holds is an object or null."""
    known, inner = _structural(schema)
    structural = known | inner
    seen: dict[tuple[str, ...], bool] = {}  # path -> holds a value that is neither an object nor null

    def walk(value: Any, path: tuple[str, ...]) -> None:
        if path in known or (schema.jsonapi and len(path) == 1 and path[0] in _JSONAPI_SKIPPED):
            return
        if schema.jsonapi and path == ("relationships",):
            if isinstance(value, dict):
                seen.update(dict.fromkeys(((*path, key) for key in value if (*path, key) not in structural), True))
            return
        if path == () or path in inner:
            if isinstance(value, dict):
                for key, item in value.items():
                    walk(item, (*path, key))
            return
        seen.setdefault(path, False)
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*path, key))
        elif value is not None:
            seen[path] = True

    for record in records:
        walk(record, ())
    return _leaves_of(seen)


def _leaves_of(seen: dict[tuple[str, ...], bool]) -> list[tuple[str, ...]]:
    """The columns' paths among the fields seen (path -> holds a value that is neither an object nor null)."""
    parents = {path[:i] for path in seen for i in range(1, len(path))}
    leaves = [p for p in seen if seen[p] or p not in parents]
    return [p for p in leaves if not any(seen.get(p[:i]) for i in range(1, len(p)))]


def _python_extras(
    records: list[dict[str, Any]], schema: Schema, plan: list[tuple[str, tuple[str, ...]]] | None = None
) -> dict[str, pa.Array]:
    """The extra columns of Python records (the slow path), or those of ``plan`` only (for `_arrow_extras`)."""
    out: dict[str, pa.Array] = {}
    for name, path in _extras_plan(_python_leaves(records, schema), schema) if plan is None else plan:
        if schema.jsonapi and path[0] == "relationships":
            ids = [
                _dig(r, (*path, "data", "id")) if isinstance(_dig(r, (*path, "data")), dict) else None for r in records
            ]
            out[name] = _relationship_ids(pa.array([None if v is None else str(v) for v in ids], type=pa.string()))
        else:
            out[name] = _infer_array([_dig(r, path) for r in records])
    return out


def _arrow_extras(
    records: pa.StructArray,
    schema: Schema,
    python: list[dict[str, Any]] | None,
    seen: dict[tuple[str, ...], bool] | None = None,
) -> dict[str, pa.Array]:
    """The extra columns of Arrow-read records, by the same plan as `_python_extras`.

    Columns Arrow read its own way take their values from ``python``, the same records parsed by orjson;
    without them, `_NotPlain` says which columns need them. ``seen`` receives the fields found, as
    `_python_leaves` records them, so that `FrameBuilder` can apply the rule across batches.
    """
    known, inner = _structural(schema)
    arrays: dict[tuple[str, ...], pa.Array] = {}

    def children(arr: pa.Array, path: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], pa.Array]]:
        for i in range(arr.type.num_fields):
            sub = (*path, arr.type.field(i).name)
            if sub not in known and not (schema.jsonapi and len(sub) == 1 and sub[0] in _JSONAPI_SKIPPED):
                yield sub, pc.struct_field(arr, i, memory_pool=_POOL)

    def walk(arr: pa.Array, path: tuple[str, ...]) -> None:
        kind = arr.type
        if schema.jsonapi and path == ("relationships",):
            if pa.types.is_struct(kind):
                arrays.update((sub, child) for sub, child in children(arr, path) if sub not in inner)
            return
        if path == () or path in inner:
            if pa.types.is_struct(kind):
                for sub, child in children(arr, path):
                    walk(child, sub)
            return
        if pa.types.is_struct(kind) and kind.num_fields:
            for sub, child in children(arr, path):
                walk(child, sub)
        else:
            arrays[path] = arr

    walk(records, ())
    if seen is not None:
        for path, arr in arrays.items():
            seen[path] = path[0] == "relationships" if schema.jsonapi else False
            seen[path] |= arr.null_count < len(arr) and not pa.types.is_struct(arr.type)
    plan = _extras_plan(arrays, schema)
    out: dict[str, pa.Array] = {}
    odd: dict[tuple[str, ...], pa.DataType | None] = {}
    for name, path in plan:
        arr = arrays[path]
        if schema.jsonapi and path[0] == "relationships":
            rel_id = _get(arr, ("data", "id")) if pa.types.is_struct(arr.type) else None
            if rel_id is None or pa.types.is_null(rel_id.type):
                rel_id = pa.nulls(len(arr), pa.string())
            elif rel_id.type not in (pa.string(), pa.int64()):
                odd[path] = None  # Python's text of the ids
                continue
            out[name] = _relationship_ids(pc.cast(rel_id, pa.string(), memory_pool=_POOL))
        elif arr.type in _PLAIN or (pa.types.is_list(arr.type) and arr.type.value_type in _PLAIN[:4]):
            out[name] = arr
        else:
            odd[path] = arr.type
    if odd and python is None:
        raise _NotPlain(odd)
    if odd and python is not None:
        out.update(_python_extras(python, schema, [(name, path) for name, path in plan if path in odd]))
    return {name: out[name] for name, _ in plan}


def _relationship_ids(ids: pa.Array) -> pa.Array:
    """Related ids: integers when every one is, else the text."""
    try:
        return pc.cast(ids, pa.int64(), memory_pool=_POOL)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return ids


# ---------------------------------------------------------------------------------------- the slow path
def _coerce_one(value: Any, kind: str) -> tuple[Any, bool]:
    """(coerced value, whether it was bad)."""
    if value is None:
        return ([] if kind.startswith("list[") else None), False
    try:
        if kind == "int":
            if isinstance(value, bool):
                return None, True
            if isinstance(value, float) and not value.is_integer():
                return None, True
            number = int(value)
            return (number, False) if -(2**63) <= number < 2**63 else (None, True)
        if kind == "float":
            if isinstance(value, bool):
                return None, True
            return float(value), False
        if kind == "str":
            if isinstance(value, dict | list):
                return orjson.dumps(value).decode(), False
            return (("true" if value else "false") if isinstance(value, bool) else str(value)), False
        if kind == "bool":
            if isinstance(value, bool):
                return value, False
            text = str(value).strip().lower()
            if text in {"true", "1", "yes"}:
                return True, False
            if text in {"false", "0", "no"}:
                return False, False
            return None, True
        if kind == "datetime":
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                return None, True
            if value in {"now", "today"}:  # pandas reads these as the current time
                return None, True
            ts = pd.Timestamp(value, unit="ms") if isinstance(value, int | float) else pd.Timestamp(value)
            if ts is pd.NaT:  # "", "NaT", "nan", the int64 minimum
                return None, True
            ts = ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)
            return ts.to_pydatetime(), False
        if kind == "date":
            if not isinstance(value, str):
                return None, True
            return date.fromisoformat(value[:10]), False
        if kind == "json":
            return orjson.dumps(value).decode(), False
        if kind in {"list[str]", "list[int]"}:
            items = value if isinstance(value, list) else [v for v in str(value).split(",") if v.strip()]
            inner = "int" if kind == "list[int]" else "str"
            out = [_coerce_one(v, inner) for v in items]
            return [v for v, _ in out if v is not None], any(bad for _, bad in out)
    except (ValueError, TypeError, OverflowError):
        return None, True
    raise AssertionError(kind)


def _dig(record: Any, path: tuple[str, ...]) -> Any:
    for part in path:
        if not isinstance(record, dict):
            return None
        record = record.get(part)
    return record


def _infer_array(values: list[Any]) -> pa.Array:
    """An extra column from JSON values, typed as Arrow's JSON reader types them (`_arrow_extras` keeps those)."""
    for floats in (False, True):  # True: integers beside floats, which Arrow rounds to floats even beyond 2**53
        try:
            arr = pa.array([_as_read(v, floats=floats) for v in values])
            break
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            continue
    else:
        arr = pa.array(
            [
                None if v is None else (orjson.dumps(v).decode() if isinstance(v, dict | list) else str(v))
                for v in values
            ]
        )
    if pa.types.is_struct(arr.type) or (pa.types.is_list(arr.type) and pa.types.is_struct(arr.type.value_type)):
        arr = pa.array([None if v is None else orjson.dumps(v).decode() for v in values])
    return arr


def _as_read(value: Any, *, floats: bool = False) -> Any:
    """Integers beyond int64 (``floats``: all integers) as floats, also in lists, as Arrow's JSON reader reads them."""
    if type(value) is int and (floats or not -(2**63) <= value < 2**63):
        return float(value)
    if isinstance(value, list):
        return [_as_read(v, floats=floats) for v in value]
    return value


def _records(pages: Sequence[bytes], records_key: str | None) -> list[dict[str, Any]]:
    """The records of all pages as Python objects; a record that is not an object is an error, never a lost row."""
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


def _slow(pages: Sequence[bytes], schema: Schema, records_key: str | None) -> tuple[pd.DataFrame, int]:
    records = _records(pages, records_key)
    bad = 0
    cols: dict[str, pa.Array] = {}
    for f in schema.fields:
        values = []
        for r in records:
            value, was_bad = _coerce_one(_dig(r, f.source), f.kind)
            bad += was_bad
            values.append(value)
        cols[f.name] = pa.array(values, type=_ARROW[f.kind])
    cols.update(_python_extras(records, schema))
    return _to_pandas(pa.table(cols)), bad


def _fit_batches(tables: list[pa.Table], schema: Schema) -> list[pa.Table] | None:
    """The batches with the extra columns the rule gives for the whole listing; None when a batch cannot have them.

    A field that holds only null in one batch and objects in another is one column per leaf of the objects: the
    batch's null column goes. A field that holds objects in one batch and other values in another is one column
    of text, which the coercing path builds (None). So does a name that another batch's path takes.
    """
    if len(tables) == 1:
        return tables
    found = []
    for table in tables:
        raw = orjson.loads((table.schema.metadata or {})[_SEEN])
        found.append({tuple(path): flag for path, flag in raw})
    merged: dict[tuple[str, ...], bool] = {}
    for seen in found:
        for path, flag in seen.items():
            merged[path] = merged.get(path, False) or flag
    plan = dict(_extras_plan(_leaves_of(merged), schema))
    parents = {path[:i] for path in merged for i in range(1, len(path))}
    fitted = []
    for table, seen in zip(tables, found, strict=True):
        drop = []
        for name, path in _extras_plan(_leaves_of(seen), schema):
            if plan.get(name) == path:
                continue
            if path in parents and not merged[path] and table.column(name).null_count == len(table):
                drop.append(name)
            else:
                return None
        fitted.append(table.drop_columns(drop) if drop else table)
    return fitted


def _stitch(tables: list[pa.Table], schema: Schema) -> pd.DataFrame:
    """Batches of one listing, in order, as one frame: joined in Arrow (no copy), converted once.

    Extra columns seen in some batches only are kept, in the order of the rule (schema columns, then by name);
    batches whose extras disagree in type are stitched by pandas.
    """
    if len(tables) == 1:
        return _to_pandas(tables[0])
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        frame = pd.concat([_to_pandas(t) for t in tables], ignore_index=True)
        return frame[_in_order(frame.columns, schema)]
    tables.clear()
    return _to_pandas(table.select(_in_order(table.column_names, schema)))


def _in_order(columns: Iterable[str], schema: Schema) -> list[str]:
    return [*schema.columns, *sorted(set(columns) - set(schema.columns))]


# ---------------------------------------------------------------------------------------- public
class FrameBuilder:
    """Builds one frame from pages handed in as they arrive, in any order, from any thread.

    As soon as the pages from the lowest one not yet parsed form a contiguous run of `BATCH_BYTES`, the thread
    that completed the run parses it into Arrow (pyarrow releases the GIL, so this overlaps with fetching the
    rest). `frame` parses what is left, joins the batches in page order and converts them to pandas once (one
    conversion costs a tenth of one per batch). If any batch does not fit the schema, `frame` falls back to
    the coercing slow path over all pages.

    Example:
        >>> s = Schema.jsonapi_resource("users", [("reputation", "int")])
        >>> builder = FrameBuilder(s)
        >>> builder.add(1, b'{"data":[{"id":"2","attributes":{"reputation":5}}]}')
        >>> builder.add(0, b'{"data":[{"id":"1","attributes":{"reputation":7}}]}')
        >>> builder.frame()["id"].tolist()
        [1, 2]
    """

    def __init__(self, schema: Schema, *, records_key: str | None = "data") -> None:
        self.schema = schema
        self.records_key = records_key
        self._pages: dict[int, bytes] = {}
        self._parts: dict[int, pa.Table] = {}
        self._next = 0
        self._failed = False
        self._as_text: dict[tuple[str, ...], Any] = {}  # extras that hold date-like strings, read as text
        self._lock = threading.Lock()

    def add(self, index: int, content: bytes) -> None:
        """Hand in page ``index`` (0-based); may parse a batch in the calling thread."""
        with self._lock:
            self._pages[index] = content
            batch = self._take(BATCH_BYTES)
        if batch:
            self._parse(*batch)

    def frame(self) -> pd.DataFrame:
        """The finished frame (pages in index order); warns when values had to be coerced.

        Raises:
            ResponseFormatError: A page is not valid JSON or has no list of records.
        """
        with self._lock:
            batch = self._take(0)
        if batch:
            self._parse(*batch)
        pages = [self._pages[i] for i in sorted(self._pages) if self._pages[i].strip()]
        if not pages:
            return empty_frame(self.schema)
        if not self._failed:
            # The JSON reader allocates from the default pool whatever pool it is given, which keeps the freed
            # batches for reuse; hand them back before the conversion's peak.
            pa.default_memory_pool().release_unused()
            parts, self._parts = self._parts, {}  # the batches' own buffers go once converted
            fitted = _fit_batches([parts.pop(i) for i in sorted(parts)], self.schema)
            if fitted is not None:
                return _stitch(fitted, self.schema)
        frame, bad = _slow(pages, self.schema, self.records_key)
        if bad:
            warnings.warn(
                f"{bad} value(s) of {self.schema.name} did not have the documented type and were set missing; "
                "the API's data may have changed shape.",
                SchemaDriftWarning,
                stacklevel=3,
            )
        return frame

    def _take(self, minimum: int) -> tuple[int, list[bytes]] | None:
        """Claim the contiguous run from the next unparsed page once it holds ``minimum`` bytes (lock held)."""
        run, size, index = [], 0, self._next
        while index in self._pages:
            run.append(self._pages[index])
            size += len(self._pages[index])
            index += 1
        if not run or size < minimum:
            return None
        start, self._next = self._next, index
        return start, run

    def _parse(self, start: int, pages: list[bytes]) -> None:
        content = [p for p in pages if p.strip()]
        if not content or self._failed:
            return
        try:
            part = _fast_table(content, self.schema, self.records_key, self._as_text)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError, ResponseFormatError):
            self._failed = True
            return
        with self._lock:
            self._parts[start] = part


def pages_to_frame(pages: Sequence[bytes], schema: Schema, *, records_key: str | None = "data") -> pd.DataFrame:
    """Turn raw response bodies into one typed DataFrame.

    Args:
        pages: Response bodies: JSON objects with the records under ``records_key``, or bare JSON arrays
            of records when ``records_key`` is None.
        schema: The resource's columns.
        records_key: Where the records sit in each page.

    Raises:
        ResponseFormatError: A page is not valid JSON or has no list of records.

    Example:
        >>> s = Schema.jsonapi_resource("users", [("first-name", "str"), ("reputation", "int")])
        >>> page = b'{"data":[{"id":"35","type":"users","attributes":{"first-name":"Carl","reputation":6543}}]}'
        >>> pages_to_frame([page], s).to_dict("records")
        [{'id': 35, 'first_name': 'Carl', 'reputation': 6543}]
    """
    builder = FrameBuilder(schema, records_key=records_key)
    for index, page in enumerate(pages):
        builder.add(index, page or b"")
    return builder.frame()


def pages_to_table(pages: Sequence[bytes], schema: Schema, *, records_key: str | None = "data") -> pa.Table:
    """Like `pages_to_frame`, but the Arrow table, for callers that keep or merge their data in Arrow.

    Skips the round trip through pandas that `pa.Table.from_pandas(pages_to_frame(...))` would make; pages
    that do not fit the schema take the coercing path of `pages_to_frame` (and its SchemaDriftWarning).

    Example:
        >>> s = Schema("t", (Field("id", "int"), Field("name", "str")))
        >>> pages_to_table([b'[{"id": 1, "name": "a"}]'], s, records_key=None).column("name").to_pylist()
        ['a']
    """
    content = [p for p in pages if p and p.strip()]
    if content:
        try:
            return _fast_table(content, schema, records_key).replace_schema_metadata(None)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError, ResponseFormatError):
            pass
    return pa.Table.from_pandas(pages_to_frame(pages, schema, records_key=records_key), preserve_index=False)


def drop_duplicate_records(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Drop records that appear more than once by primary key (the last copy wins), warning how many.

    Example:
        >>> s = Schema("t", (Field("id", "int"),))
        >>> import warnings; warnings.simplefilter("ignore")
        >>> len(drop_duplicate_records(pd.DataFrame({"id": [1, 2, 2]}), s))
        2
    """
    key = schema.primary_key
    if key is None or key not in frame.columns or frame.empty:
        return frame
    dup = frame.duplicated(subset=key, keep="last")
    count = int(dup.sum())
    if not count:
        return frame
    warnings.warn(
        f"{count} duplicate {schema.name} record(s) across pages (the data changed while paging) were dropped "
        f"by {key}; reload later for a consistent snapshot.",
        DuplicateRecordsWarning,
        stacklevel=2,
    )
    return frame.loc[~dup].reset_index(drop=True)


def utc_timestamp(value: str | date | datetime | pd.Timestamp, *, name: str = "value") -> pd.Timestamp:
    """Any date-like value as a UTC-aware Timestamp (naive values are taken as UTC).

    Example:
        >>> utc_timestamp("2026-11-01")
        Timestamp('2026-11-01 00:00:00+0000', tz='UTC')
    """
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise InvalidArgumentError(
            f"{name}={value!r} is not a date or datetime: use 'YYYY-MM-DD', a datetime or a pandas Timestamp."
        ) from None
    if ts is pd.NaT:
        raise InvalidArgumentError(f"{name} is missing: give a date or datetime.")
    return ts.tz_localize(UTC) if ts.tzinfo is None else ts.tz_convert(UTC)
