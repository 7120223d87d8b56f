"""Frames to files: parquet, CSV and Excel written atomically and read back equal (Excel via openpyxl)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pytest

from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.export import SUFFIXES, check_zone, json_nested, to_excel, write_frame


def test_json_nested__lists_and_structs_become_json_text() -> None:
    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "tags": pd.array([["a", "é"], None], pd.ArrowDtype(pa.list_(pa.string()))),
            "who": pd.array([[{"id": 7}], []], pd.ArrowDtype(pa.list_(pa.struct([("id", pa.int64())])))),
            "raw": [[1, 2], None],
        }
    )
    out = json_nested(frame)
    assert out["tags"].tolist() == ['["a","é"]', None]
    assert out["who"].tolist() == ['[{"id":7}]', "[]"]
    assert out["raw"].tolist() == ["[1,2]", None]
    assert out["id"].tolist() == [1, 2]
    assert isinstance(frame["tags"].dtype, pd.ArrowDtype)  # the input is left alone


def test_write_frame__creates_the_directory_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": pd.array([1, None], "Int64")})
    frame.attrs["apitoolkit"] = {"source": "network"}
    target = tmp_path / "a" / "b" / "ids.parquet"
    write_frame(frame, target)
    assert list(target.parent.iterdir()) == [target]
    back = pd.read_parquet(target)
    pd.testing.assert_frame_equal(back, frame)
    assert back.attrs == {}


def test_write_frame__list_columns_read_back_with_pandas(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": pd.array([1, None], "Int64"),
            "tags": pd.array([["a"], None], pd.ArrowDtype(pa.list_(pa.string()))),
            "who": pd.array([[7, 8], []], pd.ArrowDtype(pa.list_(pa.int64()))),
        }
    )
    target = tmp_path / "items.parquet"
    write_frame(frame, target)
    back = pd.read_parquet(target)
    assert back["id"].dtype == "Int64"
    assert [None if v is None else list(v) for v in back["tags"]] == [["a"], None]
    assert [list(v) for v in back["who"]] == [[7, 8], []]
    assert pd.read_parquet(target, dtype_backend="pyarrow")["who"].dtype == frame["who"].dtype


def test_write_frame__a_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "ids.csv"
    target.write_text("id\n1\n")

    def fail(self: pd.DataFrame, path: Path, **kwargs: object) -> None:
        Path(path).write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    with pytest.raises(OSError):
        write_frame(pd.DataFrame({"id": [2]}), target)
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_text() == "id\n1\n"


def _sheet(path: Path) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(path)
    (sheet,) = book.worksheets
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def _mixed_frame() -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "id": pd.array([1, None, 3], "Int64"),
            "name": pd.array(["聡太郎 中村", "Käthe\x07 Scholtz", None], "str"),
            # 2026-03-29 01:00 UTC is when London moves to BST: 00:30 UTC is 00:30 GMT, 01:30 UTC is 02:30 BST.
            "created_at": pd.to_datetime(["2026-03-29 00:30", "2026-03-29 01:30", None], utc=True).as_unit("us"),
            "expiration_date": pd.to_datetime(["2026-06-14", None, "2027-01-01"], utc=True),
            "active": pd.array([True, None, False], "boolean"),
            "score": [1.5, float("nan"), 3.0],
            "tags": pd.array([["a", "é"], None, []], pd.ArrowDtype(pa.list_(pa.string()))),
            "day": pd.array([date(2026, 11, 5), None, date(2026, 11, 7)], pd.ArrowDtype(pa.date32())),
        }
    )
    frame.attrs["apitoolkit"] = {"source": "network"}
    return frame


def test_to_excel__values_read_back_in_utc_by_default(tmp_path: Path) -> None:
    target = to_excel(_mixed_frame(), tmp_path / "out" / "mixed.xlsx")
    header, *rows = _sheet(target)
    assert header == ("id", "name", "created_at (UTC)", "expiration_date", "active", "score", "tags", "day")
    assert rows[0] == (
        1,
        "聡太郎 中村",
        datetime(2026, 3, 29, 0, 30),
        datetime(2026, 6, 14),
        True,
        1.5,
        '["a","é"]',
        datetime(2026, 11, 5),
    )
    assert rows[1] == (None, "Käthe Scholtz", datetime(2026, 3, 29, 1, 30), None, None, None, None, None)
    assert rows[2] == (3, None, None, datetime(2027, 1, 1), False, 3.0, "[]", datetime(2026, 11, 7))
    assert list(target.parent.iterdir()) == [target]  # no temporary file left


def test_to_excel__local_times_across_a_daylight_saving_change(tmp_path: Path) -> None:
    target = to_excel(_mixed_frame(), tmp_path / "london.xlsx", tz="Europe/London")
    header, *rows = _sheet(target)
    assert header[2] == "created_at (Europe/London)"
    assert [r[2] for r in rows] == [datetime(2026, 3, 29, 0, 30), datetime(2026, 3, 29, 2, 30), None]
    assert [r[3] for r in rows] == [datetime(2026, 6, 14), None, datetime(2027, 1, 1)]  # dates are not shifted
    assert header[3] == "expiration_date"


def test_to_excel__reads_back_with_pandas(tmp_path: Path) -> None:
    frame = _mixed_frame()
    back = pd.read_excel(to_excel(frame, tmp_path / "m.xlsx"), engine="openpyxl")
    assert back["id"].tolist()[0] == 1 and pd.isna(back["id"].tolist()[1])
    assert back["name"].tolist()[0] == "聡太郎 中村"
    expected = frame["created_at"].dt.tz_localize(None)
    assert back["created_at (UTC)"].tolist()[:2] == expected.tolist()[:2]
    assert pd.isna(back["created_at (UTC)"].iloc[2])
    assert len(back) == len(frame)


def test_to_excel__number_formats_show_dates_as_dates(tmp_path: Path) -> None:
    target = to_excel(_mixed_frame(), tmp_path / "m.xlsx")
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet["D2"].number_format == "yyyy-mm-dd"
    assert sheet["H2"].number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A2"


def test_to_excel__an_empty_frame_writes_the_header(tmp_path: Path) -> None:
    frame = _mixed_frame().iloc[0:0]
    header, *rows = _sheet(to_excel(frame, tmp_path / "empty.xlsx"))
    assert header[0] == "id" and rows == []


@pytest.mark.parametrize(
    ("path", "tz", "message"),
    [
        ("out.xls", None, "out.xls is not an Excel file: give a path ending in .xlsx"),
        ("out.xlsx", "Mars/Olympus", "tz='Mars/Olympus' is not a time zone: use a name such as"),
        ("out.xlsx", "", "tz='' is not a time zone"),
    ],
)
def test_to_excel__bad_path_or_zone(path: str, tz: str | None, message: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match=message.replace("(", r"\(")):
        to_excel(pd.DataFrame({"id": [1]}), tmp_path / path, tz=tz)
    assert list(tmp_path.iterdir()) == []


def test_to_excel__a_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "ids.xlsx"
    to_excel(pd.DataFrame({"id": [1]}), target)
    before = target.read_bytes()

    save = openpyxl.Workbook.save

    def fail(self: openpyxl.Workbook, filename: str) -> None:
        save(self, filename)
        Path(filename).write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", fail)
    with pytest.raises(OSError):
        to_excel(pd.DataFrame({"id": [2]}), target)
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_bytes() == before


def test_write_frame__by_suffix(tmp_path: Path) -> None:
    frame = pd.DataFrame({"id": [1, 2], "at": pd.to_datetime(["2026-01-01 10:00", "2026-07-01 10:00"], utc=True)})
    for suffix in SUFFIXES:
        write_frame(frame, tmp_path / f"f{suffix}")
    assert pd.read_csv(tmp_path / "f.csv")["at"].tolist() == ["2026-01-01 10:00:00+00:00", "2026-07-01 10:00:00+00:00"]
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "f.parquet"), frame)
    assert _sheet(tmp_path / "f.xlsx")[2] == (2, datetime(2026, 7, 1, 10))
    write_frame(frame, tmp_path / "g.xlsx", tz="America/New_York")
    assert _sheet(tmp_path / "g.xlsx")[2] == (2, datetime(2026, 7, 1, 6))


def test_write_frame__files_are_readable_by_others(tmp_path: Path) -> None:
    for suffix in SUFFIXES:
        target = write_frame(pd.DataFrame({"id": [1]}), tmp_path / f"f{suffix}")
        assert target.stat().st_mode & 0o044 == 0o044, suffix


@pytest.mark.parametrize(
    ("name", "tz", "message"),
    [
        ("users.json", None, "users.json must end in .parquet, .csv or .xlsx"),
        ("users.csv", "Europe/London", "tz='Europe/London' applies to .xlsx files only"),
    ],
)
def test_write_frame__bad_suffix_or_zone_for_the_format(
    name: str, tz: str | None, message: str, tmp_path: Path
) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        write_frame(pd.DataFrame({"id": [1]}), tmp_path / name, tz=tz)
    assert list(tmp_path.iterdir()) == []


def test_check_zone__names_and_none() -> None:
    assert check_zone(None) == "UTC"
    assert check_zone("Asia/Tokyo") == "Asia/Tokyo"
    with pytest.raises(InvalidArgumentError, match="Europe/Londn"):
        check_zone("Europe/Londn")
