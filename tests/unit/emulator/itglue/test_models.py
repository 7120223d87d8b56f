"""IT Glue accounts: isolation by key, empty accounts, reset, and inserted records."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.itglue import ITGlueAccount
from apitoolkit.emulator.itglue.resources import EXPIRATIONS, LOGS, USER_METRICS, USERS
from tests.helpers import Api, attr


def test_add_account__own_data_behind_its_own_key(app: EmulatorApp, api: Api) -> None:
    other = app.itglue.add_account("itg-second-key", seed=7)
    mine = api.all("/users")
    theirs = api.all("/users", key="itg-second-key")
    assert theirs == list(other.users) and theirs != mine
    assert len(theirs) == len(mine) == 40


def test_add_account__all_zero_counts_is_empty(app: EmulatorApp, api: Api) -> None:
    app.itglue.add_account("itg-empty", organizations=0, users=0, metric_days=0, logs=0, expirations=0)
    for path in ["/users", "/user_metrics", "/logs", "/expirations", "/organizations"]:
        document = api.get(path, key="itg-empty").json
        assert document["data"] == [] and document["meta"]["total-count"] == 0
        assert document["meta"]["total-pages"] == 0 and document["meta"]["next-page"] is None


def test_add_account__refuses_taken_key_and_unknown_counts(app: EmulatorApp) -> None:
    with pytest.raises(ValueError, match="already exists"):
        app.itglue.add_account(app.itglue.api_key)
    with pytest.raises(ValueError, match="shoes"):
        app.itglue.add_account("itg-other", shoes=3)


def test_reset__removes_added_accounts_and_inserted_records(app: EmulatorApp, api: Api, account: ITGlueAccount) -> None:
    app.itglue.add_account("itg-second-key", seed=7)
    before = list(account.users)
    account.insert(USERS, 4)
    assert len(account.users) == 44
    app.reset()
    assert list(account.users) == before
    assert api.get("/users", key="itg-second-key").status_code == 403


def test_insert__users_sort_first_with_lower_ids(account: ITGlueAccount) -> None:
    first = int(account.users[0]["id"])
    account.insert(USERS, 3)
    ids = [int(user["id"]) for user in account.users[:4]]
    assert ids == [first - 3, first - 2, first - 1, first]
    assert all(attr(user, "reputation") == 0 for user in account.users[:3])


def test_insert__logs_are_newest_at_now(account: ITGlueAccount) -> None:
    newest = int(account.logs[0]["id"])
    account.insert(LOGS, 2)
    added = account.logs[:2]
    assert all(attr(log, "created-at") == "2025-03-01T12:00:00.000Z" for log in added)
    assert all(int(log["id"]) > newest for log in added)


def test_insert__metrics_keep_reputation_consistent(account: ITGlueAccount) -> None:
    account.insert(USER_METRICS, 20)
    points: dict[int, int] = {}
    for metric in account.user_metrics:
        user = attr(metric, "user-id")
        points[user] = (
            points.get(user, 0) + 10 * attr(metric, "created") + 5 * attr(metric, "edited") + attr(metric, "viewed")
        )
    assert {int(u["id"]): attr(u, "reputation") for u in account.users} == {
        int(u["id"]): points.get(int(u["id"]), 0) for u in account.users
    }


def test_insert__expirations_into_one_organization(account: ITGlueAccount) -> None:
    organization = attr(account.organizations[3], "name"), int(account.organizations[3]["id"])
    account.insert(EXPIRATIONS, 2, organization_id=organization[1])
    added = account.expirations[:2]
    assert all((attr(e, "organization-name"), attr(e, "organization-id")) == organization for e in added)
