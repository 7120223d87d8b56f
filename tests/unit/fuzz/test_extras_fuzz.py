"""Unknown fields (extras) on both flattening paths: the same columns and values whichever path a page takes.

Issue 14 item 12: the Arrow path and the coercing Python path follow one rule for extras (`apitoolkit.frames.extras`),
so forcing the slow path on the same pages gives the fast path's frame, and batch sizes or a bad value in
another batch never change the columns.
"""

from __future__ import annotations

import warnings
from typing import Any
from unittest import mock

import pandas as pd
import pyarrow as pa
from hypothesis import assume, given
from hypothesis import strategies as st

from apitoolkit import frames
from apitoolkit.frames import FrameBuilder, Schema, arrow, dtypes, pages_to_frame, python
from tests.unit.fuzz.strategies import HUGE_INTS, INT64, TEXT, dumps, fuzz

SCHEMA = Schema.jsonapi_resource("things", [("name", "str"), ("count", "int")])
FLAT = Schema("rows", (frames.Field("id", "int"), frames.Field("name", "str")))

#: Few names, so records share fields, nest under each other and collide once snake_cased ("Note" / "note").
KEYS = st.sampled_from(["note", "Note", "address", "tags", "seen-on", "seen_on", "extra-count", "name", "a"])
DATES = st.sampled_from(["2026-01-02", "2026-01-02T03:04:05Z", "2026-01-02 03:04:05", "2026-13-45"])
SCALAR_KINDS: list[st.SearchStrategy[Any]] = [
    INT64,
    HUGE_INTS,
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    TEXT,
    DATES,
    st.booleans(),
]


@st.composite
def value_kind(draw: st.DrawFn, depth: int = 0) -> st.SearchStrategy[Any]:
    """One field's kind of value: a scalar type, a list of one, an object of fields, or a list of objects."""
    scalar = draw(st.sampled_from(SCALAR_KINDS))
    choice = draw(st.integers(0, 5 if depth < 2 else 2))
    if choice <= 1:
        return scalar
    if choice == 2:
        return st.lists(scalar, max_size=3)
    fields = draw(st.dictionaries(KEYS, value_kind(depth + 1), max_size=3))
    obj = st.fixed_dictionaries({}, optional={k: st.none() | v for k, v in fields.items()})
    return obj if choice < 5 else st.lists(obj, max_size=2)


@st.composite
def extras(draw: st.DrawFn) -> st.SearchStrategy[dict[str, Any]]:
    """Unknown fields for the records of one document: each name keeps one kind of value, now and then not."""
    kinds = draw(st.dictionaries(KEYS, value_kind(), max_size=4))
    mixed = draw(st.integers(0, 4)) == 0  # a name that holds values of another kind in some records
    optional = {k: st.none() | v | (st.one_of(SCALAR_KINDS) if mixed else v) for k, v in kinds.items()}
    return st.fixed_dictionaries({}, optional=optional)


LINKS = st.dictionaries(
    st.sampled_from(["owner", "Owner", "tags", "parents"]),
    st.fixed_dictionaries(
        {
            "data": st.none()
            | st.fixed_dictionaries({"id": INT64.map(str) | st.sampled_from(["x-1", "007"]), "type": TEXT})
            | st.lists(st.fixed_dictionaries({"id": INT64.map(str), "type": TEXT}), max_size=2)
        }
    ),
    max_size=2,
)


@st.composite
def jsonapi_pages(draw: st.DrawFn) -> list[bytes]:
    fields = draw(extras())
    pages = []
    for _ in range(draw(st.integers(1, 3))):
        records = []
        for _ in range(draw(st.integers(0, 4))):
            attributes = {**draw(fields), "name": draw(TEXT), "count": draw(st.none() | INT64)}
            record: dict[str, Any] = {"id": str(draw(INT64)), "type": "things", "attributes": attributes}
            if draw(st.booleans()):
                record["relationships"] = draw(LINKS)
            record.update(draw(st.dictionaries(st.sampled_from(["top", "top-level"]), TEXT | INT64, max_size=1)))
            records.append(record)
        pages.append(dumps({"data": records, "meta": {"page": 1}}, pretty=draw(st.booleans()), ascii_only=False))
    return pages


@st.composite
def flat_pages(draw: st.DrawFn) -> list[bytes]:
    fields = draw(extras())
    pages = []
    for _ in range(draw(st.integers(1, 3))):
        records = [{**draw(fields), "id": draw(INT64), "name": draw(TEXT)} for _ in range(draw(st.integers(0, 4)))]
        pages.append(dumps(records, pretty=draw(st.booleans()), ascii_only=False))
    return pages


def fast(pages: list[bytes], schema: Schema, records_key: str | None) -> pd.DataFrame:
    """The Arrow path's frame; the example is rejected when Arrow cannot read the pages at all."""
    try:
        table = arrow.fast_table(pages, schema, records_key)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError):
        assume(False)
        raise
    return dtypes.to_pandas(table)


def slow(pages: list[bytes], schema: Schema, records_key: str | None) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", frames.SchemaDriftWarning)
        return python.slow_frame(pages, schema, records_key)[0]


def assert_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert a.dtypes.equals(b.dtypes), (a.dtypes, b.dtypes)
    for column in a.columns:
        left, right = a[column].tolist(), b[column].tolist()
        assert [plain(v) for v in left] == [plain(v) for v in right], column


def plain(value: Any) -> Any:
    """A cell as comparable Python: lists as lists, every kind of missing as None."""
    if hasattr(value, "tolist"):
        return [plain(v) for v in value.tolist()]
    if isinstance(value, list):
        return [plain(v) for v in value]
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    return value


@fuzz()
@given(jsonapi_pages())
def test_extras__jsonapi_fast_and_slow_paths_agree(pages: list[bytes]) -> None:
    assert_same(fast(pages, SCHEMA, "data"), slow(pages, SCHEMA, "data"))


@fuzz()
@given(flat_pages())
def test_extras__bare_records_fast_and_slow_paths_agree(pages: list[bytes]) -> None:
    assert_same(fast(pages, FLAT, None), slow(pages, FLAT, None))


@fuzz(100)
@given(jsonapi_pages(), st.integers(1, 2048), st.randoms(use_true_random=False), st.booleans())
def test_extras__columns_do_not_depend_on_batches_or_an_unrelated_bad_value(
    pages: list[bytes], batch_bytes: int, rng: Any, bad: bool
) -> None:
    if bad:  # a value of the wrong type in one more page: today's trigger for the slow path of the whole listing
        pages = [
            *pages,
            dumps({"data": [{"id": "1", "attributes": {"count": "many"}}]}, pretty=False, ascii_only=False),
        ]
    order = list(range(len(pages)))
    rng.shuffle(order)
    builder = FrameBuilder(SCHEMA)
    with mock.patch("apitoolkit.frames.builder.BATCH_BYTES", batch_bytes), warnings.catch_warnings():
        warnings.simplefilter("ignore", frames.SchemaDriftWarning)
        for index in order:
            builder.add(index, pages[index])
        built = builder.frame()
        whole = pages_to_frame(pages, SCHEMA)
    assert list(built.columns) == list(slow(pages, SCHEMA, "data").columns)
    assert list(whole.columns) == list(built.columns)
