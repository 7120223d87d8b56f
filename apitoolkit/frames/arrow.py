"""The fast path: all pages read by Arrow's JSON reader with the schema, then flattened and cast in Arrow."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from apitoolkit.exceptions import ResponseFormatError
from apitoolkit.frames.dtypes import POOL
from apitoolkit.frames.extras import (
    PLAIN,
    TEXT_INSTEAD,
    NotPlain,
    Path,
    extras_plan,
    is_relationship,
    is_skipped,
    relationship_ids,
    structural,
)
from apitoolkit.frames.python import parse_pages, python_extras
from apitoolkit.frames.schema import ARROW_TYPES, Field, Schema

__all__ = ["SEEN", "arrow_extras", "fast_table", "get", "read_records"]

_RAW_ARROW: dict[str, pa.DataType] = {"number": pa.int64(), "string": pa.string(), "bool": pa.bool_()}
#: Table metadata: the unknown fields of a batch (`arrow_extras`'s ``seen``), for the builder's batches.
SEEN = b"apitoolkit.extras"


def fast_table(
    pages: Sequence[bytes], schema: Schema, records_key: str | None, as_text: dict[Path, Any] | None = None
) -> pa.Table:
    """The pages through Arrow. ``as_text``: extras known (from earlier batches) to hold strings Arrow would take
    for dates; read as text at once, and extended with any found here.

    Raises:
        pyarrow.ArrowInvalid: A value does not fit the schema (the coercing path must read these pages).
        ResponseFormatError: A page is not a JSON object or has no list of records.

    Example:
        >>> s = Schema("t", (Field("id", "int"),))
        >>> fast_table([b'[{"id": 1, "note": "a"}]'], s, None).column_names
        ['id', 'note']
    """
    hints = {} if as_text is None else dict(as_text)
    try:
        records = read_records(pages, schema, records_key, hints)
    except pa.ArrowInvalid:
        if not hints:
            raise
        hints = {}  # this batch holds something else there: read it afresh
        records = read_records(pages, schema, records_key, hints)
    cols: dict[str, pa.Array] = {}
    for f in schema.fields:
        arr = get(records, f.source)
        cols[f.name] = pa.nulls(len(records), ARROW_TYPES[f.kind]) if arr is None else _cast(arr, f)
    seen: dict[Path, bool] = {}
    try:
        cols.update(arrow_extras(records, schema, None, seen))
    except NotPlain as odd:
        # Arrow read some extras its own way (dates from strings, lists of objects). Strings are read again as
        # text, in Arrow; what remains takes Python values, for those columns only.
        retyped = {path: TEXT_INSTEAD.get(kind) for path, kind in odd.kinds.items()}
        if all(retyped.values()):
            hints.update(retyped)
            records = read_records(pages, schema, records_key, hints)
            if as_text is not None:
                as_text.update(retyped)
        try:
            cols.update(arrow_extras(records, schema, None, seen))
        except NotPlain:
            cols.update(arrow_extras(records, schema, parse_pages(pages, records_key), seen))
    return pa.table(cols, metadata={SEEN: orjson.dumps([[list(path), flag] for path, flag in seen.items()])})


def read_records(
    pages: Sequence[bytes], schema: Schema, records_key: str | None, extras: dict[Path, pa.DataType]
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
        memory_pool=POOL,
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
    records: pa.StructArray = pc.list_flatten(column, memory_pool=POOL).combine_chunks(memory_pool=POOL)
    if records.null_count:
        raise pa.ArrowInvalid("null record in data")
    return records


def _nest(paths: Iterable[tuple[Path, pa.DataType]]) -> pa.StructType:
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
        return ARROW_TYPES[f.kind]
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


def get(struct: pa.StructArray, path: Path) -> pa.Array | None:
    """The child array at ``path`` of Arrow records; None when the records have no such field.

    Example:
        >>> get(pa.array([{"a": {"b": 1}}]), ("a", "b")).to_pylist(), get(pa.array([{"a": 1}]), ("a", "b"))
        ([1], None)
    """
    arr: pa.Array = struct
    for part in path:
        if not pa.types.is_struct(arr.type) or arr.type.get_field_index(part) < 0:
            return None
        arr = pc.struct_field(arr, part, memory_pool=POOL)
    return arr


def _json_exact(arr: pa.Array) -> bool:
    """Whether inferred values write back as the JSON that was read: no timestamps (Arrow reads them from date
    strings), no floats (integers may have been widened), no object key null or absent in some record (Arrow
    adds keys seen in other records as nulls)."""
    kind = arr.type
    if pa.types.is_struct(kind):
        children = [pc.struct_field(arr, i, memory_pool=POOL) for i in range(kind.num_fields)]
        return all(child.null_count == arr.null_count and _json_exact(child) for child in children)
    if pa.types.is_list(kind):
        return _json_exact(pc.list_flatten(arr, memory_pool=POOL))
    return pa.types.is_integer(kind) or pa.types.is_boolean(kind) or pa.types.is_string(kind) or pa.types.is_null(kind)


def _cast(arr: pa.Array, f: Field) -> pa.Array:
    if f.kind == "json":
        if not _json_exact(arr):
            raise pa.ArrowInvalid(f"{f.name} cannot be written back exactly from Arrow's inferred type")
        return pa.array([None if v is None else orjson.dumps(v).decode() for v in arr.to_pylist()], pa.string())
    target = ARROW_TYPES[f.kind]
    if f.kind.startswith("list["):
        # A list column holds a list in every row: missing means empty.
        listed = arr if arr.type == target else pc.cast(arr, target, memory_pool=POOL)
        return pc.fill_null(listed, pa.scalar([], type=target))
    if arr.type == target:
        return arr
    return pc.cast(arr, target, safe=True, memory_pool=POOL)


# ---------------------------------------------------------------------------------------- extra columns
class _Fields:
    """Walks Arrow records for their unknown fields, as `apitoolkit.frames.python.python_leaves` does Python's."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.known, self.inner = structural(schema)
        self.arrays: dict[Path, pa.Array] = {}

    def walk(self, arr: pa.Array, path: Path) -> None:
        kind = arr.type
        if self.schema.jsonapi and path == ("relationships",):
            if pa.types.is_struct(kind):
                self.arrays.update((sub, child) for sub, child in self.children(arr, path) if sub not in self.inner)
        elif path == () or path in self.inner or (pa.types.is_struct(kind) and kind.num_fields):
            if pa.types.is_struct(kind):
                for sub, child in self.children(arr, path):
                    self.walk(child, sub)
        else:
            self.arrays[path] = arr

    def children(self, arr: pa.Array, path: Path) -> Iterator[tuple[Path, pa.Array]]:
        for i in range(arr.type.num_fields):
            sub = (*path, arr.type.field(i).name)
            if sub not in self.known and not is_skipped(self.schema, sub):
                yield sub, pc.struct_field(arr, i, memory_pool=POOL)


