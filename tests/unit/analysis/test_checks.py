"""The checks every analysis function shares: columns, zones, the reference time, calendar periods."""

from __future__ import annotations

import pandas as pd
import pytest

from apitoolkit.analysis.checks import period_start, reference_time, require, to_utc, zone
from apitoolkit.exceptions import InvalidArgumentError


def test_require__names_the_columns_and_the_loader() -> None:
    with pytest.raises(ValueError, match=r"needs the columns id, reputation; missing: reputation\. .*load_users"):
        require(pd.DataFrame({"id": [1]}), ["id", "reputation"], what="f", loader="apitoolkit.itglue.load_users()")
    with pytest.raises(InvalidArgumentError, match="not list"):
        require([1], ["id"], what="f", loader="load_users()")


def test_to_utc__naive_aware_mixed_strings_and_missing() -> None:
    naive = pd.Series(pd.to_datetime(["2026-01-01 10:00"]))
    berlin = pd.Series(pd.to_datetime(["2026-07-01 12:00"]).tz_localize("Europe/Berlin"))
    mixed = pd.Series(["2026-01-01T12:00:00+02:00", "2026-01-01 10:00", None, "garbage"])
    assert to_utc(naive).tolist() == [pd.Timestamp("2026-01-01 10:00", tz="UTC")]
    assert to_utc(berlin).tolist() == [pd.Timestamp("2026-07-01 10:00", tz="UTC")]
    out = to_utc(mixed)
    assert str(out.dtype) == "datetime64[us, UTC]"
    assert out.iloc[:2].tolist() == [pd.Timestamp("2026-01-01 10:00", tz="UTC")] * 2
    assert out.iloc[2:].isna().all()
    assert str(to_utc(pd.Series([None, None])).dtype) == "datetime64[us, UTC]"


def test_zone_and_reference_time() -> None:
    assert zone("Asia/Kolkata") == "Asia/Kolkata"
    with pytest.raises(InvalidArgumentError, match="IANA"):
        zone("Mars/Olympus")
    assert reference_time("2026-11-23 09:00+01:00") == pd.Timestamp("2026-11-23 08:00", tz="UTC")
    assert abs(reference_time() - pd.Timestamp.now(tz="UTC")) < pd.Timedelta(minutes=1)


def test_period_start__calendar_days_weeks_months_in_a_zone_across_dst() -> None:
    times = pd.Series(pd.to_datetime(["2026-03-31 12:00", "2026-03-29 23:30", "2026-10-25 23:30"], utc=True))
    assert period_start(times, "month", tz="Europe/Berlin").tolist() == [
        pd.Timestamp("2026-03-01", tz="Europe/Berlin"),  # across the spring change: still the 1st at midnight
        pd.Timestamp("2026-03-01", tz="Europe/Berlin"),
        pd.Timestamp("2026-10-01", tz="Europe/Berlin"),
    ]
    assert period_start(times, "week", tz="Europe/Berlin").tolist() == [
        pd.Timestamp("2026-03-30", tz="Europe/Berlin"),
        pd.Timestamp("2026-03-30", tz="Europe/Berlin"),  # 23:30 UTC on Sunday is Monday 01:30 in Berlin
        pd.Timestamp("2026-10-26", tz="Europe/Berlin"),  # 00:30 on Monday, after the autumn change
    ]
    assert period_start(times, "day").iloc[1] == pd.Timestamp("2026-03-29", tz="UTC")
    with pytest.raises(InvalidArgumentError, match="day, week, month"):
        period_start(times, "fortnight")
