"""Hostile servers on loopback: redirects off the base URL, malformed pages, rows that do not add up, refreshes
that fail half way, and ``meta`` that lies. Each is a class of fault the emulator alone cannot make; the
servers here are the emulator behind a wrapper (`tests.integration.hostile_apps.Hostile`) that changes what it
says.
"""

from __future__ import annotations

import re
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from werkzeug.wrappers import Request

from apitoolkit.emulator import EmulatorServer
from apitoolkit.exceptions import (
    InvalidResponseError,
    ListingChangedError,
    PaginationError,
    RateLimitedError,
    RedirectError,
    ServerError,
    TransportError,
)
from apitoolkit.glasshat import GlasshatClient, load_clients
from apitoolkit.happygrasshopper import HappyGrasshopperClient
from apitoolkit.happygrasshopper import load_contacts as load_hg_contacts
from apitoolkit.hitask import HitaskClient, load_tags
from apitoolkit.http import JsonApiPaginator, RequestSpec
from apitoolkit.itglue import ITGlueClient, load_users
from apitoolkit.itglue.schema import USERS
from apitoolkit.loading import load_listing, load_source
from tests.helpers import FAST_RETRY, Scan
from tests.integration.hostile_apps import Hostile, Recorder, on_meta

pytestmark = pytest.mark.timeout(120)

CLIENTS: dict[str, Callable[..., Any]] = {
    "itglue": lambda env, **kw: ITGlueClient(
        api_key=env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY, **kw
    ),
    "hitask": lambda env, **kw: HitaskClient(
        api_key=env["HITASK_API_KEY"],
        login=env["HITASK_LOGIN"],
        password=env["HITASK_PASSWORD"],
        base_url=env["HITASK_BASE_URL"],
        retry=FAST_RETRY,
        **kw,
    ),
    "glasshat": lambda env, **kw: GlasshatClient(
        api_key=env["GLASSHAT_API_KEY"], base_url=env["GLASSHAT_BASE_URL"], retry=FAST_RETRY, **kw
    ),
    "happygrasshopper": lambda env, **kw: HappyGrasshopperClient(
        api_key=env["HAPPYGRASSHOPPER_API_KEY"], base_url=env["HAPPYGRASSHOPPER_BASE_URL"], retry=FAST_RETRY, **kw
    ),
}
LOADS: dict[str, Callable[[Any], pd.DataFrame]] = {
    "itglue": lambda c: load_users(client=c),
    "hitask": lambda c: load_tags(c),
    "glasshat": lambda c: load_clients(c),
    "happygrasshopper": lambda c: load_hg_contacts(c),
}
SECRET_NAMES = {
    "itglue": ["ITGLUE_API_KEY"],
    "hitask": ["HITASK_API_KEY", "HITASK_LOGIN", "HITASK_PASSWORD"],
    "glasshat": ["GLASSHAT_API_KEY"],
    "happygrasshopper": ["HAPPYGRASSHOPPER_API_KEY"],
}


@pytest.fixture
def hostile(emulator: EmulatorServer) -> Iterator[tuple[Hostile, EmulatorServer]]:
    """The emulator's own data behind a `Hostile` wrapper, served on another loopback port."""
    app = Hostile(emulator.app)
    with EmulatorServer(app=app, port=0) as server:  # type: ignore[arg-type]  # any WSGI app serves
        yield app, server


def users_listing(client: ITGlueClient, *, page_size: int = 4, refresh: bool = False) -> pd.DataFrame:
    """IT Glue users in pages of ``page_size`` (the emulator's small account has 40: 10 pages of 4)."""
    return load_listing(
        client,
        resource="users",
        spec=RequestSpec("users"),
        schema=USERS,
        paginator=JsonApiPaginator(page_size),
        refresh=refresh,
    )


