"""The rate limit is shared by threads and processes on the machine, and cache hits cost nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from apitoolkit.http import JsonApiPaginator, RequestSpec
from apitoolkit.http.jsonapi import JsonApiClient
from apitoolkit.loading import load_listing
from tests.integration.http.fakeapi import SECRET_A, USERS, FakeJsonApi

WORKER = textwrap.dedent(
    """
    import sys
    from apitoolkit.config import resolve_config
    from apitoolkit.http import RequestSpec
    from apitoolkit.http.jsonapi import JsonApiClient
    base_url, key, worker, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    config = resolve_config("itglue", credentials={"api_key": key}, base_url=base_url, rate_limit=(8, 1.0))
    client = JsonApiClient(config)
    for i in range(count):
        client.request("GET", RequestSpec("users", params={"worker": worker, "i": i, "page[size]": 1}))
    """
)


@pytest.mark.slow
def test_ratelimit__processes_share_one_budget(fake: FakeJsonApi, server: HTTPServer, cache_dir: Path) -> None:
    started = time.monotonic()
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, server.url_for("/"), SECRET_A, str(w), "8"]) for w in range(3)
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0]
    elapsed = time.monotonic() - started
    assert fake.count() == 24
    # The budget admits 8 a second; a request admitted at t reaches the server when its process is next
    # scheduled, so on a loaded machine arrivals bunch: 0.25 s of that is allowed, and the pace is proven by
    # the time it took.
    assert fake.max_in_window(0.75) <= 8
    assert elapsed >= 2.0  # 24 requests at 8 per second cannot finish sooner


def test_ratelimit__threads_of_one_load_share_the_budget(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    client = make_client(rate_limit=(5, 1.0), max_workers=4)
    load_listing(
        client, resource="users", spec=RequestSpec("users"), schema=USERS, paginator=JsonApiPaginator(page_size=20)
    )
    assert fake.count() == 13
    assert fake.max_in_window(1.0) <= 5


def test_ratelimit__cache_hits_cost_nothing(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    client = make_client(rate_limit=(3, 30.0))
    specs = [RequestSpec("users", params={"page[size]": 10, "page[number]": n}) for n in (1, 2, 3)]
    for spec in specs:  # the whole budget for the next 30 s
        client.request("GET", spec)
    started = time.monotonic()
    for _ in range(20):
        for spec in specs:
            assert client.request("GET", spec).from_cache
    assert time.monotonic() - started < 5  # a 4th network request would wait 30 s
    assert fake.count() == 3
