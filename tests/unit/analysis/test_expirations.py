"""Expiration urgency: days until expiry, buckets, counts per group, the next ones to act on."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apitoolkit.analysis import (
    BUCKET_BOUNDS,
    ActOn,
    expiration_buckets,
    expiration_counts,
    expirations_to_act_on,
    next_expirations,
)
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.itglue.loaders import add_days_until

NOW = "2026-11-23 18:00"  # a Monday evening, UTC
LOADER = r"apitoolkit\.itglue\.load_expirations\(\)"


def expirations(
    dates: Sequence[str | None],
    orgs: Sequence[str | None] | None = None,
    types: Sequence[str | None] | None = None,
) -> pd.DataFrame:
    """A frame with the dtypes ``load_expirations`` produces (``days_until`` deliberately stale)."""
    n = len(dates)
    return pd.DataFrame(
        {
            "id": pd.array(range(1, n + 1), dtype="Int64"),
            "organization_id": pd.array([7] * n, dtype="Int64"),
            "organization_name": pd.Series(orgs if orgs is not None else ["Acme"] * n, dtype="str"),
            "description": pd.Series(["Domain expiration"] * n, dtype="str"),
            "expiration_date": pd.Series(
                pd.to_datetime(list(dates), utc=True, format="ISO8601"), dtype="datetime64[us, UTC]"
            ),
            "resource_type_name": pd.Series(types if types is not None else ["Domain"] * n, dtype="str"),
            "resource_name": pd.Series([f"r{i}" for i in range(1, n + 1)], dtype="str"),
            "days_until": pd.array([999] * n, dtype="Int64"),
        }
    )


# --------------------------------------------------------------------------------------------- expiration_buckets
def test_expiration_buckets__days_and_default_buckets_at_every_edge() -> None:
    dates = ["2026-11-22", "2026-11-23", "2026-12-23", "2026-12-24", "2027-01-22", "2027-01-23", "2027-02-21"]
    out = expiration_buckets(expirations([*dates, "2027-02-22 23:59"]), now=NOW)
    assert out["days_until"].tolist() == [-1, 0, 30, 31, 60, 61, 90, 91]
    assert out["bucket"].astype(str).tolist() == [
        "expired", "0-30", "0-30", "31-60", "31-60", "61-90", "61-90", "over 90",
    ]  # fmt: skip
    assert out["bucket"].cat.ordered
    assert out["bucket"].cat.categories.tolist() == ["expired", "0-30", "31-60", "61-90", "over 90"]
    assert str(out["days_until"].dtype) == "Int64"
    assert BUCKET_BOUNDS == (30, 60, 90)


def test_expiration_buckets__labels_follow_the_bounds() -> None:
    out = expiration_buckets(expirations(["2026-11-30", "2026-12-01", "2026-12-23", "2026-12-24"]), NOW, bounds=(7, 30))
    assert out["bucket"].cat.categories.tolist() == ["expired", "0-7", "8-30", "over 30"]
    assert out["bucket"].astype(str).tolist() == ["0-7", "8-30", "8-30", "over 30"]


@pytest.mark.parametrize("bounds", [(), (30, 30), (60, 30), (0, 30), (-5,), (7.5,), "30", (True, 2), None])
def test_expiration_buckets__rejects_bounds_that_are_not_increasing_positive_days(bounds: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"bounds=.*(increas|positive)"):
        expiration_buckets(expirations(["2026-12-01"]), NOW, bounds=bounds)  # type: ignore[arg-type]


def test_expiration_buckets__agrees_with_the_loader_rule() -> None:
    dates = ["2026-11-23 00:00", "2026-11-23 23:59", "2026-11-24 00:00", "2026-11-22 23:59", "2027-06-01 12:00"]
    frame = expirations(dates)
    for now in ["2026-11-23 00:00", "2026-11-23 17:30", "2026-11-23 23:59:59"]:
        assert (
            expiration_buckets(frame, now)["days_until"].tolist()
            == add_days_until(frame, now=now)["days_until"].tolist()
        )
    assert expiration_buckets(frame, "2026-11-23 17:30")["days_until"].tolist() == [0, 0, 1, -1, 190]


def test_expiration_buckets__counts_calendar_days_in_tz_across_dst() -> None:
    frame = expirations(["2026-12-01 23:30", "2026-03-29 22:00"])  # Berlin: Dec 2 00:30, Mar 30 00:00 (CEST)
    assert expiration_buckets(frame, "2026-11-30 12:00")["days_until"].tolist() == [1, -246]
    assert expiration_buckets(frame, "2026-11-30 12:00", tz="Europe/Berlin")["days_until"].tolist() == [2, -245]
    assert expiration_buckets(frame, "2026-11-30 12:00", tz="America/New_York")["days_until"].tolist() == [1, -246]
    # From Berlin's Saturday noon before the spring change to Monday 00:00: 2 calendar days, though only 35 hours.
    assert expiration_buckets(frame, "2026-03-28 11:00", tz="Europe/Berlin")["days_until"].tolist()[1] == 2
    assert expiration_buckets(frame, "2026-03-28 11:00")["days_until"].tolist()[1] == 1


def test_expiration_buckets__mixed_zones_and_strings_become_utc() -> None:
    frame = pd.DataFrame(
        {
            "expiration_date": [
                "2026-12-01T00:30:00+02:00",  # Nov 30, 22:30 UTC
                "2026-12-01 10:00",  # naive: UTC
                pd.Timestamp("2026-11-30 20:00", tz="America/New_York"),  # Dec 1, 01:00 UTC
            ]
        }
    )
    out = expiration_buckets(frame, now=NOW)
    assert str(out["expiration_date"].dtype) == "datetime64[us, UTC]"
    assert out["expiration_date"].tolist()[0] == pd.Timestamp("2026-11-30 22:30", tz="UTC")
    assert out["days_until"].tolist() == [7, 8, 8]


def test_expiration_buckets__all_missing_dates_give_missing_days_and_buckets() -> None:
    out = expiration_buckets(expirations([None, None]), now=NOW)
    assert out["days_until"].isna().all() and str(out["days_until"].dtype) == "Int64"
    assert out["bucket"].isna().all() and out["bucket"].cat.categories.tolist()[0] == "expired"


def test_expiration_buckets__empty_frame_keeps_columns_and_dtypes() -> None:
    out = expiration_buckets(expirations([]), now=NOW)
    assert out.empty
    assert out.columns.tolist() == [
        "id", "organization_id", "organization_name", "description", "expiration_date", "resource_type_name",
        "resource_name", "days_until", "bucket",
    ]  # fmt: skip
    assert str(out["days_until"].dtype) == "Int64"
    assert out["bucket"].cat.categories.tolist() == ["expired", "0-30", "31-60", "61-90", "over 90"]
    bare = expiration_buckets(pd.DataFrame({"expiration_date": []}), now=NOW)
    assert bare.columns.tolist() == ["expiration_date", "days_until", "bucket"]
    assert str(bare["expiration_date"].dtype) == "datetime64[us, UTC]"


def test_expiration_buckets__single_row_and_input_left_unchanged() -> None:
    frame = expirations(["2026-12-01"])
    out = expiration_buckets(frame, now=NOW)
    assert out[["days_until", "bucket"]].astype(str).values.tolist() == [["8", "0-30"]]
    assert frame["days_until"].tolist() == [999]
    assert "bucket" not in frame.columns


def test_expiration_buckets__now_defaults_to_the_current_time() -> None:
    today = pd.Timestamp.now(tz="UTC").normalize()
    out = expiration_buckets(pd.DataFrame({"expiration_date": [today + pd.Timedelta(days=3)]}))
    assert out["days_until"].tolist() == [3]


def test_expiration_buckets__bad_inputs_name_what_is_needed() -> None:
    with pytest.raises(ValueError, match=rf"expiration_buckets needs the columns expiration_date.*{LOADER}"):
        expiration_buckets(pd.DataFrame({"id": [1]}), now=NOW)
    with pytest.raises(InvalidArgumentError, match="not list"):
        expiration_buckets([{"expiration_date": "2026-12-01"}], now=NOW)
    with pytest.raises(InvalidArgumentError, match="IANA"):
        expiration_buckets(expirations(["2026-12-01"]), now=NOW, tz="Mars/Olympus")
    with pytest.raises(InvalidArgumentError, match="now="):
        expiration_buckets(expirations(["2026-12-01"]), now="soon")


# --------------------------------------------------------------------------------------------- expiration_counts
def test_expiration_counts__every_bucket_for_every_group_zeros_included() -> None:
    frame = expirations(
        ["2026-11-01", "2026-11-30", "2026-12-10", "2027-06-01", "2026-12-01", None],
        orgs=["Beta", "Acme", "Acme", "Acme", "Beta", "Gamma"],
    )
    out = expiration_counts(frame, now=NOW)
    assert out.columns.tolist() == ["organization_name", "bucket", "count"]
    assert list(out.itertuples(index=False, name=None)) == [
        ("Acme", "expired", 0), ("Acme", "0-30", 2), ("Acme", "31-60", 0), ("Acme", "61-90", 0), ("Acme", "over 90", 1),
        ("Beta", "expired", 1), ("Beta", "0-30", 1), ("Beta", "31-60", 0), ("Beta", "61-90", 0), ("Beta", "over 90", 0),
        ("Gamma", "expired", 0), ("Gamma", "0-30", 0), ("Gamma", "31-60", 0), ("Gamma", "61-90", 0),
        ("Gamma", "over 90", 0),
    ]  # fmt: skip
    assert [str(t) for t in out.dtypes] == ["str", "category", "Int64"]
    assert out["bucket"].cat.ordered


def test_expiration_counts__several_columns_keep_only_observed_groups() -> None:
    frame = expirations(
        ["2026-11-30", "2026-12-30", "2026-11-20"], orgs=["Acme", "Beta", "Acme"], types=["Domain", "SSL", "SSL"]
    )
    out = expiration_counts(frame, now=NOW, by=["organization_name", "resource_type_name"], bounds=(30,))
    assert list(out.itertuples(index=False, name=None)) == [
        ("Acme", "Domain", "expired", 0), ("Acme", "Domain", "0-30", 1), ("Acme", "Domain", "over 30", 0),
        ("Acme", "SSL", "expired", 1), ("Acme", "SSL", "0-30", 0), ("Acme", "SSL", "over 30", 0),
        ("Beta", "SSL", "expired", 0), ("Beta", "SSL", "0-30", 0), ("Beta", "SSL", "over 30", 1),
    ]  # fmt: skip


def test_expiration_counts__missing_group_keys_form_their_own_group_last() -> None:
    frame = expirations(["2026-11-30", "2026-11-30", "2026-11-01"], orgs=[None, "Acme", None])
    out = expiration_counts(frame, now=NOW, bounds=(30,))
    assert out["organization_name"].isna().tolist() == [False] * 3 + [True] * 3
    assert out["count"].tolist() == [0, 1, 0, 1, 1, 0]


def test_expiration_counts__mixed_zones_single_row_and_all_missing() -> None:
    mixed = pd.DataFrame(
        {"expiration_date": ["2026-11-22T23:30:00-05:00", "2026-12-01 00:00"], "organization_name": ["Acme", "Acme"]}
    )
    now = "2026-11-23 12:00"  # the first is 04:30 UTC today, but yesterday in New York
    assert expiration_counts(mixed, now=now)["count"].tolist() == [0, 2, 0, 0, 0]
    assert expiration_counts(mixed, now=now, tz="America/New_York")["count"].tolist() == [1, 1, 0, 0, 0]
    assert expiration_counts(expirations([None]), now=NOW)["count"].tolist() == [0] * 5


def test_expiration_counts__empty_frame_gives_the_columns_and_dtypes() -> None:
    out = expiration_counts(expirations([]), now=NOW, by=["organization_name", "organization_id"])
    assert out.empty
    assert out.columns.tolist() == ["organization_name", "organization_id", "bucket", "count"]
    assert [str(t) for t in out.dtypes] == ["str", "Int64", "category", "Int64"]


@pytest.mark.parametrize("by", ["", [], ["organization_name", "organization_name"], "bucket", ["count"], 3])
def test_expiration_counts__rejects_bad_by(by: object) -> None:
    with pytest.raises(InvalidArgumentError, match="by="):
        expiration_counts(expirations(["2026-12-01"]), now=NOW, by=by)  # type: ignore[arg-type]


def test_expiration_counts__missing_group_column_names_it_and_the_loader() -> None:
    frame = pd.DataFrame({"expiration_date": pd.to_datetime(["2026-12-01"], utc=True)})
    with pytest.raises(ValueError, match=rf"missing: organization_name\. .*{LOADER}"):
        expiration_counts(frame, now=NOW)
    with pytest.raises(InvalidArgumentError, match="not dict"):
        expiration_counts({"expiration_date": []}, now=NOW)


# --------------------------------------------------------------------------------------------- next_expirations
def test_next_expirations__soonest_first_without_lapsed_ones() -> None:
    frame = expirations(["2027-03-01", "2026-11-20", "2026-12-01", "2026-11-23", "2026-12-01 06:00", None])
    out = next_expirations(frame, 3, now=NOW)
    assert out["resource_name"].tolist() == ["r4", "r3", "r5"]
    assert out["days_until"].tolist() == [0, 8, 8]
    assert out.index.tolist() == [0, 1, 2]


def test_next_expirations__upcoming_first_then_most_recent_lapses_and_horizon() -> None:
    frame = expirations(["2027-03-01", "2026-11-20", "2026-12-01", "2026-10-01", "2026-11-23"])
    out = next_expirations(frame, 10, now=NOW, include_expired=True, horizon=8)
    assert out["days_until"].tolist() == [0, 8, -3, -53]  # what comes due is never pushed out by old lapses
    assert out["bucket"].astype(str).tolist() == ["0-30", "0-30", "expired", "expired"]
    assert next_expirations(frame, 3, now=NOW, include_expired=True)["days_until"].tolist() == [0, 8, 98]
    assert next_expirations(frame, 4, now=NOW, include_expired=True)["days_until"].tolist() == [0, 8, 98, -3]
    assert next_expirations(frame, now=NOW, horizon=0)["resource_name"].tolist() == ["r5"]


def test_next_expirations__lapsed_ties_keep_the_later_date_then_input_order() -> None:
    frame = expirations(["2026-11-20T01:00:00Z", "2026-11-20T09:00:00Z", "2026-11-20T01:00:00Z"])
    out = next_expirations(frame, now=NOW, include_expired=True)
    assert out["resource_name"].tolist() == ["r2", "r1", "r3"]


# --------------------------------------------------------------------------------------------- expirations_to_act_on
ACT_DATES = [
    "2026-12-01", "2026-11-20", "2025-06-14", "2027-03-01", "2026-11-23",
    None, "2026-10-24", "2026-10-23", "2026-12-23",
]  # fmt: skip  # days from NOW: 8, -3, -527, 98, 0, none, -30, -31, 30


def test_expirations_to_act_on__every_row_in_one_place() -> None:
    act = expirations_to_act_on(expirations(ACT_DATES), now=NOW)
    assert isinstance(act, ActOn)
    assert act.upcoming["resource_name"].tolist() == ["r5", "r1", "r9"]
    assert act.upcoming["days_until"].tolist() == [0, 8, 30]
    assert act.lapsed["resource_name"].tolist() == ["r2", "r7"]  # most recently lapsed first, -30 still listed
    assert act.lapsed["days_until"].tolist() == [-3, -30]
    assert (act.long_lapsed, act.later, act.undated) == (2, 1, 1)
    assert act.upcoming.columns.tolist()[:6] == [
        "expiration_date", "days_until", "bucket", "organization_name", "resource_type_name", "resource_name",
    ]  # fmt: skip
    assert act.lapsed.columns.tolist() == act.upcoming.columns.tolist()
    assert act.upcoming.index.tolist() == [0, 1, 2] and act.lapsed.index.tolist() == [0, 1]
    assert act.summary() == (
        "3 due in the next 30 days, 3 within 90; 2 lapsed in the last 30 days; 2 lapsed earlier (not listed); "
        "1 due later; 1 without an expiration date."
    )


def test_expirations_to_act_on__horizon_and_lookback() -> None:
    frame = expirations(ACT_DATES)
    narrow = expirations_to_act_on(frame, now=NOW, horizon=8, lookback=3)
    assert narrow.upcoming["days_until"].tolist() == [0, 8]
    assert narrow.lapsed["days_until"].tolist() == [-3]
    assert (narrow.long_lapsed, narrow.later) == (3, 2)
    assert narrow.summary().startswith("2 due in the next 8 days; 1 lapsed in the last 3 days; 3 lapsed earlier")
    today = expirations_to_act_on(frame, now=NOW, horizon=0, lookback=0)
    assert today.upcoming["resource_name"].tolist() == ["r5"] and today.lapsed.empty
    assert today.summary() == "1 due today; 4 lapsed earlier (not listed); 3 due later; 1 without an expiration date."
    wide = expirations_to_act_on(frame, now=NOW, horizon=365, lookback=1000)
    assert (wide.long_lapsed, wide.later, len(wide.lapsed)) == (0, 0, 4)
    assert wide.summary().startswith("3 due in the next 30 days, 4 within 365; 4 lapsed in the last 1000 days;")


def test_expirations_to_act_on__ties_by_date_then_organization_then_resource() -> None:
    frame = expirations(
        ["2026-12-01T10:00:00Z", "2026-12-01", "2026-12-01", "2026-12-01", "2026-11-20", "2026-11-20"],
        orgs=["Acme", "zeta", "Beta", "beta", "Zed", "acme"],
    )
    frame["resource_name"] = pd.Series(["a", "b", "y", "x", "c", "d"], dtype="str")
    act = expirations_to_act_on(frame, now=NOW)
    assert act.upcoming["resource_name"].tolist() == ["x", "y", "b", "a"]  # midnight before 10:00; org ignoring case
    assert act.lapsed["organization_name"].tolist() == ["acme", "Zed"]


def test_expirations_to_act_on__counts_days_in_tz_and_keeps_extra_columns() -> None:
    frame = expirations(["2026-11-24T02:00:00Z"]).assign(note="kept")
    assert expirations_to_act_on(frame, now=NOW).upcoming["days_until"].tolist() == [1]
    assert expirations_to_act_on(frame, now=NOW, tz="America/New_York").upcoming["days_until"].tolist() == [0]
    assert expirations_to_act_on(frame, now=NOW).upcoming["note"].tolist() == ["kept"]


def test_expirations_to_act_on__empty_and_undated_frames() -> None:
    act = expirations_to_act_on(expirations([]), now=NOW)
    assert act.upcoming.empty and act.lapsed.empty and (act.long_lapsed, act.later, act.undated) == (0, 0, 0)
    assert str(act.upcoming["days_until"].dtype) == "Int64"
    assert act.summary() == (
        "0 due in the next 30 days, 0 within 90; 0 lapsed in the last 30 days; 0 lapsed earlier (not listed)."
    )
    assert expirations_to_act_on(expirations([None, None]), now=NOW).undated == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizon": -1}, r"^horizon=-1: give a whole number of days, 0 or more"),
        ({"lookback": -5}, r"^lookback=-5: give a whole number of days, 0 or more"),
        ({"lookback": 2.5}, r"^lookback=2\.5"),
        ({"horizon": True}, r"^horizon=True"),
        ({"tz": "Mars/Base"}, "is not a time zone"),
        ({"now": "later"}, "now='later' is not a date"),
    ],
)
def test_expirations_to_act_on__rejects_bad_arguments(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        expirations_to_act_on(expirations(["2026-12-01"]), **{"now": NOW, **kwargs})  # type: ignore[arg-type]


def test_expirations_to_act_on__not_a_frame_or_missing_column() -> None:
    with pytest.raises(InvalidArgumentError, match=rf"expirations_to_act_on needs a DataFrame.*{LOADER}.*not list"):
        expirations_to_act_on([{"expiration_date": "2026-12-01"}])
    with pytest.raises(InvalidArgumentError, match=rf"missing: expiration_date\. Load the data with {LOADER}"):
        expirations_to_act_on(pd.DataFrame({"resource_name": ["x"]}))


def test_expirations_to_act_on__is_exported_and_frozen() -> None:
    import apitoolkit.analysis as analysis

    assert analysis.expirations_to_act_on is expirations_to_act_on and analysis.ActOn is ActOn
    assert {"ActOn", "expirations_to_act_on"} <= set(analysis.__all__)
    act = expirations_to_act_on(expirations(["2026-12-01"]), now=NOW)
    with pytest.raises(AttributeError):
        act.later = 5  # type: ignore[misc]


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(
    days=st.lists(st.one_of(st.none(), st.integers(-800, 800)), max_size=30),
    horizon=st.integers(0, 400),
    lookback=st.integers(0, 400),
)
def test_expirations_to_act_on__partitions_every_row(days: list[int | None], horizon: int, lookback: int) -> None:
    today = pd.Timestamp("2026-11-23")
    dates = [None if d is None else (today + pd.Timedelta(days=d)).isoformat() for d in days]
    act = expirations_to_act_on(expirations(dates), now=NOW, horizon=horizon, lookback=lookback)
    assert len(act.upcoming) + len(act.lapsed) + act.long_lapsed + act.later + act.undated == len(days)
    assert act.upcoming["days_until"].between(0, horizon).all()
    assert act.lapsed["days_until"].between(-lookback, -1).all()
    assert act.upcoming["days_until"].is_monotonic_increasing and act.lapsed["days_until"].is_monotonic_decreasing
    assert act.long_lapsed == sum(d is not None and d < -lookback for d in days)
    assert act.later == sum(d is not None and d > horizon for d in days)
    assert act.undated == days.count(None)


def test_next_expirations__puts_the_useful_columns_first() -> None:
    out = next_expirations(expirations(["2026-12-01"]), now=NOW)
    assert out.columns.tolist() == [
        "expiration_date", "days_until", "bucket", "organization_name", "resource_type_name", "resource_name",
        "id", "organization_id", "description",
    ]  # fmt: skip
    bare = next_expirations(pd.DataFrame({"note": ["x"], "expiration_date": ["2026-12-01T09:00:00-05:00"]}), now=NOW)
    assert bare.columns.tolist() == ["expiration_date", "days_until", "bucket", "note"]
    assert bare["days_until"].tolist() == [8]


def test_next_expirations__empty_all_missing_and_zero_rows() -> None:
    empty = next_expirations(expirations([]), now=NOW)
    assert empty.empty and empty.columns[:3].tolist() == ["expiration_date", "days_until", "bucket"]
    assert str(empty["days_until"].dtype) == "Int64" and str(empty["expiration_date"].dtype) == "datetime64[us, UTC]"
    assert next_expirations(expirations([None, None]), now=NOW, include_expired=True).empty
    assert next_expirations(expirations(["2026-12-01"]), 0, now=NOW).empty


@pytest.mark.parametrize(("n", "horizon"), [(-1, None), (True, None), (2.5, None), (5, -1), (5, "30")])
def test_next_expirations__rejects_negative_or_fractional_n_and_horizon(n: object, horizon: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^(n|horizon)=.*give a whole number of (rows|days), 0 or more"):
        next_expirations(expirations(["2026-12-01"]), n, now=NOW, horizon=horizon)  # type: ignore[arg-type]


def test_next_expirations__missing_column_names_it_and_the_loader() -> None:
    with pytest.raises(ValueError, match=rf"next_expirations needs the columns expiration_date.*{LOADER}"):
        next_expirations(pd.DataFrame({"resource_name": ["x"]}), now=NOW)
