"""IT Glue loaders against the running emulator: every row, the documented columns, joins, windows, walks."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest

import apitoolkit
from apitoolkit.emulator import EmulatorServer
from apitoolkit.emulator.itglue import ITGlueAccount
from apitoolkit.itglue import (
    ITGlueClient,
    load_expirations,
    load_logs,
    load_organizations,
    load_resource,
    load_user_metrics,
    load_users,
)
from apitoolkit.itglue import loaders as itglue_loaders
from apitoolkit.loading import load_source
from tests.helpers import FAST_RETRY


def account(emulator: EmulatorServer) -> ITGlueAccount:
    backend = emulator.app.itglue
    return backend.accounts[backend.api_key]


def attr(record: dict[str, Any], name: str) -> Any:
    return record["attributes"].get(name)


def test_load_users__every_user_with_reputation(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    users = load_users(client=itglue)
    records = list(account(emulator).users)
    assert sorted(users["id"]) == sorted(int(r["id"]) for r in records)
    expected = {int(r["id"]): attr(r, "reputation") for r in records}
    assert users.set_index("id")["reputation"].to_dict() == expected
    assert str(users["current_sign_in_at"].dtype) == "datetime64[us, UTC]"
    assert str(users["my_glue"].dtype) == "boolean"
    assert users["first_name"].notna().all()


def test_load_users__filters_are_sent_and_applied(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    role = attr(account(emulator).users[0], "role-name")
    editors = load_users(client=itglue, role_name=role)
    assert len(editors) and (editors["role_name"] == role).all()
    assert any(r.query.get("filter[role_name]") == [role] for r in emulator.app.stats.requests)


def test_load_users__unknown_filter_fails_before_any_request(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    with pytest.raises(apitoolkit.InvalidArgumentError, match="role_name"):
        load_users(client=itglue, rolename="Editor")
    assert emulator.app.stats.snapshot()["total"] == 0


def test_load_users__second_call_is_cached(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    first = load_users(client=itglue)
    sent = emulator.app.stats.snapshot()["total"]
    second = load_users(client=itglue)
    assert emulator.app.stats.snapshot()["total"] == sent
    assert load_source(second) == "frame-cache" and second.equals(first)


def test_load_organizations__ids_join_users_and_expirations(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    orgs = load_organizations(client=itglue)
    exp = load_expirations(client=itglue)
    assert len(orgs) == len(account(emulator).organizations)
    assert orgs["id"].dtype == exp["organization_id"].dtype == "Int64"
    joined = exp.merge(orgs, left_on="organization_id", right_on="id", suffixes=("", "_org"))
    assert len(joined) == exp["organization_id"].notna().sum()


def test_load_user_metrics__long_range_split_into_weeks_without_gaps_or_duplicates(
    itglue: ITGlueClient, emulator: EmulatorServer
) -> None:
    end = emulator.app.itglue.now.date() if hasattr(emulator.app.itglue, "now") else datetime.now(UTC).date()
    start = end - timedelta(days=59)
    metrics = load_user_metrics(start, end, client=itglue)
    expected = [r for r in account(emulator).user_metrics if start.isoformat() <= attr(r, "date") <= end.isoformat()]
    assert len(expected) > 0
    assert metrics["id"].is_unique
    assert sorted(metrics["id"]) == sorted(int(r["id"]) for r in expected)
    assert str(metrics["date"].dtype) == "date32[day][pyarrow]"
    windows = [r.query["filter[date]"][0] for r in emulator.app.stats.requests if r.path.endswith("user_metrics")]
    for window in windows:
        lo, hi = (datetime.fromisoformat(x).date() for x in window.split(","))
        assert (hi - lo).days <= 6
    assert len(windows) >= 9


def test_load_user_metrics__filters(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    uid = int(attr(account(emulator).user_metrics[0], "user-id"))
    metrics = load_user_metrics(datetime.now(UTC) - timedelta(days=59), datetime.now(UTC), user_id=uid, client=itglue)
    assert len(metrics) and (metrics["user_id"] == uid).all()


@pytest.mark.parametrize(
    "start",
    [
        "2026-01-01",
        datetime(2026, 1, 1),
        datetime(2026, 1, 1, tzinfo=UTC),
        pd.Timestamp("2026-01-01"),
        pd.Timestamp("2026-01-01 01:00", tz="Europe/Paris"),
    ],
)
def test_load_user_metrics__date_like_arguments_agree(
    itglue: ITGlueClient, emulator: EmulatorServer, start: Any
) -> None:
    end = pd.Timestamp("2026-01-20")
    frame = load_user_metrics(start, end, client=itglue)
    reference = load_user_metrics("2026-01-01", "2026-01-20", client=itglue)
    assert frame["id"].tolist() == reference["id"].tolist()


def test_load_user_metrics__start_after_end(itglue: ITGlueClient) -> None:
    with pytest.raises(apitoolkit.InvalidArgumentError, match="after end"):
        load_user_metrics("2026-11-10", "2026-11-01", client=itglue)
    with pytest.raises(apitoolkit.InvalidArgumentError, match="not a date"):
        load_user_metrics("last tuesday", client=itglue)


def test_load_logs__every_row_in_30_days(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    logs = load_logs(client=itglue)
    expected = {int(r["id"]) for r in account(emulator).logs}
    assert set(logs["id"]) == expected and len(logs) == len(expected)
    assert logs["created_at"].is_monotonic_increasing
    assert str(logs["id"].dtype) == "Int64" and logs["id"].max() > 2**53


def test_load_logs__walks_past_the_five_page_cap(
    itglue: ITGlueClient, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = list(account(emulator).logs)
    per_second = pd.Series([attr(r, "created-at") for r in records]).value_counts()
    page_size = int(per_second.max()) // 5 + 1  # the cap (5 pages) must exceed the largest burst
    monkeypatch.setattr(itglue_loaders, "PAGE_SIZE", page_size)
    logs = load_logs(client=itglue)
    assert sorted(logs["id"]) == sorted(int(r["id"]) for r in records)
    requests = [r for r in emulator.app.stats.requests if r.path.endswith("logs")]
    assert max(int(r.query["page[number]"][0]) for r in requests) == 5
    assert all(r.query["sort"] == ["created_at"] for r in requests)
    assert all(r.status == 200 for r in requests)


def test_load_logs__burst_larger_than_the_cap_is_a_clear_error(
    itglue: ITGlueClient, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    per_second = pd.Series([attr(r, "created-at") for r in account(emulator).logs]).value_counts()
    assert per_second.max() >= 10, "the emulator should produce bursts sharing one timestamp"
    monkeypatch.setattr(itglue_loaders, "PAGE_SIZE", 1)
    with pytest.raises(apitoolkit.ApiToolkitError, match="share the timestamp"):
        load_logs(client=itglue)


def test_load_logs__range_is_inclusive_and_clipped(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    stamps = sorted(attr(r, "created-at") for r in account(emulator).logs)
    lo, hi = stamps[len(stamps) // 4], stamps[len(stamps) // 2]
    logs = load_logs(lo, hi, client=itglue)
    assert len(logs) == sum(lo <= s <= hi for s in stamps)


def test_load_logs__older_than_retention_warns(itglue: ITGlueClient) -> None:
    with pytest.warns(UserWarning, match="30 days"):
        load_logs(datetime.now(UTC) - timedelta(days=60), datetime.now(UTC) - timedelta(days=59), client=itglue)


def test_load_expirations__days_until_against_given_now(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    now = pd.Timestamp("2026-06-15 13:00", tz="UTC")
    exp = load_expirations(client=itglue, now=now)
    assert len(exp) == len(account(emulator).expirations)
    row = exp.iloc[0]
    assert row["days_until"] == (row["expiration_date"].floor("D") - now.floor("D")).days
    assert (exp["days_until"] < 0).any() and (exp["days_until"] > 0).any()


def test_load_expirations__range_resource_type_and_organization(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    everything = load_expirations(client=itglue)
    lo, hi = everything["expiration_date"].quantile([0.25, 0.75])
    ranged = load_expirations(client=itglue, start=lo, end=hi)
    assert (
        len(ranged)
        == (
            (everything["expiration_date"].dt.floor("D") >= lo.floor("D"))
            & (everything["expiration_date"].dt.floor("D") <= hi.floor("D"))
        ).sum()
    )
    kind = everything["resource_type_name"].dropna().iloc[0]
    assert (load_expirations(client=itglue, resource_type=kind)["resource_type_name"] == kind).all()
    org = int(everything["organization_id"].dropna().iloc[0])
    mine = load_expirations(client=itglue, organization_id=org)
    assert len(mine) == (everything["organization_id"] == org).sum()
    assert any(
        r.path == "/expirations" and r.query.get("filter[organization_id]") == [str(org)]
        for r in emulator.app.stats.requests
    )
    assert not any("relationships" in r.path for r in emulator.app.stats.requests)  # nested routes ignore filters


def test_load_expirations__unknown_organization_is_not_found(itglue: ITGlueClient) -> None:
    with pytest.raises(apitoolkit.ApiError) as info:
        load_expirations(client=itglue, organization_id=987654321)
    assert info.value.status == 404


def test_load_resource__routes_and_names(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    org = int(attr(account(emulator).expirations[0], "organization-id"))
    frame = load_resource(
        "organizations/:organization_id/relationships/expirations", organization_id=org, client=itglue
    )
    assert len(frame) and str(frame["expiration_date"].dtype) == "datetime64[us, UTC]"
    with pytest.raises(apitoolkit.InvalidArgumentError, match="configurations"):
        load_resource("configuratons", client=itglue)
    with pytest.raises(apitoolkit.InvalidArgumentError, match="organization_id"):
        load_resource("organizations/:organization_id/relationships/contacts", client=itglue)


def test_loaders__empty_account_gives_typed_empty_frames(emulator: EmulatorServer) -> None:
    emulator.app.itglue.add_account("itg-empty-key-0000000000", seed=7, organizations=0, users=0, logs=0, expirations=0)
    client = ITGlueClient(api_key="itg-empty-key-0000000000", base_url=emulator.base_url("itglue"), retry=FAST_RETRY)
    full = ITGlueClient(api_key=emulator.environ()["ITGLUE_API_KEY"], base_url=emulator.base_url("itglue"))
    for loader in (
        load_users,
        load_organizations,
        load_expirations,
        lambda client: load_logs(client=client),
        lambda client: load_user_metrics(client=client),
    ):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            empty = loader(client=client)
        reference = loader(client=full)
        assert empty.empty
        assert list(empty.columns) == list(reference.columns)
        assert empty.dtypes.astype(str).tolist() == reference.dtypes.astype(str).tolist()


def test_loaders__default_client_from_environment(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in emulator.environ().items():
        monkeypatch.setenv(name, value)
    assert len(apitoolkit.load_users()) == len(account(emulator).users)


def test_loaders__missing_key_names_the_variable(emulator: EmulatorServer) -> None:
    with pytest.raises(apitoolkit.ConfigurationError, match="ITGLUE_API_KEY"):
        apitoolkit.load_users()


def test_loaders__api_down_serves_the_expired_copy_and_says_so(emulator: EmulatorServer) -> None:
    env = emulator.environ()
    client = ITGlueClient(
        api_key=env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY, expire_after=0.01
    )
    fresh = load_users(client=client)
    emulator.app.faults.add("server_error", rate=1.0, service="itglue", status=503)
    __import__("time").sleep(0.05)
    with pytest.warns(apitoolkit.StaleDataWarning, match=r"users: itglue could not be reached .* stored at 20"):
        stale = load_users(client=client)
    assert load_source(stale) == "stale-cache"
    pd.testing.assert_frame_equal(stale, fresh)
    with pytest.raises(apitoolkit.ApiError):  # asked for fresh data: no stale copy instead
        load_users(client=client, refresh=True)
    emulator.app.faults.clear()
    assert load_source(load_users(client=client)) == "network"