def arrow_extras(
    records: pa.StructArray, schema: Schema, python: list[dict[str, Any]] | None, seen: dict[Path, bool] | None = None
) -> dict[str, pa.Array]:
    """The extra columns of Arrow-read records, by the same plan as `apitoolkit.frames.python.python_extras`.

    Columns Arrow read its own way take their values from ``python``, the same records parsed by orjson;
    without them, `NotPlain` says which columns need them. ``seen`` receives the fields found, as
    `apitoolkit.frames.python.python_leaves` records them, so that the builder can apply the rule across batches.

    Example:
        >>> arrow_extras(pa.array([{"id": 1, "note": "a"}]), Schema("t", ()), None)["note"].to_pylist()
        ['a']
    """
    fields = _Fields(schema)
    fields.walk(records, ())
    arrays = fields.arrays
    if seen is not None:
        for path, arr in arrays.items():
            holds_values = arr.null_count < len(arr) and not pa.types.is_struct(arr.type)
            seen[path] = is_relationship(schema, path) or holds_values
    plan = extras_plan(arrays, schema)
    out: dict[str, pa.Array] = {}
    odd: dict[Path, pa.DataType | None] = {}
    for name, path in plan:
        relationship = is_relationship(schema, path)
        column = _relationship_column(arrays[path]) if relationship else _plain_column(arrays[path])
        if column is not None:
            out[name] = column
        else:
            odd[path] = None if relationship else arrays[path].type  # None: Python's text of the ids
    if odd:
        if python is None:
            raise NotPlain(odd)
        out.update(python_extras(python, schema, [(name, path) for name, path in plan if path in odd]))
    return {name: out[name] for name, _ in plan}


def _relationship_column(arr: pa.Array) -> pa.Array | None:
    """The related ids of a relationship as read; None when Arrow read ids of another type than text or integer."""
    rel_id = get(arr, ("data", "id")) if pa.types.is_struct(arr.type) else None
    if rel_id is None or pa.types.is_null(rel_id.type):
        rel_id = pa.nulls(len(arr), pa.string())
    elif rel_id.type not in (pa.string(), pa.int64()):
        return None
    return relationship_ids(pc.cast(rel_id, pa.string(), memory_pool=POOL))


def _plain_column(arr: pa.Array) -> pa.Array | None:
    """The column as read when Python values would give the same; else None."""
    kind = arr.type
    return arr if kind in PLAIN or (pa.types.is_list(kind) and kind.value_type in PLAIN[:4]) else None
