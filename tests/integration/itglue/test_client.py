"""The IT Glue client against the emulator: bad keys, regions, faults, the rate limit, secrets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import apitoolkit
from apitoolkit.emulator import EmulatorServer
from apitoolkit.exceptions import AuthenticationError, FatalError, InvalidRequestError, PermissionDeniedError
from apitoolkit.http import JsonApiPaginator, RequestSpec
from apitoolkit.itglue import ITGlueClient, load_expirations, load_logs, load_user_metrics, load_users
from tests.helpers import FAST_RETRY, files_containing


@pytest.mark.parametrize(("reading", "error"), [("403", PermissionDeniedError), ("401", AuthenticationError)])
def test_client__wrong_key_is_refused_with_region_hint(
    emulator: EmulatorServer,
    itglue_dialect: Callable[[str, str], None],
    cache_dir: Path,
    reading: str,
    error: type[FatalError],
) -> None:
    itglue_dialect("wrong_key_status", reading)
    key = "itg-wrong-key-5f0e9d8c7b6a5f4e3d2c"
    client = ITGlueClient(api_key=key, base_url=emulator.base_url("itglue"), retry=FAST_RETRY)
    with pytest.raises(error) as info:
        load_users(client=client)
    assert info.value.status == int(reading)
    assert emulator.app.stats.snapshot()["total"] == 1  # never retried
    assert "ITGLUE_API_KEY" in str(info.value) and "ITGLUE_REGION" in str(info.value)
    assert key not in str(info.value) and key not in repr(client)
    assert files_containing(cache_dir, key) == []
    assert not list(cache_dir.rglob("*.parquet"))


def test_client__region_hint_names_the_region() -> None:
    client = ITGlueClient(api_key="k", region="eu", cache="off")
    assert client.base_url == "https://api.eu.itglue.com"
    assert "EU server" in client.hint(401) and "EU server" in client.hint(403)
    assert "Password Access" in client.hint(403) and "Password Access" not in client.hint(401)


def test_client__api_refusing_a_filter_is_invalid_request(itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    with pytest.raises(InvalidRequestError) as info:
        itglue.request("GET", RequestSpec("users", params={"filter[shoe_size]": "9"}))
    assert info.value.status == 400 and "shoe_size" in (info.value.detail or "")


def test_client__week_limit_refusal_is_clear(itglue: ITGlueClient) -> None:
    with pytest.raises(InvalidRequestError, match="week"):
        itglue.request("GET", RequestSpec("user_metrics", params={"filter[date]": "2026-01-01,2026-02-01"}))


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "rate_limit", "retry_after": 1},
        {"kind": "rate_limit", "retry_after": None},
        {"kind": "rate_limit", "retry_after": "http-date"},
        {"kind": "server_error", "status": 503, "retry_after": 1},
        {"kind": "server_error", "status": 500},
        {"kind": "html_error", "status": 502},
        {"kind": "truncated", "mode": "invalid"},
        {"kind": "truncated", "mode": "short"},
    ],
    ids=lambda f: "-".join(str(v) for v in f.values()),
)
def test_client__faults_are_ridden_out(itglue: ITGlueClient, emulator: EmulatorServer, fault: dict[str, Any]) -> None:
    clean = ITGlueClient(
        api_key=emulator.environ()["ITGLUE_API_KEY"], base_url=emulator.base_url("itglue"), cache="off"
    )
    expected = load_users(client=clean)
    params = {k: v for k, v in fault.items() if k != "kind"}
    emulator.app.faults.add(fault["kind"], count=2, service="itglue", **params)
    got = load_users(client=itglue)
    assert emulator.app.stats.snapshot()["faults_injected"].get(fault["kind"], 0) == 2
    pd_equal = got.sort_values("id").reset_index(drop=True).equals(expected.sort_values("id").reset_index(drop=True))
    assert pd_equal


def test_client__persistent_failure_is_typed_and_leaves_no_frame(
    itglue: ITGlueClient, emulator: EmulatorServer, cache_dir: Path
) -> None:
    emulator.app.faults.add("server_error", rate=1.0, service="itglue", status=502)
    with pytest.raises(apitoolkit.ApiError) as info:
        load_expirations(client=itglue)
    assert isinstance(info.value, apitoolkit.exceptions.RetriableError)
    assert not list(cache_dir.rglob("*.parquet"))


def test_client__rate_limit_held_across_windows(emulator: EmulatorServer, cache_dir: Path) -> None:
    emulator.app.configure(service="itglue", rate_limit=(12, 1.0), retry_after=True)
    client = ITGlueClient(
        api_key=emulator.environ()["ITGLUE_API_KEY"],
        base_url=emulator.base_url("itglue"),
        rate_limit=(12, 1.0),
        retry=FAST_RETRY,
    )
    load_user_metrics("2026-01-01", "2026-03-31", client=client)
    stats = emulator.app.stats.snapshot()
    assert stats["by_status"].get("429", stats["by_status"].get(429, 0)) == 0
    assert emulator.app.stats.max_in_window(1.0, service="itglue") <= 12


def test_client__pages_fetched_concurrently(emulator: EmulatorServer) -> None:
    emulator.app.configure(latency=0.2)  # long enough for four threads to overlap on a busy machine
    client = ITGlueClient(
        api_key=emulator.environ()["ITGLUE_API_KEY"], base_url=emulator.base_url("itglue"), max_workers=4
    )
    pages = client.paginate(RequestSpec("logs"), JsonApiPaginator(100, max_pages=5))
    stats = emulator.app.stats.snapshot()
    assert len(pages) == 5
    assert stats["max_in_flight"] >= 3, stats


def test_client__logs_and_secrets_stay_out_of_the_cache(
    itglue: ITGlueClient, emulator: EmulatorServer, cache_dir: Path
) -> None:
    load_logs(client=itglue)
    load_user_metrics(client=itglue)
    key = emulator.environ()["ITGLUE_API_KEY"]
    assert files_containing(cache_dir, key) == []
    assert key not in repr(itglue) and key not in str(itglue.config)
