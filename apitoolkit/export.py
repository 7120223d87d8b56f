"""Frames to the files analysts open: parquet, CSV and Excel, each written atomically.

`write_frame` picks the format from the file's suffix; `to_excel` writes a sheet Excel can open, which
``DataFrame.to_excel`` refuses for every loader frame ("Excel does not support datetimes with timezones").
A file is written to a temporary name beside it and renamed over it, so a failed write keeps the previous file.
"""

from __future__ import annotations

import contextlib
import math
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apitoolkit.arguments import as_zone
from apitoolkit.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["SUFFIXES", "to_excel", "write_frame"]

#: The file types `write_frame` writes, by suffix.
SUFFIXES = (".parquet", ".csv", ".xlsx")
#: Rows a worksheet holds, the header included.
EXCEL_MAX_ROWS = 1_048_576
_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def write_frame(frame: pd.DataFrame, path: str | os.PathLike[str], *, tz: str | None = None) -> Path:
    """Write a frame to ``path`` as parquet, CSV or Excel (by suffix), atomically; returns the path.

    Parquet keeps every dtype (list columns read back as arrays); CSV writes list, struct and dict columns as
    JSON text; ``.xlsx`` is `to_excel`. ``frame.attrs`` (where the frame came from) is not written.

    Args:
        frame: The frame to write.
        path: ``FILE.parquet``, ``FILE.csv`` or ``FILE.xlsx``; missing folders are created.
        tz: For ``.xlsx`` only: the time zone of the written times (see `to_excel`).

    Raises:
        InvalidArgumentError: Another suffix, a ``tz`` for parquet or CSV, or an unknown zone.
        OSError: The file could not be written (the previous file, if any, is kept).

    Example:
        >>> import tempfile
        >>> import pandas as pd
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = write_frame(pd.DataFrame({"id": [1]}), Path(folder, "exports", "users.csv"))
        ...     path.read_text().splitlines()
        ['id', '1']
    """
    target = Path(path)
    suffix = _suffix(target)
    if suffix == ".xlsx":
        return to_excel(frame, target, tz=tz)
    if tz is not None:
        raise InvalidArgumentError(f"tz={tz!r} applies to .xlsx files only: {target.name} keeps times in UTC.")
    plain = frame.copy(deep=False)
    plain.attrs = {}
    if suffix == ".csv":
        return _atomically(target, lambda temporary: json_nested(plain).to_csv(temporary, index=False))

    def parquet(temporary: Path) -> None:
        import pyarrow.parquet as pq

        pq.write_table(parquet_table(plain), temporary)

    return _atomically(target, parquet)


def to_excel(frame: pd.DataFrame, path: str | os.PathLike[str], *, tz: str | None = None) -> Path:
    """Write a frame to an Excel workbook (one sheet, a header row) that reads back as it was; returns the path.

    - Times with a time zone are written as Excel times (which have no zone): local times in ``tz`` (a zone name
      such as ``"Europe/London"``, daylight saving applied per value), or UTC when ``tz`` is None. The header
      says which: ``created_at (UTC)``, ``created_at (Europe/London)``.
    - A time zone aware column whose values are all midnight (a calendar date such as ``expiration_date``) is
      a date: written as that date, not shifted into ``tz``, with its name unchanged. Date columns likewise.
    - List, struct and dict columns are JSON text; missing values (NA, NaT, NaN, None) are empty cells;
      nullable integers and booleans are numbers and TRUE/FALSE.
    - Characters Excel cannot store (control characters) are removed from text.

    The workbook is written to a temporary file beside ``path`` and renamed over it.

    Args:
        frame: The frame (the index is not written).
        path: The ``.xlsx`` file; missing folders are created.
        tz: Time zone of the written times; None writes UTC.

    Raises:
        InvalidArgumentError: ``path`` does not end in ``.xlsx``, ``tz`` is not a time zone name, or the frame has
            more rows than a worksheet holds.
        OSError: The file could not be written (the previous file, if any, is kept).

    Example:
        >>> import tempfile
        >>> import pandas as pd
        >>> import apitoolkit
        >>> logs = pd.DataFrame({"id": [1], "created_at": pd.to_datetime(["2026-11-01T12:00:00Z"])})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     apitoolkit.to_excel(logs, Path(folder, "logs.xlsx"), tz="Europe/London").name
        'logs.xlsx'
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise InvalidArgumentError(f"{target.name} is not an Excel file: give a path ending in .xlsx.")
    zone = check_zone(tz)
    if len(frame) + 1 > EXCEL_MAX_ROWS:
        raise InvalidArgumentError(
            f"{len(frame):,} rows do not fit in an Excel sheet ({EXCEL_MAX_ROWS - 1:,} at most): filter the frame "
            "or write .parquet or .csv."
        )
    header, columns, formats = [], [], []
    for name in frame.columns:
        title, values, number_format = _excel_column(frame[name], str(name), zone)
        header.append(title)
        columns.append(values)
        formats.append(number_format)

    def save(temporary: Path) -> None:
        from openpyxl import Workbook  # type: ignore[import-untyped,unused-ignore]
        from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped,unused-ignore]
        from openpyxl.styles import Font  # type: ignore[import-untyped,unused-ignore]

        book = Workbook(write_only=True)
        sheet = book.create_sheet("data")
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        titles = []
        for title in header:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            titles.append(cell)
        sheet.append(titles)

        def formatted(value: Any, number_format: str | None) -> Any:
            if number_format is None or value is None:
                return value
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = number_format
            return cell

        for row in zip(*columns, strict=True) if columns else iter(()):
            sheet.append([formatted(value, f) for value, f in zip(row, formats, strict=True)])
        book.save(temporary)

    return _atomically(target, save)


def check_zone(tz: str | None) -> str:
    """The time zone name ``tz`` (``"UTC"`` for None); an unknown name is an `InvalidArgumentError`.

    Example:
        >>> check_zone(None), check_zone("Europe/London")
        ('UTC', 'Europe/London')
    """
    return "UTC" if tz is None else as_zone(tz)


def _suffix(target: Path) -> str:
    suffix = target.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidArgumentError(f"{target.name} must end in {', '.join(SUFFIXES[:-1])} or {SUFFIXES[-1]}.")
    return suffix


def _atomically(target: Path, write: Callable[[Path], Any]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        write(temporary)
        os.replace(temporary, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return target


def _excel_column(column: pd.Series, name: str, zone: str) -> tuple[str, list[Any], str | None]:
    """A column's header, its cell values (Python values Excel takes; None for empty) and their number format."""
    import pandas as pd

    if is_nested(column):
        return name, json_nested(column.to_frame())[column.name].tolist(), None
    if pd.api.types.is_datetime64_any_dtype(column.dtype):
        stamps = pd.to_datetime(column)
        aware = stamps.dt.tz is not None
        present = stamps.dropna()
        if not present.empty and bool((present == present.dt.normalize()).all()):  # calendar dates
            naive = stamps.dt.tz_localize(None) if aware else stamps
            return name, [_python(v) for v in naive.tolist()], _DATE_FORMAT
        if aware:
            stamps = stamps.dt.tz_convert(zone).dt.tz_localize(None)
            name = f"{name} ({zone})"
        return name, [_python(v) for v in stamps.tolist()], _DATETIME_FORMAT
    values = [_python(v) for v in column.tolist()]
    if any(isinstance(v, date) and not isinstance(v, datetime) for v in values):
        return name, values, _DATE_FORMAT
    return name, values, None


