"""The flattener on generated JSON:API documents and bare arrays: a typed frame or a ResponseFormatError, never a crash.

Invariants on every frame: one row per record, the declared columns first in schema order with their declared
dtypes, and every value that fits its field (an int64, an ISO timestamp with an offset, ...) preserved.
"""

from __future__ import annotations

import math
import warnings
from typing import Any
from unittest import mock

import orjson
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from apitoolkit import frames
from apitoolkit.exceptions import ResponseFormatError
from apitoolkit.frames import FrameBuilder, Schema, empty_frame, pages_to_frame, pages_to_table, table_to_frame
from apitoolkit.hitask.schema import ITEMS, TEAM_MEMBERS
from apitoolkit.itglue.schema import USER_METRICS, USERS
from tests.unit.fuzz.strategies import JSON, MISSING, dumps, flat_record, fuzz, jsonapi_record

#: One JSON:API resource with every kind of column, raw strings for ids included.
EVERY_KIND = Schema.jsonapi_resource(
    "every-kind",
    [
        ("count", "int"),
        ("parent-id", "int", "string"),
        ("score", "float"),
        ("name", "str"),
        ("active", "bool"),
        ("seen-at", "datetime"),
        ("day", "date"),
        ("labels", "list[str]"),
        ("members", "list[int]"),
        ("settings", "json"),
    ],
)
JSONAPI_SCHEMAS = [EVERY_KIND, USERS, USER_METRICS]
FLAT_SCHEMAS = [ITEMS, TEAM_MEMBERS]
#: Whole pages that are not a page of records: wrong top-level types, no records list, not JSON at all.
BROKEN_PAGES = st.sampled_from(
    [b"null", b"42", b'"data"', b"true", b"{}", b'{"data":"x"}', b'{"data":7}', b'{"data":null}', b"{", b"<html>"]
) | JSON.map(lambda v: dumps(v, pretty=False, ascii_only=False))


@st.composite
def documents(draw: st.DrawFn, jsonapi: bool) -> tuple[Schema, list[bytes], list[dict[str, Any]], bool, bool]:
    """``(schema, pages, expected values per record, whether every page is well formed, whether a record list
    holds something that is not a record)``.

    Half the documents drift (values of any type, odd field names, things in the record list that are not
    records, pages that are not pages); the other half fit the schema, which keeps them on Arrow's fast path.
    A record list holding something that is not a record makes the document malformed: never fewer rows.
    """
    drift = draw(st.booleans())
    schema = draw(st.sampled_from(JSONAPI_SCHEMAS if jsonapi else FLAT_SCHEMAS))
    pairs = draw(st.lists((jsonapi_record if jsonapi else flat_record)(schema, drift), max_size=5))
    cuts = sorted(draw(st.lists(st.integers(0, len(pairs)), max_size=3)))
    chunks = [pairs[a:b] for a, b in zip([0, *cuts], [*cuts, len(pairs)], strict=True)]
    pages: list[bytes] = []
    junk_records = False
    for chunk in chunks:
        records: list[Any] = [record for record, _ in chunk]
        if drift and draw(st.integers(0, 4)) == 0:  # things in the list that are not records: a malformed page
            for junk in draw(st.lists(st.none() | st.integers() | st.text(max_size=3) | st.lists(st.none()))):
                records.insert(draw(st.integers(0, len(records))), junk)
                junk_records = True
        body: Any = {"data": records, "meta": draw(JSON)} if jsonapi else records
        if jsonapi and draw(st.booleans()):
            body["links"] = draw(JSON)
        pages.append(dumps(body, pretty=draw(st.booleans()), ascii_only=draw(st.booleans())))
        if draw(st.integers(0, 9)) == 0:
            pages.append(draw(st.sampled_from([b"", b"  \n", b"\t"])))
    well_formed = not (drift and draw(st.integers(0, 3)) == 0)
    if not well_formed:
        pages.insert(draw(st.integers(0, len(pages))), draw(BROKEN_PAGES))
    return schema, pages, [expected for _, expected in pairs], well_formed and not junk_records, junk_records


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same JSON type all the way down (True is not 1, 1 is not 1.0)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def check_cell(kind: str, got: Any, want: Any) -> bool:
    if want is None:
        return (
            got == []
            if kind.startswith("list[")
            else got is None or got is pd.NA or (isinstance(got, float) and math.isnan(got)) or got is pd.NaT
        )
    if kind == "json":
        return isinstance(got, str) and same(orjson.loads(got), want)
    if kind.startswith("list["):
        return list(got) == want
    return bool(got == want)


