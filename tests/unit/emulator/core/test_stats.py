"""Stats: counts, in-flight maximum, sliding-window maximum and the recorded request log (no credentials)."""

from __future__ import annotations

import threading
from typing import Any

import orjson
import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.core.stats import RecordedRequest, Stats
from apitoolkit.emulator.itglue.service import ITGlueService
from tests.helpers import Api, JsonClient


def test_stats__counts_by_status_path_and_service(app: EmulatorApp, api: Api) -> None:
    page_9: dict[str, Any] = {"page[number]": 9}
    api.get("/users"), api.get("/users"), api.get("/logs", **page_9), api.get("/users", key="bad")
    snapshot = app.stats.snapshot()
    assert snapshot["total"] == 4 and snapshot["by_service"] == {"itglue": 4}
    assert snapshot["by_status"] == {200: 2, 422: 1, 403: 1}
    assert snapshot["by_path"] == {"/itglue/users": 3, "/itglue/logs": 1}
    assert snapshot["in_flight"] == 0 and snapshot["max_in_flight"] == 1 and snapshot["faults_injected"] == {}


def test_stats__max_in_flight_with_concurrent_requests(app: EmulatorApp) -> None:
    app.configure(latency=0.2)
    key = app.itglue.api_key
    threads = [
        threading.Thread(target=lambda: JsonClient(app).get("/itglue/users", headers={"x-api-key": key}))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert app.stats.snapshot()["max_in_flight"] >= 2


def test_stats__max_in_window() -> None:
    stats = Stats()
    for _ in range(5):
        stats.begin("itglue")
    stats.begin("hitask")
    assert stats.max_in_window(60.0) == 6
    assert stats.max_in_window(60.0, service="itglue") == 5
    assert stats.max_in_window(60.0, service="glasshat") == 0
    assert stats.max_in_window(1e-9) == 1


def test_stats__request_log_records_the_request_but_no_key(app: EmulatorApp, api: Api) -> None:
    api.get("/users", sort="-name", **{"page[size]": "5", "filter[role_name]": "Editor"})
    api.get("/users", key="itg-secret-wrong-key")
    record, failed = app.stats.requests
    assert (record.service, record.method, record.path, record.status) == ("itglue", "GET", "/users", 200)
    assert record.query == {"sort": ["-name"], "page[size]": ["5"], "filter[role_name]": ["Editor"]}
    assert failed.status == 403 and record.time <= failed.time
    dumped = orjson.dumps([vars(r) for r in app.stats.requests]).decode()
    assert api.key not in dumped and "itg-secret-wrong-key" not in dumped


def test_stats__credential_query_parameters_are_redacted(
    app: EmulatorApp, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ITGlueService, "credential_params", frozenset({"apikey"}))
    api.get("/users", apikey="itg-in-the-query")
    assert app.stats.requests[0].query == {"apikey": ["[redacted]"]}


def test_stats__log_is_bounded_and_reset_clears() -> None:
    stats = Stats(max_records=3)
    for status in range(5):
        stats.begin("itglue")
        stats.end(RecordedRequest(0.0, "itglue", "GET", "/users", {}, 200 + status))
    assert [r.status for r in stats.requests] == [202, 203, 204] and stats.snapshot()["total"] == 5
    stats.reset()
    assert stats.requests == [] and stats.snapshot()["total"] == 0 and stats.max_in_window(60) == 0


def test_stats__faults_counted_by_kind(app: EmulatorApp, api: Api) -> None:
    app.faults.add("server_error", count=2)
    app.faults.add("latency", count=1, seconds=0)
    api.get("/users"), api.get("/users"), api.get("/users")
    assert app.stats.snapshot()["faults_injected"] == {"server_error": 2, "latency": 1}
    assert [r.faults for r in app.stats.requests] == [("server_error", "latency"), ("server_error",), ()]
