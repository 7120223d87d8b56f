"""Pages to one frame: `FrameBuilder` (batches parsed as pages arrive), `pages_to_frame`, `pages_to_table`."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterable, Sequence
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa

from apitoolkit.exceptions import DuplicateRecordsWarning, ResponseFormatError, SchemaDriftWarning
from apitoolkit.frames.arrow import SEEN, fast_table
from apitoolkit.frames.dtypes import empty_frame, to_pandas
from apitoolkit.frames.extras import Path, extras_plan, leaves_of
from apitoolkit.frames.python import slow_frame
from apitoolkit.frames.schema import Schema

__all__ = ["BATCH_BYTES", "FrameBuilder", "drop_duplicate_records", "pages_to_frame", "pages_to_table"]

#: `FrameBuilder` parses pages in batches of about this many bytes. Measured on 200k records (peak RSS added
#: by the flattening / the frame's deep memory): one parse of all pages 7.5x; 8 MB batches 3.7x; 2 MB batches
#: with the system allocator, each turned into pandas at once, 2.0x, at the same speed.
BATCH_BYTES = 2 << 20

#: What the Arrow reader raises for pages that do not fit the schema: the coercing path reads them.
_UNFIT = (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError, ResponseFormatError)


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
        self._as_text: dict[Path, Any] = {}  # extras that hold date-like strings, read as text
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
        frame, bad = slow_frame(pages, self.schema, self.records_key)
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
            part = fast_table(content, self.schema, self.records_key, self._as_text)
        except _UNFIT:
            self._failed = True
            return
        with self._lock:
            self._parts[start] = part


def _fit_batches(tables: list[pa.Table], schema: Schema) -> list[pa.Table] | None:
    """The batches with the extra columns the rule gives for the whole listing; None when a batch cannot have them.

    A field that holds only null in one batch and objects in another is one column per leaf of the objects: the
    batch's null column goes. A field that holds objects in one batch and other values in another is one column
    of text, which the coercing path builds (None). So does a name that another batch's path takes.
    """
    if len(tables) == 1:
        return tables
    found = [_seen(table) for table in tables]
    merged: dict[Path, bool] = {}
    for seen in found:
        for path, flag in seen.items():
            merged[path] = merged.get(path, False) or flag
    plan = dict(extras_plan(leaves_of(merged), schema))
    parents = {path[:i] for path in merged for i in range(1, len(path))}
    fitted = []
    for table, seen in zip(tables, found, strict=True):
        drop = []
        for name, path in extras_plan(leaves_of(seen), schema):
            if plan.get(name) == path:
                continue
            if path in parents and not merged[path] and table.column(name).null_count == len(table):
                drop.append(name)
            else:
                return None
        fitted.append(table.drop_columns(drop) if drop else table)
    return fitted


def _seen(table: pa.Table) -> dict[Path, bool]:
    """The unknown fields of a batch, as `fast_table` noted them in its metadata."""
    return {tuple(path): flag for path, flag in orjson.loads((table.schema.metadata or {})[SEEN])}


def _stitch(tables: list[pa.Table], schema: Schema) -> pd.DataFrame:
    """Batches of one listing, in order, as one frame: joined in Arrow (no copy), converted once.

    Extra columns seen in some batches only are kept, in the order of the rule (schema columns, then by name);
    batches whose extras disagree in type are stitched by pandas.
    """
    if len(tables) == 1:
        return to_pandas(tables[0])
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        frame = pd.concat([to_pandas(t) for t in tables], ignore_index=True)
        return frame[_in_order(frame.columns, schema)]
    tables.clear()
    return to_pandas(table.select(_in_order(table.column_names, schema)))


def _in_order(columns: Iterable[str], schema: Schema) -> list[str]:
    return [*schema.columns, *sorted(set(columns) - set(schema.columns))]


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
        >>> from apitoolkit.frames import Field
        >>> s = Schema("t", (Field("id", "int"), Field("name", "str")))
        >>> pages_to_table([b'[{"id": 1, "name": "a"}]'], s, records_key=None).column("name").to_pylist()
        ['a']
    """
    content = [p for p in pages if p and p.strip()]
    if content:
        try:
            return fast_table(content, schema, records_key).replace_schema_metadata(None)
        except _UNFIT:
            pass
    return pa.Table.from_pandas(pages_to_frame(pages, schema, records_key=records_key), preserve_index=False)


def drop_duplicate_records(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Drop records that appear more than once by primary key (the last copy wins), warning how many.

    Example:
        >>> from apitoolkit.frames import Field
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
