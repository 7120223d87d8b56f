"""Pages to typed frames: dtypes, nulls, relationships, drift, coercion, empty results, duplicates."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from apitoolkit.exceptions import ResponseFormatError
from apitoolkit.frames import (
    DuplicateRecordsWarning,
    Field,
    Schema,
    SchemaDriftWarning,
    drop_duplicate_records,
    empty_frame,
    pages_to_frame,
    pages_to_table,
    snake_case,
    table_to_frame,
    utc_timestamp,
)
from tests.helpers import USERS, page, rec

EXPECTED_DTYPES = {
    "id": "Int64",
    "first_name": "str",
    "reputation": "Int64",
    "score": "Float64",
    "my_glue": "boolean",
    "created_at": "datetime64[us, UTC]",
    "date": "date32[day][pyarrow]",
    "parent_id": "Int64",
}


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {k: str(v) for k, v in frame.dtypes.items()}


def test_pages_to_frame__typed_columns_in_schema_order() -> None:
    frame = pages_to_frame([page(rec(1), rec(2)), page(rec(3))], USERS)
    assert list(frame.columns) == USERS.columns
    assert dtypes(frame) == EXPECTED_DTYPES
    assert frame["id"].tolist() == [1, 2, 3]
    assert frame.loc[0, "created_at"] == pd.Timestamp("2026-01-02 03:04:05", tz="UTC")
    assert frame.loc[0, "first_name"] == "Ünïcode 1" and frame.loc[0, "parent_id"] == 7


def test_pages_to_frame__nulls_stay_missing() -> None:
    frame = pages_to_frame(
        [page(rec(1, **{"first-name": None, "reputation": None, "my-glue": None, "created-at": None}))], USERS
    )
    assert frame.loc[0, ["first_name", "reputation", "my_glue", "created_at"]].isna().all()
    assert dtypes(frame) == EXPECTED_DTYPES


def test_pages_to_frame__missing_attribute_becomes_missing_column() -> None:
    r = rec(1)
    del r["attributes"]["score"]
    frame = pages_to_frame([page(r)], USERS)
    assert pd.isna(frame.loc[0, "score"]) and dtypes(frame) == EXPECTED_DTYPES


def test_pages_to_frame__unexpected_attributes_and_relationships_are_kept() -> None:
    r = rec(1, **{"new-field": "x", "nested-thing": {"a": 1}})
    r["relationships"] = {"organization": {"data": {"id": "42", "type": "organizations"}}}
    frame = pages_to_frame([page(r)], USERS)
    assert frame.loc[0, "new_field"] == "x"
    assert frame.loc[0, "organization_id"] == 42
    assert "nested_thing_a" in frame.columns
    assert list(frame.columns[: len(USERS.columns)]) == USERS.columns


def test_pages_to_frame__empty_result_same_columns_and_dtypes() -> None:
    for pages in ([], [page()], [b""]):
        frame = pages_to_frame(pages, USERS)
        assert frame.empty and dtypes(frame) == EXPECTED_DTYPES
    assert dtypes(empty_frame(USERS)) == EXPECTED_DTYPES


def test_pages_to_frame__pretty_printed_pages() -> None:
    frame = pages_to_frame([page(rec(1), rec(2), compact=False)], USERS)
    assert frame["id"].tolist() == [1, 2]


def test_pages_to_frame__bare_arrays() -> None:
    schema = Schema(
        "items",
        (Field("id", "int"), Field("title", "str"), Field("tags", "list[str]"), Field("time_create", "datetime")),
    )
    body = json.dumps(
        [
            {"id": 3361634, "title": "a", "tags": ["work", "home"], "time_create": "2016-08-26T18:04:04.340+04:00"},
            {"id": 5, "title": None, "tags": [], "time_create": None, "extra": 1},
        ]
    ).encode()
    frame = pages_to_frame([body], schema, records_key=None)
    assert frame["id"].tolist() == [3361634, 5]
    assert frame.loc[0, "tags"] == ["work", "home"] and frame.loc[1, "tags"] == []
    assert frame.loc[0, "time_create"] == pd.Timestamp("2016-08-26 14:04:04.340", tz="UTC")
    assert frame["extra"].tolist()[1] == 1


def test_pages_to_frame__wrong_types_are_coerced_with_a_warning() -> None:
    pages = [
        page(rec(1, reputation="12", **{"my-glue": "true", "created-at": "2026-01-02 03:04:05"})),
        page(rec(2, reputation="lots", score="n/a")),
    ]
    with pytest.warns(SchemaDriftWarning, match="^2 value"):
        frame = pages_to_frame(pages, USERS)
    assert dtypes(frame) == EXPECTED_DTYPES
    assert frame["reputation"].tolist()[0] == 12 and pd.isna(frame["reputation"].tolist()[1])
    assert frame.loc[0, "my_glue"] is True or frame.loc[0, "my_glue"] == True  # noqa: E712
    assert frame.loc[0, "created_at"] == pd.Timestamp("2026-01-02 03:04:05", tz="UTC")


def test_pages_to_frame__huge_numbers_do_not_crash() -> None:
    with pytest.warns(SchemaDriftWarning):
        frame = pages_to_frame([page(rec(1, reputation=10**30))], USERS)
    assert pd.isna(frame.loc[0, "reputation"])


def test_pages_to_frame__non_numeric_id_is_reported_not_crashed() -> None:
    r = rec(1)
    r["id"] = "abc"
    with pytest.warns(SchemaDriftWarning):
        frame = pages_to_frame([page(r, rec(2))], USERS)
    assert pd.isna(frame.loc[0, "id"]) and frame.loc[1, "id"] == 2


def test_pages_to_table__same_values_as_the_frame_and_the_same_fallback() -> None:
    pages = [page(rec(1), rec(2, **{"my-glue": None}))]
    table = pages_to_table(pages, USERS)
    assert table.column_names == list(EXPECTED_DTYPES)
    pd.testing.assert_frame_equal(table_to_frame(table), pages_to_frame(pages, USERS))
    with pytest.warns(SchemaDriftWarning, match="^1 value"):
        drifted = pages_to_table([page(rec(1, reputation="lots"))], USERS)
    assert drifted.column("reputation").to_pylist() == [None]
    with pytest.raises(ResponseFormatError, match="no list"):
        pages_to_table([b'{"data":"nope"}'], USERS)
    assert pages_to_table([b""], USERS).column_names == list(EXPECTED_DTYPES)


def test_pages_to_frame__invalid_json_is_typed_error() -> None:
    with pytest.raises(ResponseFormatError, match="not valid JSON"):
        pages_to_frame([b'{"data":[{"id":"1"'], USERS)
    with pytest.raises(ResponseFormatError, match="no list"):
        pages_to_frame([b'{"data":"nope"}'], USERS)


def test_drop_duplicate_records__last_copy_wins_with_count() -> None:
    frame = pd.DataFrame({"id": [1, 2, 1, 3], "v": ["old", "b", "new", "c"]})
    with pytest.warns(DuplicateRecordsWarning, match="^1 duplicate users"):
        out = drop_duplicate_records(frame, Schema("users", (Field("id", "int"),)))
    assert out.set_index("id")["v"].to_dict() == {1: "new", 2: "b", 3: "c"}


def test_drop_duplicate_records__no_duplicates_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        drop_duplicate_records(pd.DataFrame({"id": [1, 2]}), Schema("users", (Field("id", "int"),)))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("my-glue-account-id", "my_glue_account_id"),
        ("firstName", "first_name"),
        ("time_create", "time_create"),
        ("Resource Type", "resource_type"),
        ("HTTPCode", "httpcode"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert snake_case(name) == expected


@pytest.mark.parametrize(
    "value",
    ["2026-11-01", pd.Timestamp("2026-11-01"), pd.Timestamp("2026-11-01 01:00", tz="Europe/Paris").tz_convert(None)],
)
def test_utc_timestamp__naive_is_utc(value: object) -> None:
    assert utc_timestamp(value).tzinfo is not None


def test_utc_timestamp__aware_is_converted_and_garbage_rejected() -> None:
    assert utc_timestamp(pd.Timestamp("2026-11-01 01:00", tz="Europe/Paris")) == pd.Timestamp(
        "2026-11-01 00:00", tz="UTC"
    )
    with pytest.raises(ValueError, match="start="):
        utc_timestamp("next tuesday", name="start")


def test_frame_builder__pages_from_threads_in_any_order_match_sequential(monkeypatch: pytest.MonkeyPatch) -> None:
    import random
    from concurrent.futures import ThreadPoolExecutor

    from apitoolkit import frames

    monkeypatch.setattr(frames.builder, "BATCH_BYTES", 600)  # many small batches
    pages = [page(*(rec(p * 10 + i) for i in range(10))) for p in range(40)]
    order = list(range(40))
    random.Random(3).shuffle(order)
    builder = frames.FrameBuilder(USERS)
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: builder.add(i, pages[i]), order))
    built = builder.frame()
    assert built["id"].tolist() == list(range(400))
    pd.testing.assert_frame_equal(built, pages_to_frame(pages, USERS))


def test_frame_builder__drift_in_one_batch_falls_back_for_all(monkeypatch: pytest.MonkeyPatch) -> None:
    from apitoolkit import frames

    monkeypatch.setattr(frames.builder, "BATCH_BYTES", 300)
    pages = [page(rec(i)) for i in range(10)]
    pages[7] = page(rec(7, reputation="seven"))
    with pytest.warns(SchemaDriftWarning, match="^1 value"):
        frame = pages_to_frame(pages, USERS)
    assert frame["id"].tolist() == list(range(10)) and dtypes(frame) == EXPECTED_DTYPES


# Regressions found by the fuzz suite (tests/unit/fuzz).
def test_pages_to_frame__a_null_page_is_a_typed_error_not_a_crash() -> None:
    code = (
        "from apitoolkit.exceptions import ResponseFormatError\n"
        "from apitoolkit.frames import pages_to_frame\n"
        "from tests.helpers import USERS\n"
        "for pages in ([b'null'], [b'null', b'{\"data\":[]}'], [b'{\"data\":[]}', b'null']):\n"
        "    try:\n"
        "        pages_to_frame(pages, USERS)\n"
        "    except ResponseFormatError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit(f'{pages} gave a frame')\n"
    )
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]  # pyarrow 26 kills the process reading a leading `null`


def test_pages_to_frame__empty_and_nat_datetimes_become_missing() -> None:
    pages = [page(rec(1, **{"created-at": ""}), rec(2, **{"created-at": "NaT"}), rec(3, **{"created-at": "now"}))]
    with pytest.warns(SchemaDriftWarning, match="^3 value"):
        frame = pages_to_frame(pages, USERS)
    assert frame["created_at"].isna().all() and dtypes(frame) == EXPECTED_DTYPES


SETTINGS = Schema("things", (Field("id", "int"), Field("settings", "json")))


def test_pages_to_frame__json_fields_keep_the_values_as_sent() -> None:
    body = b'[{"id":1,"settings":{"a":"2026-01-02","n":1}},{"id":2,"settings":{"b":2.5,"n":null}}]'
    frame = pages_to_frame([body], SETTINGS, records_key=None)
    assert [json.loads(s) for s in frame["settings"]] == [{"a": "2026-01-02", "n": 1}, {"b": 2.5, "n": None}]
    assert frame["settings"][0] == '{"a":"2026-01-02","n":1}'  # no keys of other records, no timestamp, no 1.0


def test_pages_to_frame__inferred_lists_starting_with_null_are_read_right() -> None:
    body = b'[{"id":1,"settings":[null,1],"extra":[null,"a"]},{"id":2,"settings":[null,0.5],"extra":["b"]}]'
    frame = pages_to_frame([body], SETTINGS, records_key=None)
    assert frame["settings"].tolist() == ["[null,1]", "[null,0.5]"]
    assert [list(v) for v in frame["extra"]] == [[None, "a"], ["b"]]


# Issue 14 item 12: one rule for unknown fields on both paths.
def slow_frame(
    pages: list[bytes], schema: Schema, monkeypatch: pytest.MonkeyPatch, *, records_key: str | None = "data"
) -> pd.DataFrame:
    """The frame of the coercing path: the Arrow reader is made to refuse every batch."""
    from apitoolkit import frames

    def refuse(*_: object, **__: object) -> None:
        raise pa.ArrowInvalid("forced slow path")

    with monkeypatch.context() as patch, warnings.catch_warnings():
        warnings.simplefilter("ignore", SchemaDriftWarning)
        patch.setattr(frames.builder, "fast_table", refuse)
        return pages_to_frame(pages, schema, records_key=records_key)


def test_pages_to_frame__nested_unknown_attribute_flattens_the_same_on_both_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pages = [page(rec(1, address={"city": "Oslo", "zip": "0150"}), rec(2, address=None), rec(3, address={"zip": 9}))]
    fast = pages_to_frame(pages, USERS)
    slow = slow_frame(pages, USERS, monkeypatch)
    assert list(fast.columns[len(USERS.columns) :]) == ["address_city", "address_zip"]
    pd.testing.assert_frame_equal(fast, slow)
    assert fast["address_city"].tolist()[0] == "Oslo" and pd.isna(fast["address_city"].tolist()[1])


def test_pages_to_frame__an_unrelated_bad_value_does_not_change_the_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    from apitoolkit import frames

    monkeypatch.setattr(frames.builder, "BATCH_BYTES", 300)
    pages = [page(rec(i, address={"city": f"c{i}"}, **{"seen-on": "2026-01-02"})) for i in range(10)]
    clean = pages_to_frame(pages, USERS)
    pages[7] = page(rec(7, reputation="seven", address={"city": "c7"}, **{"seen-on": "2026-01-02"}))
    with pytest.warns(SchemaDriftWarning, match="^1 value"):
        drifted = pages_to_frame(pages, USERS)
    assert list(drifted.columns) == list(clean.columns) == [*USERS.columns, "address_city", "seen_on"]
    pd.testing.assert_frame_equal(drifted.drop(columns="reputation"), clean.drop(columns="reputation"))
    assert clean["seen_on"].tolist()[0] == "2026-01-02"  # unknown fields keep the JSON value: no inferred dates


def test_pages_to_frame__unknown_fields_keep_json_values_on_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps(
        [
            {"id": 1, "title": "a", "since": "2026-01-02T03:04:05Z", "big": 2**63, "links": [{"rel": "x"}]},
            {"id": 2, "title": "b", "since": None, "big": 1, "links": []},
        ]
    ).encode()
    schema = Schema("items", (Field("id", "int"), Field("title", "str")))
    fast = pages_to_frame([body], schema, records_key=None)
    assert fast["since"].tolist()[0] == "2026-01-02T03:04:05Z"  # Arrow alone would read a timestamp
    assert fast["big"].tolist() == [2.0**63, 1.0]  # beyond int64: a float, as Arrow reads it, on both paths
    assert fast["links"].tolist()[0] == '[{"rel":"x"}]'
    pd.testing.assert_frame_equal(fast, slow_frame([body], schema, monkeypatch, records_key=None))


def test_pages_to_frame__a_to_many_or_null_relationship_is_a_missing_id_on_both_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r1, r2 = rec(1), rec(2)
    r1["relationships"] = {"tags": {"data": [{"id": "3", "type": "tags"}]}, "owner": {"data": None}}
    r2["relationships"] = {"owner": {"data": {"id": "9", "type": "users"}}}
    fast = pages_to_frame([page(r1, r2)], USERS)
    assert list(fast.columns[len(USERS.columns) :]) == ["owner_id", "tags_id"]
    assert fast["owner_id"].tolist()[1] == 9 and fast["tags_id"].isna().all()
    pd.testing.assert_frame_equal(fast, slow_frame([page(r1, r2)], USERS, monkeypatch))


def test_pages_to_frame__unknown_integers_beside_floats_are_floats_on_both_paths(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    body = b'[{"id":1,"note":0.0},{"id":2,"note":9007199254740993}]'  # found by tests/unit/fuzz/test_extras_fuzz.py
    schema = Schema("items", (Field("id", "int"),))
    fast = pages_to_frame([body], schema, records_key=None)
    assert fast["note"].tolist() == [0.0, 9007199254740992.0]
    pd.testing.assert_frame_equal(fast, slow_frame([body], schema, monkeypatch, records_key=None))


def test_frame_builder__a_field_null_in_one_batch_and_an_object_in_another_is_flattened(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from apitoolkit import frames

    monkeypatch.setattr(frames.builder, "BATCH_BYTES", 1)  # one batch a page
    pages = [page(rec(1, address=None)), page(rec(2, address={"city": "Oslo"}))]
    built = pages_to_frame(pages, USERS)
    assert list(built.columns[len(USERS.columns) :]) == ["address_city"]  # found by test_extras_fuzz.py
    pd.testing.assert_frame_equal(built, slow_frame(pages, USERS, monkeypatch))
