"""Happy Grasshopper's listing dialects: each shape, capped pages and a server that ignores ``page``."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.happygrasshopper.service import HappyGrasshopperService
from tests.helpers import HappyGrasshopper


def test_dialects__the_default_is_todays_laravel_page_with_link_header(hg: HappyGrasshopper) -> None:
    assert HappyGrasshopperService.dialects["listing"][0] == "laravel_meta_link"
    response = hg.get("/contacts", {"per_page": 10})
    assert set(response.json) == {"data", "links", "meta"} and 'rel="next"' in response.headers["Link"]


@pytest.mark.parametrize("shape", HappyGrasshopperService.dialects["listing"])
def test_dialects__every_shape_pages_the_same_contacts(app: EmulatorApp, hg: HappyGrasshopper, shape: str) -> None:
    expected = [c["id"] for c in hg.ok("/contacts", {"per_page": 10, "page": 3})["data"]]
    app.configure(service="happygrasshopper", dialect={"listing": shape})
    body = hg.get("/contacts", {"per_page": 10, "page": 3}).json
    records = body if isinstance(body, list) else body["data"]
    assert [c["id"] for c in records] == expected


def test_dialects__page_size_cap_and_ignores_page(app: EmulatorApp, hg: HappyGrasshopper) -> None:
    app.configure(service="happygrasshopper", dialect={"page_size_cap": "7", "ignores_page": "yes"})
    first = hg.ok("/contacts", {"per_page": 50, "page": 1})
    assert len(first["data"]) == 7 and first["meta"]["per_page"] == 7
    assert hg.ok("/contacts", {"per_page": 50, "page": 4}) == first