def check_frame(frame: pd.DataFrame, schema: Schema, expected: list[dict[str, Any]] | None) -> None:
    declared = empty_frame(schema).dtypes
    assert list(frame.columns[: len(schema.fields)]) == schema.columns
    assert frame.columns.is_unique
    assert frame[schema.columns].dtypes.equals(declared), frame.dtypes
    if expected is None:
        return
    assert len(frame) == len(expected)
    for f in schema.fields:
        column = frame[f.name].tolist()
        for row, values in enumerate(expected):
            want = values[f.name]
            if want is not MISSING:
                assert check_cell(f.kind, column[row], want), (f.name, row, column[row], want)


def load(pages: list[bytes], schema: Schema, records_key: str | None) -> pd.DataFrame | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", frames.SchemaDriftWarning)
        try:
            return pages_to_frame(pages, schema, records_key=records_key)
        except ResponseFormatError:
            return None


def load_table(pages: list[bytes], schema: Schema) -> pd.DataFrame | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", frames.SchemaDriftWarning)
        try:
            return table_to_frame(pages_to_table(pages, schema))
        except ResponseFormatError:
            return None


def build(pages: list[bytes], schema: Schema, order: list[int], batch_bytes: int) -> pd.DataFrame | None:
    builder = FrameBuilder(schema, records_key=None)
    with mock.patch("apitoolkit.frames.builder.BATCH_BYTES", batch_bytes), warnings.catch_warnings():
        warnings.simplefilter("ignore", frames.SchemaDriftWarning)
        for index in order:
            builder.add(index, pages[index])
        try:
            return builder.frame()
        except ResponseFormatError:
            return None


def same_declared(a: pd.DataFrame | None, b: pd.DataFrame | None, schema: Schema) -> None:
    assert (a is None) == (b is None)
    if a is not None and b is not None:
        pd.testing.assert_frame_equal(a[schema.columns], b[schema.columns])


@fuzz()
@given(documents(jsonapi=True))
def test_pages_to_frame__jsonapi_documents(
    document: tuple[Schema, list[bytes], list[dict[str, Any]], bool, bool],
) -> None:
    schema, pages, expected, well_formed, junk = document
    frame = load(pages, schema, "data")
    assert frame is not None or not well_formed
    assert frame is None or not junk  # a record that is not an object is an error, never a missing row
    if frame is not None:
        check_frame(frame, schema, expected if well_formed else None)
    same_declared(load_table(pages, schema), frame, schema)


@fuzz()
@given(documents(jsonapi=False), st.randoms(use_true_random=False), st.integers(1, 4096))
def test_pages_to_frame__bare_arrays_in_any_arrival_order_and_batch_size(
    document: tuple[Schema, list[bytes], list[dict[str, Any]], bool, bool], rng: Any, batch_bytes: int
) -> None:
    schema, pages, expected, well_formed, junk = document
    frame = load(pages, schema, None)
    assert frame is not None or not well_formed
    assert frame is None or not junk
    if frame is not None:
        check_frame(frame, schema, expected if well_formed else None)
    order = list(range(len(pages)))
    rng.shuffle(order)
    same_declared(build(pages, schema, order, batch_bytes), frame, schema)
