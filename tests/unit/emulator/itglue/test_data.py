"""Generated IT Glue data: deterministic, sized, realistic, reputation consistent with the metrics."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from datetime import UTC, datetime

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.itglue import ITGlueAccount, ITGlueBackend
from apitoolkit.emulator.itglue.data import LOG_BURST_MAX, Counts, DataGenerator
from apitoolkit.emulator.itglue.query import MAX_PAGE_SIZE
from apitoolkit.emulator.itglue.resources import LOGS
from tests.helpers import APP_NOW, attr

RESOURCES = ("organizations", "users", "user_metrics", "logs", "expirations")


def _data(app: EmulatorApp) -> dict[str, list[dict]]:
    account = app.itglue.accounts[app.itglue.api_key]
    return {name: list(getattr(account, name)) for name in RESOURCES}


def test_data__same_seed_same_data_other_seed_other_data() -> None:
    first = _data(EmulatorApp(seed=1, now=APP_NOW))
    assert first == _data(EmulatorApp(seed=1, now=APP_NOW))
    other = _data(EmulatorApp(seed=2, now=APP_NOW))
    for name in RESOURCES:
        assert other[name] != first[name], name


def test_data__reputation_is_10_created_5_edited_1_viewed_over_all_metrics(account: ITGlueAccount) -> None:
    points: dict[int, int] = defaultdict(int)
    for metric in account.user_metrics:
        points[attr(metric, "user-id")] += (
            10 * attr(metric, "created") + 5 * attr(metric, "edited") + attr(metric, "viewed")
        )
    reputations = {int(user["id"]): attr(user, "reputation") for user in account.users}
    assert reputations == {user: points.get(user, 0) for user in reputations}
    assert sum(1 for value in reputations.values() if value > 0) > 10


def test_data__small_counts(account: ITGlueAccount) -> None:
    assert (len(account.organizations), len(account.users), len(account.logs), len(account.expirations)) == (
        12,
        40,
        3000,
        300,
    )
    dates = {attr(metric, "date") for metric in account.user_metrics}
    assert min(dates) >= "2025-01-01" and max(dates) <= "2025-03-01"
    assert 0 < len(account.user_metrics) < 40 * 60


@pytest.mark.slow
def test_data__large_counts_bursts_and_generation_time() -> None:
    started = time.perf_counter()
    backend = ITGlueBackend(seed=3, size="large", now=APP_NOW)
    assert time.perf_counter() - started < 15
    tables = backend.accounts[backend.api_key].tables
    assert {key: len(table) for key, table in tables.items() if key != "user_metrics"} == {
        "organizations": 1_000,
        "users": 100_000,
        "logs": 200_000,
        "expirations": 50_000,
    }
    assert 100_000 < len(tables["user_metrics"]) < 1_000_000
    assert Counter(tables["logs"].columns["created-at"].tolist()).most_common(1)[0][1] > 1000


def test_data__a_million_logs_keep_every_burst_walkable_past_the_page_cap() -> None:
    generator = DataGenerator(1, APP_NOW)
    small = generator.generate(Counts.for_size("small", {"logs": 0}))
    logs = generator.logs(1_000_000, small["users"], small["organizations"])
    largest = Counter(logs["created-at"].tolist()).most_common(1)[0][1]
    assert LOG_BURST_MAX <= largest < (LOGS.max_page or 0) * MAX_PAGE_SIZE


def test_data__itglue_overrides_counts() -> None:
    app = EmulatorApp(seed=1, now=APP_NOW, itglue={"users": 5, "logs": 20, "metric_days": 3})
    account = app.itglue.accounts[app.itglue.api_key]
    assert (len(account.users), len(account.logs), len(account.organizations)) == (5, 20, 12)
    assert {attr(m, "date") for m in account.user_metrics} <= {"2025-02-27", "2025-02-28", "2025-03-01"}


@pytest.mark.parametrize(
    "overrides",
    [{"shoes": 3}, {"users": -1}, {"users": 1.5}, {"organizations": 0}, {"users": 0}],
)
def test_counts__invalid_are_refused(overrides: dict) -> None:
    with pytest.raises(ValueError):
        Counts.for_size("small", overrides)


def test_data__logs_look_like_the_reference(account: ITGlueAccount) -> None:
    logs = list(account.logs)
    assert set(logs[0]["attributes"]) == {
        "created-at",
        "level",
        "account-id",
        "user-id",
        "organization-id",
        "action",
        "resource-type",
        "resource-name",
        "ip-address",
        "ip-city",
        "ip-region",
        "ip-country",
        "user-agent",
    }
    ids = [int(log["id"]) for log in logs]
    assert all(2**53 < i < 2**63 for i in ids) and len(set(ids)) == len(ids)
    assert max(Counter(attr(log, "created-at") for log in logs).values()) > 10
    user_ids = {int(user["id"]) for user in account.users}
    assert {attr(log, "user-id") for log in logs} <= user_ids
    sign_ins = [log for log in logs if attr(log, "action") == "sign_in"]
    assert sign_ins and all(attr(log, "organization-id") is None for log in sign_ins)


def test_data__users_are_realistic(account: ITGlueAccount) -> None:
    users = list(account.users)
    roles = Counter(attr(user, "role-name") for user in users)
    assert set(roles) <= {"Administrator", "Manager", "Editor", "Creator", "Lite", "Read-only"} and len(roles) >= 4
    assert len({attr(user, "email") for user in users}) == len(users)
    assert all("@" in attr(user, "email") for user in users)
    app = EmulatorApp(seed=1, now=APP_NOW, itglue={"users": 2000, "logs": 0})
    many = list(app.itglue.accounts[app.itglue.api_key].users)
    names = [attr(user, "first-name") + (attr(user, "last-name") or "") for user in many]
    assert any(not name.isascii() for name in names)
    assert any(attr(user, "last-name") is None for user in many)
    assert any(attr(user, "my-glue") and attr(user, "my-glue-account-id") for user in many)
    assert any(attr(user, "current-sign-in-at") is None for user in many)


def test_data__organizations_types_statuses_parents(account: ITGlueAccount) -> None:
    app = EmulatorApp(seed=1, now=APP_NOW, itglue={"organizations": 200, "logs": 0})
    orgs = list(app.itglue.accounts[app.itglue.api_key].organizations)
    owner = orgs[0]["attributes"]
    assert (owner["organization-type-name"], owner["primary"]) == ("Owner", True)
    types = {attr(org, "organization-type-name") for org in orgs}
    assert {"Customer", "Vendor", None} <= types
    ids = {int(org["id"]) for org in orgs}
    parents = [attr(org, "parent-id") for org in orgs if attr(org, "parent-id") is not None]
    assert parents and set(parents) <= ids and all(isinstance(p, int) for p in parents)
    assert all(attr(org, "ancestor-ids").startswith("[") for org in orgs)


def test_data__dates_are_utc_with_milliseconds(account: ITGlueAccount) -> None:
    stamp = attr(account.users[0], "created-at")
    assert datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC) < APP_NOW
