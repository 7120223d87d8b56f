"""Fault plans: selection by count, seeded rate, path and service; every kind's effect on a response."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import orjson
import pytest
import requests

from apitoolkit.emulator import EmulatorApp, mock_emulator
from apitoolkit.emulator.core.faults import FaultPlan
from tests.helpers import APP_NOW, Api


def test_plan__count_hits_the_next_n_matching_requests() -> None:
    plan = FaultPlan()
    plan.add("server_error", count=2, path="^/users")
    hits = [bool(plan.select("itglue", path, changeable=True)) for path in ["/logs", "/users", "/users/3", "/users"]]
    assert hits == [False, True, True, False] and plan.describe() == []


def test_plan__rate_is_seeded_and_reproducible() -> None:
    def pattern(seed: int) -> list[bool]:
        plan = FaultPlan()
        plan.add("rate_limit", rate=0.5, seed=seed)
        return [bool(plan.select("itglue", "/users", changeable=True)) for _ in range(60)]

    assert pattern(3) == pattern(3) != pattern(4)
    assert 15 < sum(pattern(3)) < 45


def test_plan__rate_with_count_stops_after_count() -> None:
    plan = FaultPlan()
    plan.add("latency", rate=0.5, count=3, seconds=0)
    assert sum(bool(plan.select("itglue", "/users", changeable=True)) for _ in range(100)) == 3


def test_plan__service_filter_and_changeable() -> None:
    plan = FaultPlan()
    plan.add("html_error", service="hitask")
    plan.add("changing_data", count=1)
    assert plan.select("itglue", "/users/1", changeable=False) == []
    assert [i.kind for i in plan.select("itglue", "/users", changeable=True)] == ["changing_data"]


def test_plan__delays_stack_but_one_response_fault_applies() -> None:
    plan = FaultPlan()
    plan.add("latency", count=1, seconds=0.1)
    plan.add("server_error", count=1)
    plan.add("html_error", count=1)
    plan.add("slow", count=1, seconds=0.2)
    assert [i.kind for i in plan.select("itglue", "/users", changeable=True)] == ["latency", "server_error", "slow"]
    assert [i.kind for i in plan.select("itglue", "/users", changeable=True)] == ["html_error"]


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("explode", {}),
        ("latency", {}),
        ("latency", {"seconds": -1}),
        ("server_error", {"status": 404}),
        ("server_error", {"status": 500, "retry_after": 3}),
        ("truncated", {"mode": "half"}),
        ("rate_limit", {"retry_after": "soon"}),
        ("changing_data", {"records": 0}),
        ("changing_data", {"change": "update"}),
        ("html_error", {"colour": 1}),
    ],
)
def test_plan__invalid_faults_are_refused(kind: str, params: dict) -> None:
    with pytest.raises(ValueError):
        FaultPlan().add(kind, **params)


@pytest.mark.parametrize("selection", [{"rate": 1.5}, {"count": 0}])
def test_plan__invalid_selection_is_refused(selection: dict) -> None:
    with pytest.raises(ValueError):
        FaultPlan().add("latency", seconds=1, **selection)


def test_fault__rate_limit_document_and_retry_after_forms(app: EmulatorApp, api: Api) -> None:
    app.faults.add("rate_limit", count=1)
    app.faults.add("rate_limit", count=1, retry_after=2.5)
    app.faults.add("rate_limit", count=1, retry_after="http-date")
    plain, seconds, dated = api.get("/users"), api.get("/users"), api.get("/users")
    assert {plain.status_code, seconds.status_code, dated.status_code} == {429}
    assert plain.json["errors"][0]["status"] == "429" and "Retry-After" not in plain.headers
    assert seconds.headers["Retry-After"] == "3"
    assert parsedate_to_datetime(dated.headers["Retry-After"]).timestamp() > time.time()
    assert api.get("/users").status_code == 200
    assert app.stats.snapshot()["faults_injected"] == {"rate_limit": 3}


def test_fault__server_error_statuses(app: EmulatorApp, api: Api) -> None:
    app.faults.add("server_error", count=1)
    app.faults.add("server_error", count=1, status=503, retry_after=1)
    first, second = api.get("/logs"), api.get("/logs")
    assert first.status_code == 500 and first.json["errors"][0]["title"] == "Internal Server Error"
    assert second.status_code == 503 and second.headers["Retry-After"] == "1"
    assert second.headers["Content-Type"] == "application/vnd.api+json"


def test_fault__html_error_is_a_proxy_page(app: EmulatorApp, api: Api) -> None:
    app.faults.add("html_error", count=1, status=504)
    response = api.get("/users")
    assert response.status_code == 504 and response.headers["Content-Type"].startswith("text/html")
    assert b"<h1>504 Gateway Timeout</h1>" in response.get_data()


def test_fault__truncated_invalid_is_half_a_body_with_matching_length(app: EmulatorApp, api: Api) -> None:
    full = api.get("/users").get_data()
    app.faults.add("truncated", count=1, mode="invalid")
    response = api.get("/users")
    assert response.status_code == 200 and response.get_data() == full[: len(full) // 2]
    assert int(response.headers["Content-Length"]) == len(full) // 2
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.get_data())


def test_fault__truncated_short_announces_the_full_length(app: EmulatorApp, api: Api) -> None:
    full = api.get("/users").get_data()
    app.faults.add("truncated", count=1)
    response = api.get("/users")
    assert int(response.headers["Content-Length"]) == len(full) > len(response.get_data())


def test_fault__truncated_short_makes_requests_raise_in_process() -> None:
    with mock_emulator(seed=1, now=APP_NOW) as emu:
        emu.app.faults.add("truncated", count=1, mode="short")
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(f"{emu.base_url('itglue')}/users", headers={"x-api-key": emu.app.itglue.api_key})


def test_fault__latency_and_slow_delay(app: EmulatorApp, api: Api) -> None:
    app.faults.add("latency", count=1, seconds=0.1)
    app.faults.add("slow", count=1, seconds=0.15, path="logs")
    started = time.perf_counter()
    api.get("/users")
    middle = time.perf_counter()
    api.get("/logs")
    assert middle - started >= 0.1 and time.perf_counter() - middle >= 0.15


def test_fault__slow_beyond_the_read_timeout_raises_in_process() -> None:
    with mock_emulator(seed=1, now=APP_NOW) as emu:
        emu.app.faults.add("slow", count=1, seconds=5)
        started = time.perf_counter()
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(
                f"{emu.base_url('itglue')}/users", headers={"x-api-key": emu.app.itglue.api_key}, timeout=(1, 0.1)
            )
        assert time.perf_counter() - started < 1


def test_fault__never_on_auth_failures_or_rate_limited_requests(app: EmulatorApp, api: Api) -> None:
    app.faults.add("server_error")
    assert api.get("/users", key="nope").status_code == 403
    app.configure(service="itglue", rate_limit=(1, 60.0))
    assert [api.get("/users").status_code for _ in range(2)] == [500, 429]


def test_fault__changing_data_shifts_pages_so_a_reader_sees_duplicates(app: EmulatorApp, api: Api) -> None:
    first = api.ok("/users", **{"page[size]": 10})["data"]
    app.faults.add("changing_data", count=1, path="^/users$")
    second = api.ok("/users", **{"page[size]": 10, "page[number]": 2})["data"]
    assert second[:3] == first[-3:]
    assert api.ok("/users")["meta"]["total-count"] == 43
    assert [u["id"] for u in api.ok("/users", **{"page[size]": 3})["data"]] == [
        str(int(first[0]["id"]) - n) for n in (3, 2, 1)
    ]
    app.reset()
    assert api.ok("/users")["meta"]["total-count"] == 40


@pytest.mark.parametrize(
    "path",
    ["/logs", "/user_metrics", "/expirations", "/organizations"],
)
def test_fault__changing_data_on_every_list(app: EmulatorApp, api: Api, path: str) -> None:
    first = api.ok(path, **{"page[size]": 5})["data"]
    app.faults.add("changing_data", count=1, records=2)
    second = api.ok(path, **{"page[size]": 5, "page[number]": 2})["data"]
    assert second[:2] == first[-2:]


def test_fault__changing_data_delete_shifts_pages_so_a_reader_misses_records(app: EmulatorApp, api: Api) -> None:
    everyone = api.ok("/users", **{"page[size]": 30})["data"]
    app.faults.add("changing_data", count=1, path="^/users$", change="delete")
    second = api.ok("/users", **{"page[size]": 10, "page[number]": 2})["data"]
    assert second == everyone[13:23]  # the three records that sorted first are gone: 10..12 are never served
    assert api.ok("/users")["meta"]["total-count"] == 37
    app.reset()
    assert api.ok("/users")["meta"]["total-count"] == 40


@pytest.mark.parametrize(
    "path",
    ["/logs", "/user_metrics", "/expirations", "/organizations"],
)
def test_fault__changing_data_delete_on_every_list(app: EmulatorApp, api: Api, path: str) -> None:
    before = api.ok(path, **{"page[size]": 10})
    app.faults.add("changing_data", count=1, records=2, change="delete")
    after = api.ok(path, **{"page[size]": 10})
    assert after["data"][:8] == before["data"][2:]
    assert after["meta"]["total-count"] == before["meta"]["total-count"] - 2


def test_fault__changing_data_in_an_organization_route(app: EmulatorApp, api: Api) -> None:
    organization = api.ok("/expirations")["data"][0]["attributes"]["organization-id"]
    path = f"/organizations/{organization}/relationships/expirations"
    before = api.ok(path)["meta"]["total-count"]
    app.faults.add("changing_data", count=1, records=4)
    assert api.ok(path)["meta"]["total-count"] == before + 4
    app.faults.add("changing_data", count=1, records=1, change="delete")
    assert api.ok(path)["meta"]["total-count"] == before + 3
    assert api.ok("/expirations")["meta"]["total-count"] == 300 + 3
