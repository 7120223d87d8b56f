"""Hypothesis strategies for the fuzz suite: odd JSON values, records that fit or surprise a schema, pages, settings."""

from __future__ import annotations

import functools
import json
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from apitoolkit.frames import Field, Schema

#: Every fuzz test runs a fixed number of examples chosen from a hash of the test (no database, no deadline),
#: so CI sees the same inputs on every run.
EXAMPLES = 200


def fuzz(examples: int = EXAMPLES) -> settings:
    """The suite's reproducible settings."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )


INT64 = st.integers(-(2**63), 2**63 - 1)
#: Beyond int64 both ways, and the edges a parser trips on.
HUGE_INTS = st.integers(-(2**80), 2**80) | st.sampled_from(
    [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64 - 1, 2**64, 10**30, -(10**30), 0, -1]
)
FLOATS = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from([0.5, -0.0, 1e300, -1e-300, 3.0, 2.0**63])
#: Any text JSON can carry (no lone surrogates): control characters, NUL, RTL marks, line separators, emoji.
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
ODD_TEXT = TEXT | st.sampled_from(
    ["", " ", "\x00", "\u2028", "\ufeff", "null", "NaN", "-0", "1e999", "0x1F", " 42 ", "true", "2026-13-45", "💥" * 3]
)
SCALARS = st.none() | st.booleans() | HUGE_INTS | FLOATS | ODD_TEXT


def nested(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Leaves, and lists and objects of them up to three levels deep (cheaper to draw than `st.recursive`)."""
    shallow = st.lists(leaves, max_size=3) | st.dictionaries(TEXT, leaves, max_size=3)
    return leaves | shallow | st.lists(shallow, max_size=2) | st.dictionaries(ODD_TEXT, shallow, max_size=2)


JSON = nested(SCALARS)
#: JSON whose integers fit int64: what orjson gives back unchanged.
PLAIN_JSON = nested(st.none() | st.booleans() | INT64 | FLOATS | TEXT)

_OFFSETS = st.sampled_from([0, 0, 330, -480, 840, -720])


