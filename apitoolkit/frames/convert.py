"""The coercing path's converters: one small function per column kind, from a JSON value to the column's value."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
import pyarrow as pa

from apitoolkit.frames.dates import date_from_json, datetime_from_json
from apitoolkit.frames.schema import ARROW_TYPES

__all__ = ["CONVERTERS", "coerce_column", "coerce_one"]

#: (the column's value, whether the JSON value was bad: not of the documented type, so set missing).
Coerced = tuple[Any, bool]
_BAD: Coerced = (None, True)
_TRUE = frozenset({"true", "1", "yes"})
_FALSE = frozenset({"false", "0", "no"})


def _to_int(value: Any) -> Coerced:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        return _BAD
    number = int(value)
    return (number, False) if -(2**63) <= number < 2**63 else _BAD


def _to_float(value: Any) -> Coerced:
    return _BAD if isinstance(value, bool) else (float(value), False)


def _to_str(value: Any) -> Coerced:
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode(), False
    if isinstance(value, bool):
        return ("true" if value else "false"), False
    return str(value), False


def _to_bool(value: Any) -> Coerced:
    if isinstance(value, bool):
        return value, False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True, False
    if text in _FALSE:
        return False, False
    return _BAD


def _to_datetime(value: Any) -> Coerced:
    moment = datetime_from_json(value)
    return _BAD if moment is None else (moment, False)


def _to_date(value: Any) -> Coerced:
    day = date_from_json(value)
    return _BAD if day is None else (day, False)


def _to_json(value: Any) -> Coerced:
    return orjson.dumps(value).decode(), False


def _list_of(inner: str) -> Callable[[Any], Coerced]:
    """A list kind's converter: a JSON list, or text separated by commas; missing items dropped, bad ones too."""

    def convert(value: Any) -> Coerced:
        items = value if isinstance(value, list) else [v for v in str(value).split(",") if v.strip()]
        out = [coerce_one(v, inner) for v in items]
        return [v for v, _ in out if v is not None], any(bad for _, bad in out)

    return convert


#: Column kind -> its converter (a JSON value that is not None -> `Coerced`; may raise ValueError, TypeError or
#: OverflowError for a bad value).
CONVERTERS: dict[str, Callable[[Any], Coerced]] = {
    "int": _to_int,
    "float": _to_float,
    "str": _to_str,
    "bool": _to_bool,
    "datetime": _to_datetime,
    "date": _to_date,
    "json": _to_json,
    "list[str]": _list_of("str"),
    "list[int]": _list_of("int"),
}


def coerce_one(value: Any, kind: str) -> Coerced:
    """A JSON value as a value of column kind ``kind``, and whether it was bad (then it is missing).

    Missing is None, or an empty list for a list kind.

    Example:
        >>> coerce_one("12", "int"), coerce_one("twelve", "int"), coerce_one("a,b", "list[str]")
        ((12, False), (None, True), (['a', 'b'], False))
    """
    if value is None:
        return ([] if kind.startswith("list[") else None), False
    convert = CONVERTERS[kind]
    try:
        return convert(value)
    except (ValueError, TypeError, OverflowError):
        return _BAD


def coerce_column(values: Iterable[Any], kind: str) -> tuple[pa.Array, int]:
    """JSON values as an Arrow column of kind ``kind``, and how many were bad (set missing).

    Example:
        >>> column, bad = coerce_column([1, "2", "x", None], "int")
        >>> column.to_pylist(), bad
        ([1, 2, None, None], 1)
    """
    out: list[Any] = []
    bad = 0
    for value in values:
        coerced, was_bad = coerce_one(value, kind)
        bad += was_bad
        out.append(coerced)
    return pa.array(out, type=ARROW_TYPES[kind]), bad
