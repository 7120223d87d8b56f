"""IT Glue logs past the 5-page cap under every reading of what ``meta`` reports there (dialect ``logs_cap``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from apitoolkit.emulator import EmulatorServer
from apitoolkit.emulator.itglue.service import ITGlueService
from apitoolkit.http.paginators import CappedJsonApiPaginator, JsonApiPaginator, RequestSpec
from apitoolkit.itglue import load_logs
from apitoolkit.itglue import loaders as itglue_loaders

READINGS = ITGlueService.dialects["logs_cap"]


@pytest.fixture(params=READINGS)
def logs_cap(request: pytest.FixtureRequest, emulator: EmulatorServer) -> Iterator[str]:
    """The emulator serving /logs under one reading of ``logs_cap`` (back to the default afterwards)."""
    emulator.app.configure(service="itglue", dialect={"logs_cap": request.param})
    yield request.param
    emulator.app.configure(service="itglue", dialect={"logs_cap": None})


def truth(emulator: EmulatorServer) -> list[dict[str, Any]]:
    backend = emulator.app.itglue
    return list(backend.accounts[backend.api_key].logs)


def small_page(emulator: EmulatorServer) -> int:
    """A page size at which the busiest day fills more than 5 pages, yet no burst of one second does."""
    stamps = pd.Series([r["attributes"]["created-at"] for r in truth(emulator)])
    per_second = int(stamps.value_counts().max())
    per_day = int(pd.to_datetime(stamps, utc=True).dt.floor("D").value_counts().max())
    size = per_second // 5 + 1
    assert per_day > 5 * size, "the emulator's busiest day must exceed the cap at this page size"
    return size


def meta_of(emulator: EmulatorServer, itglue: Any, page: int, size: int) -> dict[str, Any]:
    response = itglue.request("GET", RequestSpec("logs", {"page[number]": page, "page[size]": size}), refresh=True)
    meta: dict[str, Any] = response.payload["meta"]
    return meta


def test_logs_cap__emulator_meta_follows_the_reading(emulator: EmulatorServer, itglue: Any, logs_cap: str) -> None:
    total = len(truth(emulator))
    size = total // 7 + 1  # 7 pages in all: 2 past the cap
    first, fifth = meta_of(emulator, itglue, 1, size), meta_of(emulator, itglue, 5, size)
    if logs_cap == "total_pages_beyond":
        assert (first["total-pages"], fifth["next-page"], fifth["total-count"]) == (7, 6, total)
    else:
        assert (first["total-pages"], fifth["total-pages"], fifth["next-page"]) == (5, 5, None)
        assert first["next-page"] == 2
    assert ("total-count" in first) is (logs_cap != "no_count")
    if logs_cap == "total_pages_capped":
        assert first["total-count"] == total


def test_load_logs__every_row_under_every_cap_reading(
    itglue: Any, emulator: EmulatorServer, logs_cap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = truth(emulator)
    monkeypatch.setattr(itglue_loaders, "PAGE_SIZE", small_page(emulator))
    logs = load_logs(client=itglue)
    assert sorted(logs["id"]) == sorted(int(r["id"]) for r in records)
    assert logs["id"].is_unique and logs["created_at"].is_monotonic_increasing
    requests = [r for r in emulator.app.stats.requests if r.path.endswith("logs")]
    assert all(r.status == 200 for r in requests)
    assert max(int(r.query["page[number]"][0]) for r in requests) == 5
    starts = [r.query["filter[created_at]"][0].split(",")[0] for r in requests if r.query["page[number]"] == ["1"]]
    assert len(starts) > len({s[:10] for s in starts}), "some day must have been walked past its 5 pages"


def test_load_logs__a_day_of_exactly_five_full_pages(
    itglue: Any, emulator: EmulatorServer, logs_cap: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A window holding exactly 5 full pages: the busiest day, cut after its (5 k)-th row at a second where the
    # next row has a later timestamp. (Looking for a whole day whose count divides by 5 depended on the day the
    # tests ran; the emulator's data is anchored to now.)
    records = truth(emulator)
    stamps = pd.to_datetime(pd.Series([r["attributes"]["created-at"] for r in records]), utc=True)
    ids = pd.Series([int(r["id"]) for r in records])
    day = stamps.dt.floor("D").value_counts().index[0]
    order = stamps[stamps.dt.floor("D") == day].sort_values()
    cuts = [
        k for k in range(len(order) // 5, 1, -1) if 5 * k == len(order) or order.iloc[5 * k - 1] < order.iloc[5 * k]
    ]
    assert cuts, f"the emulator's busiest day ({len(order)} of {len(records)} rows) should hold 10 rows or more"
    size = cuts[0]
    end = order.iloc[5 * size - 1]
    monkeypatch.setattr(itglue_loaders, "PAGE_SIZE", size)
    logs = load_logs(day, end, client=itglue)
    assert len(logs) == 5 * size
    assert sorted(logs["id"]) == sorted(ids[(stamps >= day) & (stamps <= end)])


def test_paginate__plain_paginator_misreads_a_capped_meta(itglue: Any, emulator: EmulatorServer) -> None:
    """Why the logs walk needs `CappedJsonApiPaginator`: under ``total_pages_capped`` the plain one sees no cap."""
    emulator.app.configure(service="itglue", dialect={"logs_cap": "total_pages_capped"})
    try:
        total = len(truth(emulator))
        size = total // 7 + 1
        plain = itglue.paginate(RequestSpec("logs"), JsonApiPaginator(size, max_pages=5), refresh=True)
        assert not plain.capped and len(plain) == 5 and plain.expected_records == total  # 2 pages silently cut
        pages = itglue.paginate(RequestSpec("logs"), CappedJsonApiPaginator(size, max_pages=5), refresh=True)
        assert pages.capped and len(pages) == 5 and pages.expected_records is None
    finally:
        emulator.app.configure(service="itglue", dialect={"logs_cap": None})
