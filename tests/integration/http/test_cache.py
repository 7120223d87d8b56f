"""The HTTP and frame caches against a real loopback server: redaction, isolation, freshness, offline."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

import apitoolkit
from apitoolkit.config import resolve_config
from apitoolkit.exceptions import AuthenticationError, OfflineError, ServerError
from apitoolkit.http import RequestSpec
from apitoolkit.http.jsonapi import JsonApiClient
from apitoolkit.loading import load_source
from tests.helpers import files_containing
from tests.integration.http.fakeapi import (
    SECRET_A,
    SECRET_B,
    FakeJsonApi,
    cached_responses,
    jsonapi_error,
    load_users,
)


def load(client: JsonApiClient, **kwargs: Any) -> pd.DataFrame:
    return load_users(client, **kwargs)


def test_cache__second_load_is_served_without_http(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    first = load(make_client())
    sent = fake.count()
    second = load(make_client())
    assert fake.count() == sent
    assert load_source(first) == "network" and load_source(second) == "frame-cache"
    assert second.equals(first)


def test_cache__http_cache_answers_when_frame_is_gone(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    load(make_client())
    sent = fake.count()
    for parquet in (cache_dir / "frames").rglob("*.parquet"):
        parquet.unlink()
    again = load(make_client())
    assert fake.count() == sent
    assert load_source(again) == "http-cache"


@pytest.mark.parametrize(
    ("where", "spelling"),
    [
        ("header", "x-api-key"),
        ("header", "X-API-Key"),
        ("header", "X-Api-Key"),
        ("header", "Authorization"),
        ("header", "authorization"),
        ("query", "apikey"),
        ("query", "api_key"),
        ("query", "session_id"),
        ("query", "password"),
        ("query", "APIKEY"),
    ],
)
def test_cache__credentials_never_stored_whatever_the_spelling(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path, where: str, spelling: str
) -> None:
    secret = "sk-SPELL-9d1f3b5a7c9e1d3f5b7a9c1e3d5f7b9a"
    client = make_client()
    spec = RequestSpec("users", params={"page[size]": 5})
    if where == "header":
        spec.headers[spelling] = secret if spelling.lower() != "authorization" else f"Bearer {secret}"
    else:
        spec.params[spelling] = secret
    client.request("GET", spec)
    assert cached_responses(cache_dir) == 1
    assert files_containing(cache_dir, secret) == []
    assert files_containing(cache_dir, SECRET_A) == []


def test_cache__form_body_credentials_never_stored(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    client = make_client()
    secret = "sk-FORM-1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b"
    response = client.session.request(
        "GET",
        client.base_url + "/users",
        data={"password": secret, "login": "ann@example.com"},
        headers={"x-api-key": SECRET_A},
    )
    assert response.status_code == 200
    assert cached_responses(cache_dir) == 1
    assert files_containing(cache_dir, secret) == [] and files_containing(cache_dir, "ann@example.com") == []


def test_cache__accounts_never_see_each_others_pages(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    a = load(make_client(SECRET_A))
    b = load(make_client(SECRET_B))
    assert a["first_name"].str.startswith("A").all()
    assert b["first_name"].str.startswith("B").all()
    assert len(b) == 30
    assert load_source(b) == "network"
    assert len(list((cache_dir / "http").glob("*.sqlite"))) == 2


def test_cache__errors_and_truncated_bodies_are_never_cached(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    client = make_client()

    def truncated(request: Request) -> Response:
        response = fake.serve(request)
        response.set_data(response.get_data()[:40])
        return response

    fake.faults = [lambda r: jsonapi_error(500, "Boom", "x"), truncated, lambda r: jsonapi_error(429, "Slow", "x")]
    client.request("GET", RequestSpec("users"))
    assert cached_responses(cache_dir) == 1
    with sqlite3.connect(next((cache_dir / "http").glob("*.sqlite"))) as con:
        (blob,) = con.execute("select value from responses").fetchone()
    assert b"Boom" not in blob and b"errors" not in blob


def test_cache__failed_load_leaves_cache_as_it_was(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    first = load(make_client())
    frames_before = {p: p.read_bytes() for p in (cache_dir / "frames").rglob("*.parquet")}
    fake.faults = [lambda r: None] + [lambda r: jsonapi_error(500, "Boom", "down")] * 20
    fake.records[SECRET_A][0]["attributes"]["first-name"] = "CHANGED"
    with pytest.raises(ServerError):
        load(make_client(), refresh=True)
    assert {p: p.read_bytes() for p in (cache_dir / "frames").rglob("*.parquet")} == frames_before
    assert load(make_client()).equals(first)


def test_cache__bad_credentials_leave_cache_untouched(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    load(make_client())
    snapshot = sorted((p, p.stat().st_size) for p in cache_dir.rglob("*.parquet"))
    with pytest.raises(AuthenticationError):
        load(make_client("sk-nobody-1234567890abcdef"))
    assert sorted((p, p.stat().st_size) for p in cache_dir.rglob("*.parquet")) == snapshot


def test_cache__refresh_fetches_again_and_replaces(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    load(make_client())
    fake.records[SECRET_A][0]["attributes"]["first-name"] = "Renamed"
    assert load(make_client()).loc[0, "first_name"] == "A1"
    refreshed = load(make_client(), refresh=True)
    assert refreshed.loc[0, "first_name"] == "Renamed"
    assert load_source(refreshed) == "network"
    assert load(make_client()).loc[0, "first_name"] == "Renamed"


def test_cache__expiry_per_resource(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    load(make_client(expire_after={"users": 0.5}))
    sent = fake.count()
    assert load_source(load(make_client(expire_after={"users": 0.5}))) == "frame-cache"
    time.sleep(0.7)
    again = load(make_client(expire_after={"users": 0.5}))
    assert load_source(again) == "network" and fake.count() > sent


def test_cache__offline_serves_cache_without_network(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], server: HTTPServer
) -> None:
    online = load(make_client())
    server.stop()
    offline = load(make_client(offline=True))
    assert offline.equals(online)


def test_cache__offline_from_http_cache_when_frames_gone(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], server: HTTPServer, cache_dir: Path
) -> None:
    load(make_client())
    for parquet in (cache_dir / "frames").rglob("*.parquet"):
        parquet.unlink()
    server.stop()
    assert len(load(make_client(offline=True))) == 250


def test_cache__offline_miss_is_clear_error(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APITOOLKIT_OFFLINE", "1")
    with pytest.raises(OfflineError, match="not in the cache.*APITOOLKIT_OFFLINE"):
        load(make_client())
    assert fake.count() == 0


def test_cache__offline_with_cache_off_is_clear_error(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    with pytest.raises(OfflineError, match="caching is off"):
        load(make_client(offline=True, cache="off"))


def test_cache__off_means_nothing_written(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    first = load(make_client(cache="off"))
    second = load(make_client(cache="off"))
    assert load_source(second) == "network" and second.equals(first)
    assert not (cache_dir / "http").exists() and not (cache_dir / "frames").exists()


def test_cache__info_and_clear(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path) -> None:
    load(make_client(SECRET_A))
    load(make_client(SECRET_B))
    info = apitoolkit.cache_info()
    assert set(info["kind"]) == {"http", "frames"}
    assert (info["bytes"] > 0).all() and len(info) == 4
    assert not info.astype(str).apply(lambda col: col.str.contains(SECRET_A[:12])).any().any()
    freed = apitoolkit.clear_cache("itglue")
    assert freed > 0
    assert apitoolkit.cache_info().empty
    assert load_source(load(make_client())) == "network"


def test_cache__injected_session_is_used(fake: FakeJsonApi, server: HTTPServer) -> None:
    session = requests.Session()
    config = resolve_config("itglue", credentials={"api_key": SECRET_A}, base_url=server.url_for("/"), cache="off")
    client = JsonApiClient(config, session=session)
    assert client.session is session
    assert len(load(client)) == 250


def test_cache__requests_marked_never_cache_are_neither_read_nor_written(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    client = make_client()
    spec = RequestSpec("users", params={"page[size]": 3})
    client.request("GET", spec, cache=False)
    client.request("GET", spec, cache=False)
    assert cached_responses(cache_dir) == 0
    assert fake.count() == 2
