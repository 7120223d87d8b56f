"""Column storage: records, cached JSON bytes, append/update/reset, sort keys and the record views."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from apitoolkit.emulator.itglue.table import NULL, Field, Records, Table


def _table() -> Table:
    name = np.empty(3, dtype=object)
    name[:] = ["b", None, "a"]
    return Table(
        "things",
        [Field("name", "str"), Field("count", "int", nullable=True), Field("at", "time"), Field("on", "date")],
        {
            "id": np.array([5, 6, 7]),
            "name": name,
            "count": np.array([1, NULL, 3]),
            "at": np.array([0, 86_399, 1_700_000_000]),
            "on": np.array([0, 1, 19_000]),
        },
    )


def test_table__records_render_kinds_and_nulls() -> None:
    records = _table().records(np.array([1, 2]))
    assert records[0] == {
        "id": "6",
        "type": "things",
        "relationships": {},
        "attributes": {"name": None, "count": None, "at": "1970-01-01T23:59:59.000Z", "on": "1970-01-02"},
    }
    assert records[1]["attributes"]["at"] == "2023-11-14T22:13:20.000Z"


def test_table__cached_json_holds_about_its_own_length() -> None:
    import tracemalloc

    table = Table("things", [Field("n", "int")], {"id": np.arange(2_000), "n": np.arange(2_000)})
    tracemalloc.start()
    try:
        rows = table.json(np.arange(2_000))
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held < 3 * sum(len(raw) + 40 for raw in rows)  # not orjson's 4 KB buffer per record


def test_table__json_is_cached_and_matches_records() -> None:
    table = _table()
    rows = np.array([2, 0])
    first = table.json(rows)
    assert [orjson.loads(raw) for raw in first] == table.records(rows)
    assert all(a is b for a, b in zip(first, table.json(rows), strict=True))


def test_table__append_update_and_reset() -> None:
    table = _table()
    table.append(
        {
            "id": np.array([1]),
            "name": np.array(["c"], dtype=object),
            "count": np.array([9]),
            "at": np.array([5]),
            "on": np.array([5]),
        }
    )
    table.update("count", np.array([0]), np.array([42]))
    assert len(table) == 4 and table.records(np.array([0]))[0]["attributes"]["count"] == 42
    assert table.find(1) == 3 and table.find(99) is None
    table.reset()
    assert len(table) == 3 and table.records(np.array([0]))[0]["attributes"]["count"] == 1


def test_table__sort_key_ranks_strings_with_null_first() -> None:
    assert _table().sort_key("name").tolist() == [2, 0, 1]


def test_table__refuses_missing_columns() -> None:
    with pytest.raises(ValueError, match="count"):
        Table("things", [Field("count", "int")], {"id": np.array([1])})


def test_records__sequence_view_in_order() -> None:
    records = Records(_table(), lambda: np.array([2, 0, 1]))
    assert len(records) == 3 and records[0]["id"] == "7" and records[-1]["id"] == "6"
    assert [r["id"] for r in records[1:]] == ["5", "6"] and [r["id"] for r in records] == ["7", "5", "6"]
