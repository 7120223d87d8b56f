"""Frames as people read them: dates without clock noise, whole day counts, human sizes, blanks for missing values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from apitoolkit.analysis.checks import zone
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.frames.dates import all_midnight

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

__all__ = ["readable", "size_text", "styled"]

DATE = "%Y-%m-%d"
DATETIME = "%Y-%m-%d %H:%M"


def size_text(size: float) -> str:
    """A byte count for people, in decimal units, as ``apitoolkit cache info`` prints it.

    Example:
        >>> size_text(512), size_text(1_234_567)
        ('512 B', '1.2 MB')
    """
    unit = "B"
    for larger in ("kB", "MB", "GB"):
        if size < 1000:
            break
        size, unit = size / 1000, larger
    return f"{size:.0f} B" if unit == "B" else f"{size:.1f} {unit}"


def readable(frame: pd.DataFrame, *, tz: str = "UTC") -> pd.DataFrame:
    """A copy of ``frame`` for people to read or paste: same index, same columns in the same order.

    - Datetimes (with a zone or naive, taken as UTC): a column whose values all fall on midnight in ``tz``, or
      else all on midnight UTC (calendar dates such as ``expiration_date``), shows ``"2025-06-14"`` (the date
      in that zone); any other shows ``"2025-06-14 09:30"`` in ``tz``. Arrow date columns show ``"2025-06-14"``.
    - Float columns named ``days_*`` show whole days (rounded to the nearest day, halves up).
    - A ``bytes`` column shows human sizes, as ``apitoolkit cache info`` prints them (`size_text`).
    - Lists (Hitask tags, participants) show their items joined by ", ".
    - Missing values show as ``""`` in text, categorical, datetime, whole-number (Int64), boolean and float
      columns (a numeric column with no missing value stays numeric).

    The input is never changed.

    Args:
        frame: Any frame, such as a loader's or an analysis function's.
        tz: The zone datetimes are shown in (an IANA name such as ``"Europe/London"``).

    Returns:
        The display copy; formatted columns hold text.

    Raises:
        InvalidArgumentError: ``frame`` is not a DataFrame, or ``tz`` is not a time zone.

    Example:
        >>> frame = pd.DataFrame({
        ...     "expiration_date": pd.to_datetime(["2025-06-14", None], utc=True),
        ...     "days_overdue": [700.500395, 2.2], "project": ["Web", None], "bytes": [512, 1_234_567]})
        >>> readable(frame).values.tolist()
        [['2025-06-14', 701, 'Web', '512 B'], ['', 2, '', '1.2 MB']]
    """
    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgumentError(f"readable needs a DataFrame, not {type(frame).__name__}.")
    name = zone(tz)
    columns = {position: _shown(frame.iloc[:, position], name) for position in range(frame.shape[1])}
    out = pd.DataFrame(columns, index=frame.index)
    out.columns = frame.columns
    out.attrs = dict(frame.attrs)
    return out


def styled(frame: pd.DataFrame, *, tz: str = "UTC", index: bool = False) -> Styler:
    """`readable` ``frame`` as a report shows it: headers in words ("organization name"), no row numbers.

    Text columns are aligned left and numbers right, so a column reads down; decimals show at most two places
    (``108.8``, not ``108.800000``); the frame's own index is shown only with ``index=True`` (the default 0, 1,
    2 ... says nothing to a reader).

    Args:
        frame: Any frame.
        tz: The zone datetimes are shown in.
        index: Show the index (for a frame whose index means something, such as a pivot's rows).

    Example:
        >>> frame = pd.DataFrame({"resource_name": ["a.example"], "days_until": [9]})
        >>> "resource name" in styled(frame).to_html()
        True
    """
    shown = readable(frame, tz=tz)
    texts = [name for name, dtype in shown.dtypes.items() if not pd.api.types.is_numeric_dtype(dtype)]
    floats = [name for name, dtype in shown.dtypes.items() if pd.api.types.is_float_dtype(dtype)]
    styler = shown.style.format_index(lambda label: str(label).replace("_", " "), axis=1)
    styler = styler.format(_decimal, subset=floats, na_rep="")
    styler = styler.set_properties(subset=texts, **{"text-align": "left"}).set_table_styles(
        [{"selector": "th.col_heading", "props": [("text-align", "left")]}]
    )
    return styler if index else styler.hide(axis="index")


def _decimal(value: float) -> str:
    """At most two decimals and no trailing zeros: ``108.8``, ``152``, ``1,234.57``."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _shown(column: pd.Series, tz: str) -> pd.Series:
    """One column as it reads best (see `readable`)."""
    dtype = column.dtype
    label = column.name
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_date(dtype.pyarrow_dtype):
        return _blank(column.astype("str"), column.isna())
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_list(dtype.pyarrow_dtype):
        return _joined(column)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _datetimes(column, tz)
    if label == "bytes" and pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return _blank(column.map(lambda v: "" if pd.isna(v) else size_text(float(v)), na_action=None), column.isna())
    if pd.api.types.is_float_dtype(dtype) and isinstance(label, str) and label.startswith("days_"):
        return _numbers(np.floor(column.astype("float64") + 0.5).astype("Int64"))
    if pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return _numbers(column)
    if pd.api.types.is_object_dtype(dtype):
        return pd.Series([_one(value) for value in column.tolist()], index=column.index, dtype="object")
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        return _blank(column.astype("object"), column.isna())
    return column.copy()


def _blank(values: pd.Series, missing: pd.Series) -> pd.Series:
    """``values`` as text-holding objects, ``""`` where ``missing``."""
    shown = values.astype("object")
    return shown.where(~missing.to_numpy(dtype=bool), "")


def _numbers(column: pd.Series) -> pd.Series:
    """Numbers kept as they are; only a column with missing values becomes objects, ``""`` where missing."""
    missing = column.isna()
    if not missing.any():
        return column.copy()
    return _blank(column, missing)


def _datetimes(column: pd.Series, tz: str) -> pd.Series:
    aware = column if isinstance(column.dtype, pd.DatetimeTZDtype) else column.dt.tz_localize("UTC")
    local, utc = aware.dt.tz_convert(tz), aware.dt.tz_convert("UTC")
    if all_midnight(local):
        text = local.dt.strftime(DATE)
    elif all_midnight(utc):  # calendar dates stored at midnight UTC keep their date in any zone
        text = utc.dt.strftime(DATE)
    else:
        text = local.dt.strftime(DATETIME)
    return _blank(text, column.isna())


def _joined(column: pd.Series) -> pd.Series:
    """List cells as their items joined by ", "; ``""`` for an empty or missing list."""
    return pd.Series([_one(items) for items in column.tolist()], index=column.index, dtype="object")


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | np.ndarray)


def _missing(value: Any) -> bool:
    return not _is_list(value) and bool(pd.isna(value))


def _one(value: Any) -> Any:
    """A cell of a mixed column: lists joined, missing as ``""``, anything else as it is."""
    if _is_list(value):
        return ", ".join(str(v) for v in value if not _missing(v))
    return "" if _missing(value) else value
