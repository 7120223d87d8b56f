"""EmulatorApp: mounting, options, latency, per-key rate limits, reset."""

from __future__ import annotations

import time
from datetime import datetime

import pytest

from apitoolkit.emulator import SIZES, EmulatorApp
from apitoolkit.emulator.glasshat import GlasshatBackend
from apitoolkit.emulator.happygrasshopper import HappyGrasshopperBackend
from apitoolkit.emulator.hitask import HitaskBackend
from apitoolkit.emulator.itglue import ITGlueBackend
from tests.helpers import APP_NOW, Api, JsonClient


def test_app__options_and_backends(app: EmulatorApp) -> None:
    assert {"small", "medium", "large"} == SIZES
    assert isinstance(app.itglue, ITGlueBackend) and app.backend("itglue") is app.itglue
    assert app.itglue.api_key == "itg-emulator-key-1" and app.now == APP_NOW
    assert isinstance(app.hitask, HitaskBackend) and app.backend("hitask") is app.hitask
    assert isinstance(app.glasshat, GlasshatBackend) and app.backend("glasshat") is app.glasshat
    assert isinstance(app.happygrasshopper, HappyGrasshopperBackend)
    assert app.backend("happygrasshopper") is app.happygrasshopper
    assert list(app.services) == ["itglue", "hitask", "glasshat", "happygrasshopper"]


def test_app__per_service_overrides() -> None:
    app = EmulatorApp(
        seed=2,
        now=APP_NOW,
        itglue={"users": 3},
        hitask={"items": 11},
        glasshat={"tasks": 12},
        happygrasshopper={"contacts": 13},
    )
    assert len(app.itglue.accounts[app.itglue.api_key].users) == 3 and len(app.hitask.items.records) == 11
    assert len(app.glasshat.accounts[app.glasshat.api_key].tasks) == 12 and len(app.happygrasshopper.contacts) == 13


def test_app__now_defaults_to_current_second() -> None:
    app = EmulatorApp(itglue={"logs": 0, "expirations": 0})
    assert app.now.microsecond == 0 and app.now.utcoffset() is not None


@pytest.mark.parametrize(
    "options",
    [
        {"size": "huge"},
        {"now": datetime(2025, 1, 1)},
        {"itglue": {"shoes": 1}},
        {"hitask": {"shoes": 1}},
        {"glasshat": {"shoes": 1}},
        {"happygrasshopper": {"shoes": 1}},
    ],
)
def test_app__invalid_options_are_refused(options: dict) -> None:
    with pytest.raises(ValueError):
        EmulatorApp(**options)


def test_app__unknown_service_is_404_json(client: JsonClient) -> None:
    response = client.get("/autotask/tickets")
    assert response.status_code == 404 and "/itglue" in response.json["error"]
    assert "/happygrasshopper/v3" in response.json["error"]
    assert client.get("/happygrasshopper/v2/contacts").status_code == 404


def test_configure__latency_delays_every_request(app: EmulatorApp, api: Api) -> None:
    app.configure(latency=0.15)
    started = time.perf_counter()
    assert api.get("/users").status_code == 200 and api.get("/users", key="bad").status_code == 403
    assert time.perf_counter() - started >= 0.3
    app.configure(latency=0)
    started = time.perf_counter()
    api.get("/users")
    assert time.perf_counter() - started < 0.15


@pytest.mark.parametrize(
    "settings",
    [
        {"latency": -1},
        {"rate_limit": (5, 1.0)},
        {"service": "nope", "retry_after": True},
        {"service": "itglue", "rate_limit": (0, 1.0)},
    ],
)
def test_configure__invalid_settings_are_refused(app: EmulatorApp, settings: dict) -> None:
    with pytest.raises(ValueError):
        app.configure(**settings)


def test_rate_limit__429_document_without_retry_after_by_default(app: EmulatorApp, api: Api) -> None:
    app.configure(service="itglue", rate_limit=(3, 60.0))
    assert [api.get("/users").status_code for _ in range(4)] == [200, 200, 200, 429]
    response = api.get("/users")
    error = response.json["errors"][0]
    assert (error["status"], error["title"]) == ("429", "Too Many Requests") and "Retry-After" not in response.headers


def test_rate_limit__retry_after_counts_seconds_until_a_slot_frees(app: EmulatorApp, api: Api) -> None:
    app.configure(service="itglue", rate_limit=(2, 30.0), retry_after=True)
    api.get("/users"), api.get("/users")
    response = api.get("/users")
    assert response.status_code == 429 and 28 <= int(response.headers["Retry-After"]) <= 30


def test_rate_limit__per_key_sliding_window(app: EmulatorApp, api: Api) -> None:
    app.itglue.add_account("itg-second-key", seed=3)
    app.configure(service="itglue", rate_limit=(2, 0.3))
    assert [api.get("/users").status_code for _ in range(3)] == [200, 200, 429]
    assert api.get("/users", key="itg-second-key").status_code == 200
    time.sleep(0.35)
    assert api.get("/users").status_code == 200


def test_rate_limit__none_switches_it_off(app: EmulatorApp, api: Api) -> None:
    app.configure(service="itglue", rate_limit=(1, 60.0))
    app.configure(service="itglue", rate_limit=None)
    assert {api.get("/users").status_code for _ in range(5)} == {200}


def test_rate_limit__default_is_3000_per_5_minutes(app: EmulatorApp) -> None:
    limiter = app._limits["itglue"].limiter
    assert limiter is not None and (limiter.limit, limiter.window) == (3000, 300.0)


def test_reset__data_faults_stats_and_windows(app: EmulatorApp, api: Api) -> None:
    app.configure(service="itglue", rate_limit=(2, 60.0))
    app.faults.add("changing_data", count=1, path="^/users$")
    api.get("/users"), api.get("/users")
    assert api.get("/users").status_code == 429 and len(app.itglue.accounts[api.key].users) == 43
    app.reset()
    assert app.faults.describe() == [] and app.stats.snapshot()["total"] == 0
    assert [int(user["id"]) for user in api.all("/users")] == [
        int(user["id"]) for user in EmulatorApp(seed=1, now=APP_NOW).itglue.accounts[api.key].users
    ]
