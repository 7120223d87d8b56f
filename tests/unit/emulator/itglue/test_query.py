"""Every documented filter and sort of every IT Glue list endpoint, and the refusals of unknown ones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from apitoolkit.emulator.itglue import ITGlueAccount
from tests.helpers import Api, attr

Record = dict[str, Any]
SORTS = {
    "/users": ["name", "email", "reputation", "id", "created_at", "updated_at"],
    "/user_metrics": ["id", "created", "viewed", "edited", "deleted", "date"],
    "/logs": ["created_at", "id"],
    "/expirations": ["id", "organization_id", "expiration_date", "created_at", "updated_at"],
    "/organizations": [
        "name",
        "id",
        "updated_at",
        "organization_status_name",
        "organization_type_name",
        "created_at",
        "short_name",
        "my_glue_account_id",
    ],
}


def _name(record: Record) -> str:
    first, last = attr(record, "first-name"), attr(record, "last-name")
    return f"{first} {last}" if last else first


def _key(path: str, field: str) -> Callable[[Record], Any]:
    if field == "id":
        return lambda record: int(record["id"])
    if path == "/users" and field == "name":
        return _name
    name = field.replace("_", "-")

    def key(record: Record) -> Any:
        value = attr(record, name)
        if value is None:
            return -1 if name.endswith("-id") else ""
        return value

    return key


def _expected(records: list[Record], path: str, terms: list[str]) -> list[int]:
    ordered = sorted(records, key=lambda record: int(record["id"]))
    for term in reversed(terms):
        ordered = sorted(ordered, key=_key(path, term.lstrip("-")), reverse=term.startswith("-"))
    return [int(record["id"]) for record in ordered]


@pytest.mark.parametrize(("path", "field"), [(path, field) for path, fields in SORTS.items() for field in fields])
@pytest.mark.parametrize("descending", [False, True])
def test_sort__every_field_both_ways_ties_by_id(api: Api, path: str, field: str, descending: bool) -> None:
    records = api.all(path)
    term = f"-{field}" if descending else field
    assert api.ids(path, sort=term) == _expected(records, path, [term])


@pytest.mark.parametrize(
    ("path", "terms"),
    [
        ("/users", ["-reputation", "name"]),
        ("/user_metrics", ["date", "-viewed"]),
        ("/expirations", ["organization_id", "-expiration_date"]),
        ("/organizations", ["organization_type_name", "-name"]),
    ],
)
def test_sort__multiple_fields(api: Api, path: str, terms: list[str]) -> None:
    assert api.ids(path, sort=",".join(terms)) == _expected(api.all(path), path, terms)


@pytest.mark.parametrize("path", list(SORTS))
def test_sort__unknown_field_is_400(api: Api, path: str) -> None:
    response = api.get(path, sort="id,shoe_size")
    assert response.status_code == 400 and "shoe_size" in response.json["errors"][0]["detail"]


@pytest.mark.parametrize("path", list(SORTS))
def test_filter__unknown_filter_is_400(api: Api, path: str) -> None:
    response = api.get(path, **{"filter[shoe_size]": "9"})
    assert response.status_code == 400 and "filter[shoe_size]" in response.json["errors"][0]["detail"]


def test_default_order__id_ascending_except_logs_newest_first(api: Api) -> None:
    for path in ["/users", "/user_metrics", "/expirations", "/organizations"]:
        ids = api.ids(path)
        assert ids == sorted(ids)
    logs = api.all("/logs")
    assert [int(r["id"]) for r in logs] == _expected(logs, "/logs", ["-created_at"])


def attr_is(name: str, value: Any, *, equal: bool = True) -> Callable[[Record], bool]:
    """Keeps the records whose attribute ``name`` (snake_case) is ``value`` (or is not, with ``equal=False``)."""
    return lambda record: (attr(record, name.replace("_", "-")) == value) is equal


def _check(api: Api, path: str, params: dict[str, str], keep: Callable[[Record], bool]) -> list[int]:
    """The ids served for ``params`` are those of the unfiltered list (same sort) that ``keep`` keeps."""
    order = {"sort": params["sort"]} if "sort" in params else {}
    expected = [int(r["id"]) for r in api.all(path, **order) if keep(r)]
    assert api.ids(path, **params) == expected
    return expected


def test_filter__users(api: Api, account: ITGlueAccount) -> None:
    users = list(account.users)
    a, b = users[3], users[17]
    pair = {"filter[id]": f"{a['id']},{b['id']}"}
    assert len(_check(api, "/users", pair, lambda r: r["id"] in (a["id"], b["id"]))) == 2
    _check(api, "/users", {"filter[name]": _name(a)}, lambda r: _name(r) == _name(a))
    assert _check(api, "/users", {"filter[email]": attr(b, "email")}, lambda r: r["id"] == b["id"])
    assert _check(api, "/users", {"filter[role_name]": "Editor"}, lambda r: attr(r, "role-name") == "Editor")
    assert api.ids("/users", **{"filter[salesforce_id]": "12"}) == []
    assert api.get("/users", **{"filter[id]": "1,x"}).status_code == 400


def test_filter__user_metrics(api: Api, account: ITGlueAccount) -> None:
    metric = account.user_metrics[5]
    user, org = attr(metric, "user-id"), attr(metric, "organization-id")
    other = next(attr(m, "user-id") for m in account.user_metrics if attr(m, "user-id") != user)
    assert _check(
        api, "/user_metrics", {"filter[user_id]": f"{user},{other}"}, lambda r: attr(r, "user-id") in (user, other)
    )
    assert _check(
        api, "/user_metrics", {"filter[organization_id]": str(org)}, lambda r: attr(r, "organization-id") == org
    )
    assert _check(
        api,
        "/user_metrics",
        {"filter[resource_type]": "Configuration"},
        lambda r: attr(r, "resource-type") == "Configuration",
    )
    assert _check(
        api,
        "/user_metrics",
        {"filter[date]": "2025-02-10, 2025-02-16"},
        lambda r: "2025-02-10" <= attr(r, "date") <= "2025-02-16",
    )


@pytest.mark.parametrize("window", ["2025-02-10,2025-02-17", "*,2025-02-16", "2025-02-10,*", "2025-01-01,2025-03-01"])
def test_filter__user_metrics_longer_than_a_week_is_422(api: Api, window: str) -> None:
    response = api.get("/user_metrics", **{"filter[date]": window})
    assert response.status_code == 422
    assert "Date ranges longer than a week are not allowed" in response.json["errors"][0]["detail"]


def test_filter__user_metrics_datetimes_stand_for_their_day(api: Api) -> None:
    by_date = api.ids("/user_metrics", **{"filter[date]": "2025-02-10,2025-02-16"})
    assert api.ids("/user_metrics", **{"filter[date]": "2025-02-10T23:00:00Z,2025-02-16T00:00:00Z"}) == by_date


def test_filter__logs_created_at_window_is_inclusive_with_ties_by_id(api: Api, account: ITGlueAccount) -> None:
    burst, rows = Counter(attr(r, "created-at") for r in account.logs).most_common(1)[0]
    assert rows > 10
    ids = _check(
        api,
        "/logs",
        {"filter[created_at]": f"{burst},{burst}", "sort": "created_at"},
        lambda r: attr(r, "created-at") == burst,
    )
    assert len(ids) == rows and ids == sorted(ids)
    second = datetime.fromisoformat(burst)
    end = (second + timedelta(seconds=90)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    _check(
        api,
        "/logs",
        {"filter[created_at]": f"{burst},{end}", "sort": "created_at"},
        lambda r: burst <= attr(r, "created-at") <= end,
    )


@pytest.mark.parametrize(
    ("window", "low", "high"),
    [
        ("2025-02-20,2025-02-21", "2025-02-20T00:00:00.000Z", "2025-02-21T23:59:59.000Z"),
        ("2025-02-20T01:30:00+01:00,*", "2025-02-20T00:30:00.000Z", "9"),
        ("*,2025-02-03T10:00:00Z", "0", "2025-02-03T10:00:00.000Z"),
        ("2025-02-20T10:00:00,2025-02-20T11:00:00.000Z", "2025-02-20T10:00:00.000Z", "2025-02-20T11:00:00.000Z"),
    ],
)
def test_filter__logs_created_at_forms(api: Api, window: str, low: str, high: str) -> None:
    assert _check(
        api,
        "/logs",
        {"filter[created_at]": window, "sort": "created_at"},
        lambda r: low <= attr(r, "created-at") <= high,
    )


@pytest.mark.parametrize("window", ["2025-02-20", "yesterday,*", "2025-02-20,2025-02-21,2025-02-22", ","])
def test_filter__malformed_range_is_400(api: Api, window: str) -> None:
    assert api.get("/logs", **{"filter[created_at]": window}).status_code == 400


def test_logs__only_the_30_days_before_now(api: Api, account: ITGlueAccount) -> None:
    stamps = [attr(r, "created-at") for r in api.all("/logs")]
    assert len(stamps) == len(account.logs) == 3000
    assert min(stamps) >= "2025-01-30T12:00:00.000Z" and max(stamps) < "2025-03-01T12:00:00.000Z"


def test_filter__expirations(api: Api, account: ITGlueAccount) -> None:
    records = list(account.expirations)
    one = records[7]
    assert _check(
        api,
        "/expirations",
        {"filter[id]": f"{one['id']},{records[8]['id']}"},
        lambda r: r["id"] in (one["id"], records[8]["id"]),
    )
    assert _check(
        api,
        "/expirations",
        {"filter[resource_id]": str(attr(one, "resource-id"))},
        lambda r: attr(r, "resource-id") == attr(one, "resource-id"),
    )
    for name in ("resource_name", "resource_type_name", "description"):
        value = attr(one, name.replace("_", "-"))
        assert _check(api, "/expirations", {f"filter[{name}]": value}, attr_is(name, value))
    day = attr(one, "expiration-date")[:10]
    assert _check(
        api, "/expirations", {"filter[expiration_date]": day}, lambda r: attr(r, "expiration-date")[:10] == day
    )
    org = attr(one, "organization-id")
    assert _check(
        api, "/expirations", {"filter[organization_id]": str(org)}, lambda r: attr(r, "organization-id") == org
    )


@pytest.mark.parametrize(
    ("window", "low", "high"),
    [
        ("2025-01-01,2025-06-30", "2025-01-01", "2025-06-30~"),
        ("2025-03-01T00:00:00Z,*", "2025-03-01", "9"),
        ("*,2024-12-31", "0", "2024-12-31~"),
    ],
)
def test_filter__expirations_range(api: Api, window: str, low: str, high: str) -> None:
    assert _check(
        api,
        "/expirations",
        {"filter[range][expiration_date]": window},
        lambda r: low <= attr(r, "expiration-date") <= high,
    )


def test_expirations__past_and_future_across_resource_types(account: ITGlueAccount) -> None:
    dates = [date.fromisoformat(attr(r, "expiration-date")[:10]) for r in account.expirations]
    assert min(dates) < date(2025, 3, 1) < max(dates)
    kinds = {attr(r, "resource-type-name") for r in account.expirations}
    assert {"Domain", "SSL Certificate", "Configuration", "Password"} <= kinds and len(kinds) >= 6
    assert all(attr(r, "expiration-date").endswith("T00:00:00.000Z") for r in account.expirations)


def test_filter__organizations(api: Api, account: ITGlueAccount) -> None:
    orgs = list(account.organizations)
    one = orgs[4]
    assert _check(api, "/organizations", {"filter[id]": one["id"]}, lambda r: r["id"] == one["id"])
    assert _check(
        api, "/organizations", {"filter[name]": attr(one, "name")}, lambda r: attr(r, "name") == attr(one, "name")
    )
    for name in ("organization_type_id", "organization_status_id"):
        value = attr(one, name.replace("_", "-"))
        assert _check(api, "/organizations", {f"filter[{name}]": str(value)}, attr_is(name, value))
        assert _check(
            api, "/organizations", {f"filter[exclude][{name}]": str(value)}, attr_is(name, value, equal=False)
        )
    assert _check(api, "/organizations", {"filter[exclude][id]": one["id"]}, lambda r: r["id"] != one["id"])
    assert _check(
        api,
        "/organizations",
        {"filter[exclude][name]": attr(one, "name")},
        lambda r: attr(r, "name") != attr(one, "name"),
    )
    primary = _check(api, "/organizations", {"filter[primary]": "true"}, lambda r: attr(r, "primary"))
    assert primary == [int(orgs[0]["id"])]
    assert _check(api, "/organizations", {"filter[primary]": "false"}, lambda r: not attr(r, "primary"))
    created = attr(one, "created-at")
    _check(api, "/organizations", {"filter[created_at]": f"*,{created}"}, lambda r: attr(r, "created-at") <= created)
    updated = attr(one, "updated-at")
    _check(api, "/organizations", {"filter[updated_at]": f"{updated},*"}, lambda r: attr(r, "updated-at") >= updated)
    _check(
        api,
        "/organizations",
        {"filter[range][my_glue_account_id]": "1000,*"},
        lambda r: (attr(r, "my-glue-account-id") or 0) >= 1000,
    )
    glue = next((r for r in orgs if attr(r, "my-glue-account-id") is not None), None)
    if glue is not None:
        value = attr(glue, "my-glue-account-id")
        assert _check(
            api,
            "/organizations",
            {"filter[my_glue_account_id]": str(value)},
            lambda r: attr(r, "my-glue-account-id") == value,
        )
    assert api.ids("/organizations", include="related_items") == [int(r["id"]) for r in orgs]


def test_filter__organizations_psa_and_groups_match_nothing(api: Api) -> None:
    assert api.ids("/organizations", **{"filter[psa_id]": "5", "filter[psa_integration_type]": "manage"}) == []
    assert api.ids("/organizations", **{"filter[group_id]": "5"}) == []
    assert api.get("/organizations", **{"filter[psa_id]": "5"}).status_code == 422
    response = api.get("/organizations", **{"filter[psa_integration_type]": "jira"})
    assert response.status_code == 422 and "manage" in response.json["errors"][0]["detail"]
    assert api.get("/organizations", **{"filter[primary]": "maybe"}).status_code == 400
