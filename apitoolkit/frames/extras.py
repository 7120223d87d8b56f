"""The one rule for unknown fields (extras), which both paths follow so that a frame's columns never depend on the path.

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

This module holds the rule; `apitoolkit.frames.arrow` and `apitoolkit.frames.python` find the extras of their
records and build the columns.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa
import pyarrow.compute as pc

from apitoolkit.frames.dtypes import POOL
from apitoolkit.frames.schema import Schema, snake_case

__all__ = [
    "PLAIN",
    "TEXT_INSTEAD",
    "NotPlain",
    "extras_plan",
    "is_relationship",
    "is_skipped",
    "leaves_of",
    "relationship_ids",
    "structural",
]

Path = tuple[str, ...]

#: JSON:API members that never become columns (``attributes`` and ``relationships`` are opened instead).
_JSONAPI_SKIPPED = frozenset({"type", "links", "meta"})
#: Arrow types an extra column keeps as read: what JSON gives and Python values build the same way.
PLAIN = (pa.int64(), pa.float64(), pa.bool_(), pa.string(), pa.null())
#: Types Arrow infers from JSON strings, and the type that reads the strings as sent.
TEXT_INSTEAD = {
    **{pa.timestamp(unit): pa.string() for unit in ("s", "ms", "us", "ns")},
    **{pa.list_(pa.timestamp(unit)): pa.list_(pa.string()) for unit in ("s", "ms", "us", "ns")},
}


class NotPlain(Exception):
    """Arrow inferred extras that Python values would not give (a date from a string, a list of objects).

    Attributes:
        kinds: Path -> the type Arrow inferred (None: the column needs Python's values whatever Arrow read).
    """

    def __init__(self, kinds: dict[Path, pa.DataType | None]) -> None:
        super().__init__(f"extras read their own way: {kinds}")
        self.kinds = kinds


def is_relationship(schema: Schema, path: Path) -> bool:
    """Whether ``path`` is a JSON:API relationship (whose column is the related id).

    Example:
        >>> is_relationship(Schema("users", (), jsonapi=True), ("relationships", "owner"))
        True
    """
    return schema.jsonapi and path[0] == "relationships"


def is_skipped(schema: Schema, path: Path) -> bool:
    """Whether ``path`` is a JSON:API member that never becomes a column (``type``, ``links``, ``meta``).

    Example:
        >>> is_skipped(Schema("users", (), jsonapi=True), ("links",)), is_skipped(Schema("t", ()), ("links",))
        (True, False)
    """
    return schema.jsonapi and len(path) == 1 and path[0] in _JSONAPI_SKIPPED


def extras_plan(leaves: Iterable[Path], schema: Schema) -> list[tuple[str, Path]]:
    """The rule for extra columns, on both paths: ``(column, path)`` in output order (see the module docstring).

    ``leaves`` are the paths of the unknown values found in the records: ``("relationships", name)`` for a
    relationship, each leaf of a nested object.

    Example:
        >>> s = Schema("users", (), jsonapi=True)
        >>> extras_plan([("relationships", "owner"), ("attributes", "address", "city")], s)
        [('address_city', ('attributes', 'address', 'city')), ('owner_id', ('relationships', 'owner'))]
    """
    taken = set(schema.columns)
    best: dict[str, Path] = {}
    for path in leaves:
        if is_relationship(schema, path):
            name = snake_case(f"{path[1]}_id")
        else:
            name = snake_case("_".join(path[1:] if schema.jsonapi and path[0] == "attributes" else path))
        if name and name not in taken and (name not in best or path < best[name]):
            best[name] = path
    return sorted(best.items())


def structural(schema: Schema) -> tuple[set[Path], set[Path]]:
    """(the schema's paths, the paths that lead to them): neither is an extra."""
    known = {f.source for f in schema.fields}
    inner = {f.source[:i] for f in schema.fields for i in range(1, len(f.source))}
    if schema.jsonapi:
        inner |= {("attributes",)}
    return known, inner


def leaves_of(seen: dict[Path, bool]) -> list[Path]:
    """The columns' paths among the fields seen (path -> holds a value that is neither an object nor null).

    Example:
        >>> leaves_of({("address",): False, ("address", "city"): True, ("note",): True})
        [('address', 'city'), ('note',)]
    """
    parents = {path[:i] for path in seen for i in range(1, len(path))}
    leaves = [p for p in seen if seen[p] or p not in parents]
    return [p for p in leaves if not any(seen.get(p[:i]) for i in range(1, len(p)))]


def relationship_ids(ids: pa.Array) -> pa.Array:
    """Related ids (text): integers when every one is, else the text.

    Example:
        >>> relationship_ids(pa.array(["1", None])).type, relationship_ids(pa.array(["1", "a"])).type
        (DataType(int64), DataType(string))
    """
    try:
        return pc.cast(ids, pa.int64(), memory_pool=POOL)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return ids