def _python(value: Any) -> Any:
    """One value as openpyxl writes it: None for every kind of missing, plain Python numbers, clean text."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime(warn=False)
    if isinstance(value, pd.Timedelta):
        return value.to_pytimedelta()
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, bool | int | float | date | timedelta):
        return value
    return _clean_text(str(value))


def _clean_text(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped,unused-ignore]

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def parquet_table(frame: pd.DataFrame) -> pa.Table:
    """The frame as an Arrow table whose pandas metadata `pd.read_parquet` can read back.

    pandas records an Arrow list or struct column under a dtype name it cannot parse when reading the file
    (pandas-dev/pandas#57411); such columns are recorded as ``object``, so they read back as arrays.

    Example:
        >>> import pandas as pd
        >>> parquet_table(pd.DataFrame({"id": [1]})).num_rows
        1
    """
    import orjson
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=False)
    nested = {name for name in frame.columns if _is_arrow_nested(frame[name])}
    meta = table.schema.pandas_metadata
    for column in meta["columns"]:
        if column["name"] in nested:
            column["numpy_type"] = "object"
    return table.replace_schema_metadata({**table.schema.metadata, b"pandas": orjson.dumps(meta)})


def _is_arrow_nested(column: pd.Series) -> bool:
    import pandas as pd
    import pyarrow as pa

    return isinstance(column.dtype, pd.ArrowDtype) and pa.types.is_nested(column.dtype.pyarrow_dtype)


def is_nested(column: pd.Series) -> bool:
    """Whether a column holds lists, structs or dicts (an Arrow nested type, or such Python objects).

    Example:
        >>> import pandas as pd
        >>> is_nested(pd.Series([["a"], None])), is_nested(pd.Series(["a"]))
        (True, False)
    """
    return _is_arrow_nested(column) or (
        column.dtype == object and bool(column.map(lambda v: isinstance(v, list | tuple | dict)).any())
    )


def json_nested(frame: pd.DataFrame) -> pd.DataFrame:
    """List, struct and dict columns as JSON text (for CSV and Excel); other columns unchanged.

    Example:
        >>> import pandas as pd
        >>> json_nested(pd.DataFrame({"tags": [["a", "b"], None]}))["tags"].tolist()
        ['["a","b"]', None]
    """
    import pandas as pd

    out = frame.copy(deep=False)
    for name in out.columns:
        column = out[name]
        if is_nested(column):
            out[name] = pd.Series(list(_json_values(column)), index=out.index, dtype=object)
    return out


def _json_values(column: pd.Series) -> Iterator[str | None]:
    import orjson
    import pandas as pd

    for value in column.tolist():
        if value is None or value is pd.NA:
            yield None
        else:
            yield orjson.dumps(value, option=orjson.OPT_SERIALIZE_NUMPY, default=str).decode()
