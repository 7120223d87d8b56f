"""Happy Grasshopper contacts under every reading of what the documents leave open: listing shape and paging."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

import apitoolkit.happygrasshopper.loaders as loaders
from apitoolkit.emulator import EmulatorServer
from apitoolkit.emulator.happygrasshopper.service import HappyGrasshopperService
from apitoolkit.exceptions import PaginationError
from apitoolkit.happygrasshopper import HappyGrasshopperClient, load_contacts
from tests.helpers import FAST_RETRY

SHAPES = HappyGrasshopperService.dialects["listing"]
#: Shapes that say where the listing ends; without that, a page shorter than asked for must end it.
SAY_THE_END = [s for s in SHAPES if s not in {"bare_array", "data"}]
PAGE = 25  # The small account's 200 contacts take 8 pages.


@pytest.fixture
def dialect(emulator: EmulatorServer) -> Iterator[Callable[..., None]]:
    """Sets Happy Grasshopper's dialect readings; restores the defaults afterwards (they outlive `reset`)."""

    def configure(**readings: str) -> None:
        emulator.app.configure(service="happygrasshopper", dialect=readings)

    yield configure
    defaults: dict[str, str | None] = dict.fromkeys(HappyGrasshopperService.dialects)
    emulator.app.configure(service="happygrasshopper", dialect=defaults)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "PAGE_SIZE", PAGE)


def _client(emulator: EmulatorServer, **options: Any) -> HappyGrasshopperClient:
    env = emulator.environ()
    return HappyGrasshopperClient(
        api_key=env["HAPPYGRASSHOPPER_API_KEY"], base_url=env["HAPPYGRASSHOPPER_BASE_URL"], retry=FAST_RETRY, **options
    )


def _listed(emulator: EmulatorServer) -> int:
    return sum(1 for r in emulator.app.stats.requests if r.service == "happygrasshopper" and r.path == "/contacts")


@pytest.mark.parametrize(("listing", "cap"), [(s, "none") for s in SHAPES] + [(s, "7") for s in SAY_THE_END])
def test_load_contacts__every_listing_shape_loads_the_emulators_records(
    emulator: EmulatorServer, dialect: Callable[..., None], listing: str, cap: str
) -> None:
    truth = load_contacts(_client(emulator), refresh=True)
    assert sorted(truth["id"]) == sorted(emulator.app.happygrasshopper.contacts.ids())
    company = str(truth["company"].dropna().iloc[0])
    searched = load_contacts(_client(emulator), refresh=True, company=company, status="unsubscribed")
    before = _listed(emulator)
    dialect(listing=listing, page_size_cap=cap)
    pd.testing.assert_frame_equal(load_contacts(_client(emulator), refresh=True), truth)
    size = 7 if cap == "7" else PAGE
    # Every page once; past the end only when nothing says where it is and the last page is full.
    pages = -(-len(truth) // size) if listing in SAY_THE_END else len(truth) // size + 1
    assert _listed(emulator) - before == pages
    again = load_contacts(_client(emulator), refresh=True, company=company, status="unsubscribed")
    pd.testing.assert_frame_equal(again, searched)


@pytest.mark.parametrize("listing", SHAPES)
def test_load_contacts__server_ignoring_page_is_a_pagination_error_at_page_2(
    emulator: EmulatorServer, dialect: Callable[..., None], listing: str
) -> None:
    dialect(listing=listing, ignores_page="yes")
    with pytest.raises(PaginationError, match="ignores the page parameter"):
        # With any number of workers: the client asks for page 2 alone before the rest.
        load_contacts(_client(emulator))
    assert _listed(emulator) == 2
