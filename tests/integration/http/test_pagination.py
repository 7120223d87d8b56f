"""Pagination against a real loopback server: order, concurrency, meta over links, loops, duplicates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from apitoolkit.exceptions import ListingChangedError, PaginationError, ServerError
from apitoolkit.frames import DuplicateRecordsWarning
from apitoolkit.http import RequestSpec, SinglePagePaginator
from apitoolkit.http.jsonapi import JsonApiClient
from apitoolkit.loading import load_listing
from tests.integration.http.fakeapi import (
    SECRET_A,
    USERS,
    FakeJsonApi,
    cached_responses,
    jsonapi_error,
    load_users,
    user,
)


def load(client: JsonApiClient, page_size: int = 20, **kwargs: Any) -> pd.DataFrame:
    return load_users(client, page_size=page_size, **kwargs)


def test_paginate__every_record_in_order(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    frame = load(make_client())
    assert frame["id"].tolist() == list(range(1, 251))
    assert fake.count("/users") == 13  # 250 records / 20 per page


def test_paginate__remaining_pages_fetched_concurrently_with_bounded_workers(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    fake.latency = 0.05
    load(make_client(max_workers=3))
    assert fake.max_in_flight == 3


def test_paginate__one_worker_fetches_one_page_at_a_time(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    fake.latency = 0.02
    frame = load(make_client(max_workers=1))
    assert fake.max_in_flight == 1
    assert len(frame) == 250


def test_paginate__follows_next_page_when_total_pages_missing(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    fake.with_total = False
    fake.latency = 0.02
    frame = load(make_client(max_workers=4))
    assert len(frame) == 250
    assert fake.max_in_flight == 1  # no total known: one page after another


def test_paginate__uses_largest_page_size_asked(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    load(make_client(), page_size=1000)
    assert [r.args["page[size]"] for r in fake.log] == ["1000"]


def test_paginate__repeated_next_page_raises(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], server: HTTPServer
) -> None:
    fake.with_total = False

    def stuck(request: Request) -> Response:
        response = fake.serve(request)
        body = response.get_json()
        body["meta"]["current-page"] = 2
        body["meta"]["next-page"] = 2
        response.set_data(__import__("json").dumps(body))
        return response

    fake.faults = [lambda r: None, stuck, stuck]
    with pytest.raises(PaginationError, match="twice|already"):
        load(make_client())


def test_paginate__duplicates_across_pages_dropped_with_count(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    records = fake.records[SECRET_A]

    def shift(request: Request) -> Response | None:
        # Three records arrive and three go before page 2 is served: the count stays, so the client cannot tell,
        # and the last three of page 1 come back again.
        records[0:0] = [user(1000 + i) for i in range(3)]
        del records[-3:]
        return None

    fake.faults = [lambda r: None, shift]
    with pytest.warns(DuplicateRecordsWarning, match="^3 duplicate"):
        frame = load(make_client(max_workers=1))
    assert frame["id"].is_unique
    assert frame["id"].tolist() == list(range(1, 248))


@pytest.mark.parametrize("workers", [1, 4])
def test_paginate__listing_that_lost_records_while_paged_is_paged_again(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], workers: int
) -> None:
    records = fake.records[SECRET_A]

    def shift(request: Request) -> Response | None:
        del records[:3]  # before page 2: records that sort first go, so every later page shifts (rows skipped)
        return None

    fake.faults = [lambda r: None, shift]
    frame = load(make_client(max_workers=workers))
    assert frame["id"].tolist() == [int(r["id"]) for r in records]  # the listing as it stands, once each
    if workers == 1:
        assert fake.count("/users") == 2 + 13  # stopped at page 2, then all 13 pages of 247 records


@pytest.mark.parametrize("page_size", [20, 10])
@pytest.mark.parametrize("workers", [1, 4])
def test_paginate__listing_that_only_grew_while_paged_is_paged_on_and_deduped(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], workers: int, page_size: int
) -> None:
    records = fake.records[SECRET_A]
    before = [int(r["id"]) for r in records]

    def grow(request: Request) -> Response | None:
        records[0:0] = [user(1000 + i) for i in range(3)]  # before page 2: every later page shifts by 3
        return None

    fake.faults = [lambda r: None, grow]
    with pytest.warns(DuplicateRecordsWarning, match="^3 duplicate"):
        frame = load(make_client(max_workers=workers), page_size=page_size)
    assert frame["id"].tolist() == before  # every record that existed when the load began, once each
    pages = -(-253 // page_size)  # the pages the grown listing fills: at 10 a page, one more than page 1 said
    assert fake.count("/users") == pages  # paged on to the end, never again from page 1


def test_paginate__growth_that_the_pages_do_not_account_for_is_paged_again(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    records = fake.records[SECRET_A]

    def grow_and_lose(request: Request) -> Response | None:
        records[0:0] = [user(1000 + i) for i in range(5)]
        del records[30:36]  # 5 in, 6 out, and the count still says it grew: records were skipped
        records.append(user(2000))
        records.append(user(2001))
        return None

    fake.faults = [lambda r: None, grow_and_lose]
    frame = load(make_client(max_workers=1))
    assert frame["id"].tolist() == [int(r["id"]) for r in records]  # paged again: the listing as it stands
    assert fake.count("/users") > 13


def test_paginate__a_failed_listing_caches_none_of_its_pages(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    client = make_client(max_workers=1)
    fake.faults = [lambda r: None] * 4 + [lambda r: jsonapi_error(500, "Internal Server Error", "boom")] * 4
    with pytest.raises(ServerError):
        load(client)  # pages 1-4 arrived, page 5 never did
    assert cached_responses(cache_dir) == 0
    records = fake.records[SECRET_A]
    records[0:0] = [user(1000 + i) for i in range(3)]
    frame = load(client)
    assert frame["id"].tolist() == [int(r["id"]) for r in records]
    assert fake.count("/users") == 8 + 13  # the failed load; then every page, all of the new version
    assert cached_responses(cache_dir) == 13


def test_paginate__listing_that_keeps_changing_raises_after_three_tries(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    records = fake.records[SECRET_A]

    def shrink(request: Request) -> Response | None:
        records.pop(0)  # a record deleted before page 2 of every try
        return None

    fake.faults = [lambda r: None, shrink] * 3
    with pytest.raises(ListingChangedError, match="changed while it was paged.*3 tries"):
        load(make_client(max_workers=1))
    assert fake.count("/users") == 3 * 2  # each try stopped at page 2


def test_paginate__single_page_style(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    frame = load_listing(
        make_client(), resource="users", spec=RequestSpec("users"), schema=USERS, paginator=SinglePagePaginator()
    )
    assert len(frame) == 50  # the server's default page size, one request
    assert fake.count() == 1


def test_paginate__progress_bar_only_when_asked(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], capsys: pytest.CaptureFixture[str]
) -> None:
    load(make_client(), progress=None)
    assert "users" not in capsys.readouterr().err
    load(make_client(), progress=True, refresh=True)
    assert "users" in capsys.readouterr().err
