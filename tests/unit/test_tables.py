"""Display copies for people: dates, whole days, human sizes, blanks for missing values; the input untouched."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.tables import readable, size_text, styled

UTC = "datetime64[us, UTC]"


def utc(*values: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values), utc=True, format="ISO8601"), dtype=UTC)


def test_readable__midnights_are_dates_other_times_minutes_in_tz() -> None:
    frame = pd.DataFrame(
        {
            "expiration_date": utc("2025-06-14", None, "2026-01-01"),
            "created": utc("2026-11-02 09:30:59", "2026-11-02 23:15", None),
            "naive": pd.to_datetime(["2026-11-02 10:00", "2026-11-03 00:00", None]),
        }
    )
    out = readable(frame)
    assert out.values.tolist() == [
        ["2025-06-14", "2026-11-02 09:30", "2026-11-02 10:00"],
        ["", "2026-11-02 23:15", "2026-11-03 00:00"],
        ["2026-01-01", "", ""],
    ]
    berlin = readable(frame, tz="Europe/Berlin")
    assert berlin["created"].tolist() == ["2026-11-02 10:30", "2026-11-03 00:15", ""]  # UTC+1 in November
    assert berlin["naive"].tolist()[:2] == ["2026-11-02 11:00", "2026-11-03 01:00"]  # naive is UTC
    # calendar dates (midnight UTC) keep their date in any zone rather than show 02:00 or the day before
    assert readable(frame, tz="America/New_York")["expiration_date"].tolist() == ["2025-06-14", "", "2026-01-01"]


def test_readable__periods_at_local_midnight_are_dates_in_that_zone() -> None:
    periods = pd.Series(pd.to_datetime(["2026-03-29", "2026-03-30"]).tz_localize("Europe/Berlin"))
    frame = pd.DataFrame({"period": periods})
    assert readable(frame, tz="Europe/Berlin")["period"].tolist() == ["2026-03-29", "2026-03-30"]
    assert readable(frame)["period"].tolist() == ["2026-03-28 23:00", "2026-03-29 22:00"]  # across the DST change


def test_readable__day_counts_whole_and_missing_values_blank() -> None:
    frame = pd.DataFrame(
        {
            "days_overdue": [700.500395, 0.4, None],
            "days_until": pd.array([3, None, -1], dtype="Int64"),
            "count": pd.array([1, 2, 3], dtype="Int64"),
            "is_completed": pd.array([True, None, False], dtype="boolean"),
            "project": pd.Series(["Web", None, "CRM"], dtype="str"),
            "bucket": pd.Categorical(["0-30", None, "expired"]),
            "ratio": [0.25, None, 1.5],
        }
    )
    out = readable(frame)
    assert out["days_overdue"].tolist() == [701, 0, ""]
    assert out["days_until"].tolist() == [3, "", -1]
    assert str(out["count"].dtype) == "Int64" and out["count"].tolist() == [1, 2, 3]  # nothing missing: stays numeric
    assert out["is_completed"].tolist() == [True, "", False]
    assert out["project"].tolist() == ["Web", "", "CRM"]
    assert out["bucket"].tolist() == ["0-30", "", "expired"]
    assert out["ratio"].tolist() == [0.25, "", 1.5]
    assert "nan" not in out.to_string().lower() and "<na>" not in out.to_string().lower()


def test_readable__bytes_as_cache_info_prints_them_and_lists_joined() -> None:
    frame = pd.DataFrame(
        {
            "bytes": [0, 999, 1000, 1_234_567, 5 * 10**12],
            "updated": utc("2026-11-02 09:30", None, "2026-11-02", "2026-11-03", "2026-11-04"),
            "tags": pd.Series([["a", "b"], [], None, ["c"], ["d", None]], dtype=pd.ArrowDtype(pa.list_(pa.string()))),
            "date": pd.Series(["2026-11-02", None, "2026-11-03", None, None], dtype=pd.ArrowDtype(pa.string())).astype(
                pd.ArrowDtype(pa.date32())
            ),
        }
    )
    out = readable(frame)
    assert out["bytes"].tolist() == ["0 B", "999 B", "1.0 kB", "1.2 MB", "5000.0 GB"]
    assert out["bytes"].tolist() == [size_text(n) for n in frame["bytes"]]
    assert out["updated"].tolist() == [
        "2026-11-02 09:30",
        "",
        "2026-11-02 00:00",
        "2026-11-03 00:00",
        "2026-11-04 00:00",
    ]
    assert out["tags"].tolist() == ["a, b", "", "", "c", "d"]
    assert out["date"].tolist() == ["2026-11-02", "", "2026-11-03", "", ""]


def test_readable__keeps_index_column_order_and_never_changes_the_input() -> None:
    frame = pd.DataFrame(
        {"b": [None, "x"], "a": utc("2026-11-02", None).array, "days_x": [1.6, None]}, index=pd.Index([7, 3], name="id")
    )
    frame.attrs["source"] = "network"
    before = frame.copy(deep=True)
    out = readable(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert out.index.equals(frame.index) and out.columns.tolist() == ["b", "a", "days_x"]
    assert out.values.tolist() == [["", "2026-11-02", 2], ["x", "", ""]]
    assert out.attrs == {"source": "network"}
    assert readable(frame.iloc[:0]).columns.tolist() == ["b", "a", "days_x"]


def test_readable__duplicate_and_non_text_column_names() -> None:
    frame = pd.DataFrame([[1.5, None, "x"]], columns=[0, "days_a", 0])
    assert readable(frame).values.tolist() == [[1.5, "", "x"]]
    assert readable(frame).columns.tolist() == [0, "days_a", 0]


def test_readable__bad_arguments() -> None:
    with pytest.raises(InvalidArgumentError, match="readable needs a DataFrame, not list"):
        readable([1, 2])
    with pytest.raises(InvalidArgumentError, match="tz='Mars/Base' is not a time zone"):
        readable(pd.DataFrame({"a": [1]}), tz="Mars/Base")


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(min_value=-1e6, max_value=1e6)), max_size=20))
def test_readable__day_counts_are_the_nearest_whole_day(days: list[float | None]) -> None:
    out = readable(pd.DataFrame({"days_to_complete": pd.Series(days, dtype="float64")}))["days_to_complete"]
    for given_value, shown in zip(days, out, strict=True):
        if given_value is None:
            assert shown == ""
        else:
            assert float(shown) == int(shown) and abs(int(shown) - given_value) <= 0.5


def test_size_text__units() -> None:
    assert [size_text(n) for n in (0, 512, 1_234_567, 2_500_000_000)] == ["0 B", "512 B", "1.2 MB", "2.5 GB"]


def test_styled__words_for_headers_no_row_numbers_and_readable_cells() -> None:
    frame = pd.DataFrame(
        {"resource_name": ["a.example"], "days_overdue": [700.500395], "due": pd.to_datetime(["2025-06-14"], utc=True)}
    )
    html = styled(frame).to_html()
    assert ">resource name<" in html and ">days overdue<" in html and "resource_name" not in html
    assert ">701<" in html and ">2025-06-14<" in html and "00:00:00" not in html
    assert "row_heading" not in html  # the 0, 1, 2 ... index is hidden
    assert "row_heading" in styled(frame, index=True).to_html()
    assert frame.columns.tolist() == ["resource_name", "days_overdue", "due"]  # the input is left as it was
    described = styled(pd.DataFrame({"mean": [87.7], "max": [1234.5678], "count": [152.0]})).to_html()
    assert ">87.7<" in described and ">1,234.57<" in described and ">152<" in described