def versioned(version: dict[str, str]) -> Callable[[Request, int, Any], Any]:
    """A rewrite that tags every user's first name with ``version["tag"]``, as it is when the page is served."""

    def label(request: Request, status: int, body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            for record in body["data"]:
                record["attributes"]["first-name"] = f"{record['attributes']['first-name']}-{version['tag']}"
        return body

    return label


def drop_frames(cache_dir: Path) -> None:
    """Delete every cached frame, so the next load reads the HTTP cache."""
    for path in cache_dir.rglob("*.parquet"):
        path.unlink()


# ----------------------------------------------------------------------------------------------- 1. redirects
@pytest.mark.parametrize("status", [301, 302, 307, 308])
@pytest.mark.parametrize("service", list(CLIENTS))
def test_redirect__off_the_base_url_is_refused_and_no_credential_leaves(
    hostile: tuple[Hostile, EmulatorServer], service: str, status: int
) -> None:
    app, server = hostile
    recorder = Recorder()
    with EmulatorServer(app=recorder, port=0) as elsewhere:  # type: ignore[arg-type]  # any WSGI app serves
        app.redirect_status = status
        app.redirect = lambda r: f"{elsewhere.url}/stolen{r.path}?{r.query_string.decode()}"
        env = server.environ()
        client = CLIENTS[service](env)
        with pytest.raises(RedirectError, match="not followed") as caught:
            LOADS[service](client)
    assert recorder.seen == []  # refused before anything was sent there
    assert caught.value.status == status
    message = f"{caught.value}{caught.value!r}"
    for name in SECRET_NAMES[service]:
        assert env[name] not in message


def test_redirect__another_host_name_on_the_same_port_is_another_origin(
    hostile: tuple[Hostile, EmulatorServer],
) -> None:
    app, server = hostile
    env = server.environ()
    port = server.url.rsplit(":", 1)[1]
    app.redirect = lambda r: None if r.path.startswith("/x") else f"http://localhost:{port}/x{r.path}"
    with pytest.raises(RedirectError):
        load_users(client=CLIENTS["itglue"](env))
    assert app.requests_to("/x") == 0


@pytest.mark.parametrize("backend", ["directory", "redis"])
@pytest.mark.parametrize("service", list(CLIENTS))
def test_redirect__on_the_same_origin_is_followed_and_no_credential_is_cached(
    request: pytest.FixtureRequest,
    hostile: tuple[Hostile, EmulatorServer],
    emulator: EmulatorServer,
    service: str,
    backend: str,
    cache_dir: Path,
) -> None:
    app, server = hostile
    cache = request.getfixturevalue("redis_url") if backend == "redis" else str(cache_dir)
    app.moved = "/moved"  # every request is first sent one step aside, on the same server, its query kept whole
    env = server.environ()
    client = CLIENTS[service](env, cache=cache)
    frame = LOADS[service](client)
    expected = LOADS[service](CLIENTS[service](emulator.environ(), cache="off"))
    assert len(frame) == len(expected) > 0
    assert app.requests_to("/moved") > 0
    again = LOADS[service](CLIENTS[service](env, cache=cache))
    assert load_source(again) == "frame-cache"
    secrets = {name: env[name] for name in SECRET_NAMES[service]}
    secrets.update({f"{service} secret {i}": value for i, value in enumerate(client.secrets)})  # session ids too
    assert service != "hitask" or len(client.secrets) == 4
    scan = Scan(secrets)
    if backend == "redis":
        scan.redis(cache)
    scan.tree(cache_dir)
    assert scan.found == []
    assert scan.counts["bytes"] > 1000  # the scan saw the cached pages
    print(f"redirect scan {service}/{backend}: {dict(scan.counts)}")


# --------------------------------------------------------------------------- 2. a malformed page is an error
BAD_RECORDS: dict[str, Any] = {
    "numbers": [1, 2],
    "null": [None],
    "one bad among objects": "mixed",
}


@pytest.mark.parametrize("bad", list(BAD_RECORDS))
def test_malformed_records__are_an_invalid_response_and_keep_the_good_cached_frame(
    hostile: tuple[Hostile, EmulatorServer], bad: str
) -> None:
    app, server = hostile
    env = server.environ()
    good = users_listing(CLIENTS["itglue"](env))
    assert len(good) == 40

    def spoil(request: Request, status: int, body: Any) -> Any:
        if request.args.get("page[number]") == "3" and isinstance(body, dict):
            records = body["data"]
            body["data"] = [*records[:-1], 7] if BAD_RECORDS[bad] == "mixed" else BAD_RECORDS[bad]
        return body

    app.rewrite = spoil
    with pytest.raises(InvalidResponseError, match="not an object"):
        users_listing(CLIENTS["itglue"](env), refresh=True)
    app.rewrite = None
    again = users_listing(CLIENTS["itglue"](env))
    assert load_source(again) == "frame-cache"
    pd.testing.assert_frame_equal(again, good)


@pytest.mark.parametrize("service", ["hitask", "glasshat", "happygrasshopper"])
def test_malformed_records__in_bare_and_keyed_lists_are_an_invalid_response(
    hostile: tuple[Hostile, EmulatorServer], service: str
) -> None:
    app, server = hostile

    def spoil(request: Request, status: int, body: Any) -> Any:
        if isinstance(body, list) and body:
            return [*body, None]
        if isinstance(body, dict):
            for key in ("data", "clients"):
                if isinstance(body.get(key), list):
                    body[key] = [*body[key], 3]
        return body

    app.rewrite = spoil
    with pytest.raises(InvalidResponseError, match="not an object"):
        LOADS[service](CLIENTS[service](server.environ()))
    assert app.requests_to("") >= FAST_RETRY.max_attempts  # retried like a truncated body


# -------------------------------------------------------------------------------- 3. a listing's rows add up
@pytest.mark.parametrize("kept", [1, 0])
def test_rows__a_short_page_before_the_last_is_never_a_shorter_frame(
    hostile: tuple[Hostile, EmulatorServer], kept: int
) -> None:
    app, server = hostile

    def shorten(request: Request, status: int, body: Any) -> Any:
        if request.args.get("page[number]") == "2" and isinstance(body, dict):
            body["data"] = body["data"][:kept]
        return body

    app.rewrite = shorten
    with pytest.raises(ListingChangedError, match="records"):
        users_listing(CLIENTS["itglue"](server.environ()))
    assert app.requests_to("/users") >= 3 * 2  # paged again from page 1, past the cache, 3 times


def test_rows__a_count_the_pages_do_not_reach_is_an_error_not_a_frame(
    hostile: tuple[Hostile, EmulatorServer],
) -> None:
    app, server = hostile

    def overstate(request: Request, body: dict[str, Any]) -> None:
        body["meta"]["total-count"] = 42  # two more than the pages hold; total-pages stays 10

    app.rewrite = on_meta(overstate)
    with pytest.raises(ListingChangedError, match="40 records arrived .* counted 42"):
        users_listing(CLIENTS["itglue"](server.environ()))


@pytest.mark.parametrize(("service", "count_at"), [("glasshat", ("total",)), ("happygrasshopper", ("meta", "total"))])
def test_rows__every_paginator_with_a_count_checks_it(
    hostile: tuple[Hostile, EmulatorServer], service: str, count_at: tuple[str, ...]
) -> None:
    app, server = hostile

    def drop_one(request: Request, status: int, body: Any) -> Any:
        if request.args.get("page", "1") == "1" and isinstance(body, dict):
            key = "clients" if service == "glasshat" else "data"
            if isinstance(body.get(key), list) and body[key]:
                body[key] = body[key][1:]
        return body

    app.rewrite = drop_one
    with pytest.raises(ListingChangedError):
        LOADS[service](CLIENTS[service](server.environ()))


# ------------------------------------------------------------------- 4. a failed refresh changes nothing
def test_refresh__that_fails_half_way_leaves_the_http_cache_as_it_was(
    hostile: tuple[Hostile, EmulatorServer], cache_dir: Path
) -> None:
    app, server = hostile
    env = server.environ()
    version = {"tag": "v1"}
    app.rewrite = versioned(version)
    v1 = users_listing(CLIENTS["itglue"](env))
    assert v1["first_name"].str.endswith("-v1").all()
    version["tag"] = "v2"
    app.fail = lambda r: 500 if r.args.get("page[number]") == "7" else None
    with pytest.raises(ServerError):
        users_listing(CLIENTS["itglue"](env), refresh=True)
    app.fail = None
    drop_frames(cache_dir)  # the next loads read the HTTP cache
    offline = users_listing(CLIENTS["itglue"](env, offline=True))
    pd.testing.assert_frame_equal(offline.reset_index(drop=True), v1.reset_index(drop=True))
    online = users_listing(CLIENTS["itglue"](env))
    tags = set(online["first_name"].str.rsplit("-", n=1).str[1])
    assert len(tags) == 1, f"pages of two versions were joined: {tags}"


def test_refresh__pages_of_two_versions_are_never_joined(
    hostile: tuple[Hostile, EmulatorServer], cache_dir: Path
) -> None:
    app, server = hostile
    env = server.environ()
    version = {"tag": "v1"}
    app.rewrite = versioned(version)
    client = CLIENTS["itglue"](env, expire_after=3600)
    users_listing(client)
    # Page 5 of the cached listing expires early (as pages stored at different times do): the next load
    # finds 9 pages in the cache and fetches one, from a server that has moved on.
    cache = client.session.cache
    page_5 = [k for k in cache.responses if re.search(r"number(%5D|\])=5(&|$)", cache.responses[k].url)]
    assert len(page_5) == 1
    del cache.responses[page_5[0]]
    drop_frames(cache_dir)
    version["tag"] = "v2"
    again = users_listing(CLIENTS["itglue"](env))
    assert set(again["first_name"].str.rsplit("-", n=1).str[1]) == {"v2"}
    assert load_source(again) == "network"


# ---------------------------------------------------------------------------- 5. lies in meta cost nothing
def test_meta__a_million_pages_for_three_records_is_refused_at_once(
    hostile: tuple[Hostile, EmulatorServer],
) -> None:
    app, server = hostile

    def lie(request: Request, body: dict[str, Any]) -> None:
        body["data"] = body["data"][:3]
        body["meta"].update({"total-pages": 999_999, "total-count": 3, "next-page": 2})

    app.rewrite = on_meta(lie)
    tracemalloc.start()
    began = time.monotonic()
    try:
        with pytest.raises(PaginationError, match="999,999 pages"):
            users_listing(CLIENTS["itglue"](server.environ()), page_size=3)
        elapsed = time.monotonic() - began
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert app.requests_to("/users") == 1
    assert peak < 50 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    print(f"lying meta: 1 request, {elapsed:.2f} s, peak {peak / 2**20:.1f} MiB")


def test_meta__a_next_page_that_never_ends_stops_at_what_the_count_allows(
    hostile: tuple[Hostile, EmulatorServer],
) -> None:
    app, server = hostile

    def endless(request: Request, body: dict[str, Any]) -> None:
        number = int(request.args.get("page[number]", 1))
        body["meta"].pop("total-pages", None)
        body["meta"]["next-page"] = number + 1
        body["meta"]["total-count"] = 40

    app.rewrite = on_meta(endless)
    with pytest.raises(PaginationError, match="more than 10 pages"):
        users_listing(CLIENTS["itglue"](server.environ()))
    assert app.requests_to("/users") == 10


def test_meta__pages_without_a_count_are_requested_lazily(hostile: tuple[Hostile, EmulatorServer]) -> None:
    app, server = hostile

    def no_count(request: Request, body: dict[str, Any]) -> None:
        body["meta"].pop("total-count", None)
        body["meta"]["total-pages"] = 100_000

    app.rewrite = on_meta(no_count)
    with pytest.raises(ListingChangedError, match="holds 0 records"):
        users_listing(CLIENTS["itglue"](server.environ(), max_workers=2))
    # each of the 3 tries asks for at most the 10 real pages, the empty 11th and the 4 requested ahead of it
    assert app.requests_to("/users") <= 3 * (11 + 4)


# ------------------------------------------------------------------------------------ 6. a load's deadline
def test_deadline__a_service_that_never_recovers_fails_within_the_deadline(
    hostile: tuple[Hostile, EmulatorServer],
) -> None:
    from apitoolkit.http.retry import RetryPolicy

    app, server = hostile
    app.fail = lambda r: 503
    patient = RetryPolicy(max_attempts=1000, backoff=0.2, max_backoff=0.3, max_retry_after=1.0, jitter=0.0)
    client = ITGlueClient(
        api_key=server.environ()["ITGLUE_API_KEY"],
        base_url=server.environ()["ITGLUE_BASE_URL"],
        retry=patient,
        deadline=2.0,
        cache="off",
    )
    began = time.monotonic()
    with pytest.raises(TransportError, match="deadline of 2 s") as caught:
        load_users(client=client)
    assert time.monotonic() - began < 4.0
    assert "503" in str(caught.value)


@pytest.mark.parametrize("page_size", [1000, 2])
def test_rows__a_logs_walk_whose_rows_fall_short_of_the_count_is_an_error(
    hostile: tuple[Hostile, EmulatorServer], cache_dir: Path, monkeypatch: pytest.MonkeyPatch, page_size: int
) -> None:
    from apitoolkit.itglue import load_logs, loaders

    app, server = hostile
    start, end = None, None
    if page_size == 2:
        # The emulator's data holds bursts of 11 and 22 rows in one second, which a walk in pages of 2 (10 rows a
        # query) cannot pass (a PaginationError, by design); where they fall depends on the day the tests run, so
        # the walk loads a day without one.
        probe = load_logs(client=CLIENTS["itglue"](server.environ(), cache="off"))
        seconds = probe["created_at"].value_counts()
        crowded = set(seconds[seconds > 5 * page_size].index.floor("D"))
        days = sorted(set(probe["created_at"].dt.floor("D")) - crowded)
        start, end = days[len(days) // 2], days[len(days) // 2] + pd.Timedelta(days=1)
    monkeypatch.setattr(loaders, "PAGE_SIZE", page_size)  # at 2, days take several pages: the walk counts them

    def overstate(request: Request, body: dict[str, Any]) -> None:
        if request.path.endswith("/logs"):
            body["meta"]["total-count"] = int(body["meta"].get("total-count") or 0) + 1

    app.rewrite = on_meta(overstate)
    with pytest.raises(ListingChangedError, match="records arrived .* counted|rows arrived where the API's counts"):
        load_logs(start, end, client=CLIENTS["itglue"](server.environ()))
    assert not list(cache_dir.rglob("*.parquet"))  # no window's frame was kept


@pytest.mark.parametrize("backend", ["directory", "redis"])
def test_secrets__a_key_echoed_into_a_page_is_not_stored(
    request: pytest.FixtureRequest, hostile: tuple[Hostile, EmulatorServer], cache_dir: Path, backend: str
) -> None:
    app, server = hostile
    cache = request.getfixturevalue("redis_url") if backend == "redis" else str(cache_dir)
    env = server.environ()
    key = env["GLASSHAT_API_KEY"]

    def echo(request: Request, status: int, body: Any) -> Any:
        if isinstance(body, dict) and "clients" in body:  # as a Laravel-style paginator would
            body["next_page_url"] = f"{request.base_url}?apikey={key}&page=2"
            body["request"] = {"apikey": key, "escaped": key.replace("a", "\\u0061")}
        return body

    app.rewrite = echo
    frame = load_clients(CLIENTS["glasshat"](env, cache=cache))
    assert len(frame) > 0
    scan = Scan({"GLASSHAT_API_KEY": key})
    if backend == "redis":
        scan.redis(cache)
    scan.tree(cache_dir)
    assert scan.found == []
    assert scan.counts["bytes"] > 1000


# ------------------------------------------------------------- sustained 429s that do not say when (issue 14)
@pytest.mark.parametrize("refusals", [8, 10_000])
def test_rate_limit__429s_without_retry_after_are_waited_out_for_the_whole_window(
    hostile: tuple[Hostile, EmulatorServer], caplog: pytest.LogCaptureFixture, refusals: int
) -> None:
    app, server = hostile
    seen = {"n": 0}

    def busy(request: Request) -> int | None:  # another integration has the key's budget
        seen["n"] += 1
        return 429 if seen["n"] <= refusals else None

    app.fail = busy
    env = server.environ()
    client = CLIENTS["itglue"](env, rate_limit=(100, 2.0), cache="off")  # a 2 s window stands for 5 minutes
    began = time.monotonic()
    with caplog.at_level("WARNING", logger="apitoolkit.http"):
        if refusals > 100:
            with pytest.raises(RateLimitedError, match="whole rate-limit window .2 s."):
                load_users(client=client)
        else:
            assert len(load_users(client=client)) == 40
    took = time.monotonic() - began
    assert any("429 without Retry-After" in r.getMessage() for r in caplog.records)
    if refusals > 100:
        assert 2.0 <= took < 4.0  # waited the window out, then gave up; FAST_RETRY alone gives up in 0.1 s
        assert seen["n"] < 40  # waits of a tenth of the window, not a hammering
    assert env["ITGLUE_API_KEY"] not in caplog.text


def test_rows__a_logs_day_that_grows_while_walked_loads_every_log(
    hostile: tuple[Hostile, EmulatorServer], emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from apitoolkit.itglue import load_logs, loaders

    monkeypatch.setattr(loaders, "PAGE_SIZE", 7)  # busy days take several pages, some past the 5-page cap
    app, server = hostile
    truth = load_logs(client=CLIENTS["itglue"](emulator.environ(), cache="off"))

    def later_pages_count_more(request: Request, body: dict[str, Any]) -> None:  # logs written meanwhile
        if request.path.endswith("/logs") and request.args.get("page[number]", "1") != "1":
            body["meta"]["total-count"] = int(body["meta"].get("total-count") or 0) + 1

    app.rewrite = on_meta(later_pages_count_more)
    frame = load_logs(client=CLIENTS["itglue"](server.environ()))
    assert frame["id"].tolist() == truth["id"].tolist()