@st.composite
def iso_datetimes(draw: st.DrawFn) -> tuple[str, pd.Timestamp]:
    """An ISO 8601 timestamp with an offset, in the layouts APIs send, and the UTC instant it names."""
    digits = draw(st.sampled_from([0, 3, 6]))
    moment = draw(st.datetimes(datetime(1700, 1, 2), datetime(2260, 12, 30)))
    moment = moment.replace(microsecond=moment.microsecond // 10 ** (6 - digits) * 10 ** (6 - digits))
    fraction = f".{moment.microsecond:06d}"[: digits + 1] if digits else ""
    minutes = draw(_OFFSETS)
    if minutes == 0 and draw(st.booleans()):
        zone = "Z"
    else:
        zone = f"{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    instant = moment.replace(tzinfo=timezone(timedelta(minutes=minutes))).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + fraction + zone, pd.Timestamp(instant)


@functools.cache
def fitting(f: Field) -> st.SearchStrategy[tuple[Any, Any]]:
    """``(JSON value, value expected in the frame)`` for values that fit the field's kind."""
    kind = f.kind
    if kind == "int":
        number = INT64.map(lambda n: (n, n))
        return number | INT64.map(lambda n: (str(n), n)) if f.raw_type == "string" else number
    if kind == "float":
        return FLOATS.map(lambda x: (x, x)) | st.integers(-(2**53), 2**53).map(lambda n: (n, float(n)))
    if kind == "str":
        return TEXT.map(lambda s: (s, s))
    if kind == "bool":
        if f.raw_type == "number":
            return st.sampled_from([(1, True), (0, False)])
        return st.booleans().map(lambda b: (b, b))
    if kind == "datetime":
        return iso_datetimes()
    if kind == "date":
        return st.dates(date(1, 1, 1), date(9999, 12, 31)).map(lambda d: (d.isoformat(), d))
    if kind == "list[str]":
        return st.lists(TEXT, max_size=4).map(lambda v: (v, v))
    if kind == "list[int]":
        return st.lists(INT64, max_size=4).map(lambda v: (v, v))
    return PLAIN_JSON.map(lambda v: (v, v))


MISSING = object()  # the field is absent from the record, or its value is not checked


@functools.cache
def field_value(f: Field, drift: bool) -> st.SearchStrategy[tuple[Any, Any]]:
    """``(JSON value or MISSING, expected value or MISSING)``: absent, null, fitting, and with ``drift`` anything."""
    fit = fitting(f)
    choices = [st.just((MISSING, None)), st.just((None, None)), fit, fit, fit]
    if drift:
        choices.append(JSON.map(lambda v: (v, MISSING)))
    return st.one_of(choices)


#: Fields no schema declares: any names and values with drift, else a few well-typed ones (the fast path's diet).
EXTRAS = {
    True: st.dictionaries(ODD_TEXT, JSON, max_size=2),
    False: st.fixed_dictionaries({}, optional={"note": st.none() | TEXT, "extra-count": st.none() | INT64}),
}
RELATIONSHIPS = {
    True: st.dictionaries(
        ODD_TEXT,
        st.fixed_dictionaries({"data": st.none() | JSON | st.fixed_dictionaries({"id": JSON, "type": TEXT})}),
        max_size=3,
    ),
    False: st.fixed_dictionaries(
        {},
        optional={
            "organization": st.fixed_dictionaries(
                {"data": st.none() | st.fixed_dictionaries({"id": INT64.map(str), "type": st.just("organizations")})}
            )
        },
    ),
}


@st.composite
def jsonapi_record(draw: st.DrawFn, schema: Schema, drift: bool) -> tuple[Any, dict[str, Any]]:
    """A JSON:API resource object and the declared values it should yield (MISSING: not checked)."""
    attributes: dict[str, Any] = draw(EXTRAS[drift])
    record: dict[str, Any] = {}
    expected = _draw_fields(draw, schema, drift, record, attributes)
    if draw(st.booleans()):
        record["type"] = schema.name
    shape = draw(st.sampled_from(["object", "object", "object", "absent", "other"] if drift else ["object"]))
    if shape == "object":
        record["attributes"] = attributes
    elif shape == "other":
        record["attributes"] = draw(JSON.filter(lambda v: not isinstance(v, dict)))
    if shape != "object":
        expected = {name: (want if name == "id" else None) for name, want in expected.items()}
    if draw(st.booleans()):
        record["relationships"] = draw(RELATIONSHIPS[drift])
    if drift:
        _add_surprises(draw, record)
    return record, expected


def _draw_fields(
    draw: st.DrawFn, schema: Schema, drift: bool, record: dict[str, Any], attributes: dict[str, Any]
) -> dict[str, Any]:
    """Draw each declared field into the record's id or its attributes; the values each should yield."""
    expected: dict[str, Any] = {}
    for f in schema.fields:
        value, want = draw(field_value(f, drift))
        if f.source == ("id",):
            if value is not MISSING:
                record["id"] = value
        else:
            attributes.pop(f.source[-1], None)
            if value is not MISSING:
                attributes[f.source[-1]] = value
        expected[f.name] = want
    return expected


def _add_surprises(draw: st.DrawFn, record: dict[str, Any]) -> None:
    """Members a drifting JSON:API record may carry besides its own: odd keys, ``links`` and ``meta``."""
    record.update(draw(st.dictionaries(ODD_TEXT.filter(lambda k: k not in record), JSON, max_size=2)))
    for key in ("links", "meta"):
        if draw(st.booleans()):
            record[key] = draw(JSON)


@st.composite
def flat_record(draw: st.DrawFn, schema: Schema, drift: bool) -> tuple[Any, dict[str, Any]]:
    """A bare record (Hitask, Glasshat style) and the declared values it should yield."""
    record: dict[str, Any] = draw(EXTRAS[drift])
    expected: dict[str, Any] = {}
    for f in schema.fields:
        value, want = draw(field_value(f, drift))
        record.pop(f.source[0], None)
        if value is not MISSING:
            record[f.source[0]] = value
        expected[f.name] = want
    return record, expected


def dumps(value: Any, *, pretty: bool, ascii_only: bool) -> bytes:
    """JSON text as an API might lay it out (stdlib: it writes integers of any size)."""
    return json.dumps(
        value, indent=2 if pretty else None, separators=None if pretty else (",", ":"), ensure_ascii=ascii_only
    ).encode()
