"""The coercing path's converters: one per column kind, each value either coerced or bad (missing)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from apitoolkit.frames.convert import CONVERTERS, coerce_column, coerce_one
from apitoolkit.frames.schema import ARROW_TYPES


def test_converters__one_for_every_column_kind() -> None:
    assert set(CONVERTERS) == set(ARROW_TYPES)


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("int", 7, 7),
        ("int", "12", 12),
        ("int", 3.0, 3),
        ("int", 2**63 - 1, 2**63 - 1),
        ("float", 2, 2.0),
        ("float", "2.5", 2.5),
        ("str", 5, "5"),
        ("str", True, "true"),
        ("str", {"a": [1]}, '{"a":[1]}'),
        ("bool", False, False),
        ("bool", " Yes ", True),
        ("bool", "0", False),
        ("datetime", "2026-01-02T03:04:05", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("datetime", "2026-01-02T04:04:05+01:00", datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("datetime", 0, datetime(1970, 1, 1, tzinfo=UTC)),
        ("date", "2026-01-02T23:59:00Z", date(2026, 1, 2)),
        ("json", [1, {"b": None}], '[1,{"b":null}]'),
        ("list[str]", ["a", 1], ["a", "1"]),
        ("list[str]", "a, b,,", ["a", " b"]),
        ("list[int]", "1,2", [1, 2]),
        ("list[int]", [1, None], [1]),
    ],
)
def test_coerce_one__good_values(kind: str, value: Any, expected: Any) -> None:
    assert coerce_one(value, kind) == (expected, False)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("int", True),
        ("int", 1.5),
        ("int", "seven"),
        ("int", 2**63),
        ("int", [1]),
        ("float", False),
        ("float", "x"),
        ("bool", "maybe"),
        ("datetime", True),
        ("datetime", "now"),
        ("datetime", "today"),
        ("datetime", ""),
        ("datetime", "NaT"),
        ("datetime", "next tuesday"),
        ("datetime", {"at": 1}),
        ("date", 20260102),
        ("date", "02/01/2026"),
    ],
)
def test_coerce_one__bad_values_are_missing(kind: str, value: Any) -> None:
    assert coerce_one(value, kind) == (None, True)


def test_coerce_one__a_list_keeps_its_good_items_and_says_some_were_bad() -> None:
    assert coerce_one([1, "x", 3], "list[int]") == ([1, 3], True)


@pytest.mark.parametrize(("kind", "missing"), [("int", None), ("json", None), ("list[str]", []), ("list[int]", [])])
def test_coerce_one__none_is_missing_not_bad(kind: str, missing: Any) -> None:
    assert coerce_one(None, kind) == (missing, False)


def test_coerce_column__arrow_column_of_the_kind_and_the_bad_count() -> None:
    column, bad = coerce_column(iter(["1", None, "x", 2.0, True]), "int")
    assert column.type == ARROW_TYPES["int"]
    assert column.to_pylist() == [1, None, None, 2, None] and bad == 2
