"""Hitask's pure steps: the project join, the delta merge, the delta reading, the assignee's two spellings."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pytest

from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.hitask.loaders import (
    CHANGES_ONLY,
    STUBS,
    _items_table,
    _merge,
    _present,
    _reading,
    _Reload,
    _seconds,
    _with_projects,
)


def items(rows: list[tuple[int, int, int, str]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id", "category", "parent", "title"])
    return frame.astype({"id": "Int64", "category": "Int64", "parent": "Int64", "title": "str"})


def test_with_projects__nearest_project_ancestor_and_cycles() -> None:
    frame = items(
        [
            (1, 0, 0, "Website"),  # a project
            (2, 1, 1, "Design"),  # task in project 1
            (3, 1, 2, "Logo"),  # sub-task of 2: still project 1
            (4, 1, 0, "Loose"),  # no project
            (5, 1, 6, "Cycle A"),  # 5 -> 6 -> 5: never a project, never a hang
            (6, 1, 5, "Cycle B"),
            (7, 1, 99, "Orphan"),  # parent unknown
            (8, 0, 1, "Sub-project"),  # a project inside a project: its own parent project is 1
            (9, 1, 8, "Inner"),  # nearest project is 8
        ]
    )
    out = _with_projects(frame).set_index("id")
    assert out["project_id"].fillna(0).to_dict() == {1: 0, 2: 1, 3: 1, 4: 0, 5: 0, 6: 0, 7: 0, 8: 1, 9: 8}
    assert out.loc[3, "project_title"] == "Website" and out.loc[9, "project_title"] == "Sub-project"
    assert pd.isna(out.loc[4, "project_title"])


def test_present__category_names() -> None:
    out = _present(items([(1, 0, 0, "p"), (2, 1, 1, "t"), (3, 2, 0, "e"), (4, 4, 0, "n"), (5, 5, 0, "f")]))
    assert out["category"].astype(str).tolist() == ["project", "task", "event", "note", "file"]


def test_merge__replaces_adds_and_drops_in_id_order() -> None:
    snapshot = items([(1, 1, 0, "a"), (2, 1, 0, "b"), (3, 1, 0, "c"), (5, 1, 0, "e")])
    fresh = items([(2, 1, 0, "B!"), (4, 1, 0, "d new"), (9, 1, 0, "z new")])
    listed = np.array([1, 2, 4, 5, 9])  # 3 was deleted
    merged = _merge(pa.Table.from_pandas(snapshot), listed, pa.Table.from_pandas(fresh)).to_pandas()
    assert merged["id"].tolist() == [1, 2, 4, 5, 9]
    assert merged["title"].tolist() == ["a", "B!", "d new", "e", "z new"]


def test_merge__fresh_rows_are_conformed_to_the_snapshot_columns_and_types() -> None:
    snapshot = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "title": pa.array(["a", "b"], pa.large_string()),
            "extra": pa.array(["x", "y"], pa.large_string()),
        }
    )
    fresh = pa.table({"id": pa.array([2, 3], pa.int64()), "title": pa.array(["B", "c"], pa.string())})
    merged = _merge(snapshot, np.array([1, 2, 3]), fresh)
    assert merged.schema == snapshot.schema
    assert merged.to_pydict() == {"id": [1, 2, 3], "title": ["a", "B", "c"], "extra": ["x", None, None]}


def test_merge__without_a_listing_keeps_every_row() -> None:
    snapshot = items([(1, 1, 0, "a"), (3, 1, 0, "c")])
    fresh = items([(3, 1, 0, "C!"), (2, 1, 0, "b new")])
    merged = _merge(pa.Table.from_pandas(snapshot), None, pa.Table.from_pandas(fresh)).to_pandas()
    assert merged["id"].tolist() == [1, 2, 3] and merged["title"].tolist() == ["a", "b new", "C!"]


@pytest.mark.parametrize(
    ("previous", "stubs", "all_listed", "expected"),
    [
        ("", 3, True, STUBS),
        ("", 0, False, CHANGES_ONLY),
        ("", 0, True, ""),  # every item changed (or none stored): fits both readings
        (STUBS, 0, True, STUBS),
        (STUBS, 2, False, STUBS),
        (CHANGES_ONLY, 0, False, CHANGES_ONLY),
        (CHANGES_ONLY, 0, True, CHANGES_ONLY),
    ],
)
def test_reading__detected_and_kept(previous: str, stubs: int, all_listed: bool, expected: str) -> None:
    assert _reading(previous, stubs, all_listed) == expected


@pytest.mark.parametrize(("previous", "stubs", "after"), [(CHANGES_ONLY, 1, STUBS), (STUBS, 0, "")])
def test_reading__a_flip_is_a_reload(previous: str, stubs: int, after: str) -> None:
    with pytest.raises(_Reload) as info:
        _reading(previous, stubs, False)
    assert info.value.dialect == after


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"id": 1, "assigneeId": 7}, 7),
        ({"id": 1, "assignee": 7}, 7),
        ({"id": 1, "assignee": "7"}, 7),
        ({"id": 1, "assigneeId": 7, "assignee": 9}, 7),
        ({"id": 1, "assignee": None}, None),
        ({"id": 1}, None),
    ],
)
def test_items_table__assignee_under_either_spelling_in_one_column(record: dict, expected: int | None) -> None:
    table = _items_table(orjson.dumps([record, {"id": 2, "assignee": 0}]))
    assert "assignee" not in table.column_names
    assert table.column("assignee_id").to_pylist() == [expected, 0]


@pytest.mark.parametrize(("value", "seconds"), [(0, 0.0), (3600, 3600.0), (timedelta(hours=2), 7200.0)])
def test_seconds__numbers_and_timedeltas(value: object, seconds: float) -> None:
    assert _seconds(value) == seconds


@pytest.mark.parametrize("value", [-1, True, "1h", None, float("nan")])
def test_seconds__refuses_what_is_not_a_duration(value: object) -> None:
    with pytest.raises(InvalidArgumentError, match="full_reload_after"):
        _seconds(value)
