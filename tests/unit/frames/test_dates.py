"""Dates: arguments and JSON values read as UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.frames.dates import as_utc, date_from_json, datetime_from_json, utc_timestamp


def test_as_utc__naive_is_utc_and_aware_is_converted() -> None:
    assert as_utc(pd.Timestamp("2026-01-02 03:00")) == pd.Timestamp("2026-01-02 03:00", tz="UTC")
    assert str(as_utc(pd.Timestamp("2026-01-02 03:00", tz="Asia/Tokyo")).tz) == "UTC"


def test_utc_timestamp__names_the_argument_when_it_is_not_a_date() -> None:
    with pytest.raises(InvalidArgumentError, match="end=.*YYYY-MM-DD"):
        utc_timestamp("soon", name="end")
    with pytest.raises(InvalidArgumentError, match="end is missing"):
        utc_timestamp(pd.NaT, name="end")


def test_datetime_from_json__numbers_are_epoch_milliseconds() -> None:
    assert datetime_from_json(86_400_000) == datetime(1970, 1, 2, tzinfo=UTC)
    assert datetime_from_json(1.5) == datetime(1970, 1, 1, 0, 0, 0, 1500, tzinfo=UTC)


@pytest.mark.parametrize("value", [None, True, [], {}, "", "NaT", "now", "today"])
def test_datetime_from_json__values_that_give_no_moment_are_none(value: object) -> None:
    assert datetime_from_json(value) is None


def test_date_from_json__the_date_an_iso_text_starts_with() -> None:
    assert date_from_json("2026-03-04") == date(2026, 3, 4)
    assert date_from_json(None) is None
    with pytest.raises(ValueError):
        date_from_json("March 4")
