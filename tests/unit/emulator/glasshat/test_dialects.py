"""Glasshat's listing dialects: each shape, capped pages and a server that ignores ``page``."""

from __future__ import annotations

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.glasshat import GlasshatAccount
from apitoolkit.emulator.glasshat.service import GlasshatService
from tests.helpers import Glasshat


def test_dialects__the_default_is_todays_keyed_page(glasshat: Glasshat, account: GlasshatAccount) -> None:
    assert GlasshatService.dialects["listing"][0] == "keyed_total"
    document = glasshat.ok("/account/0/clients", per_page=2)
    assert set(document) == {"clients", "page", "per_page", "total"}
    assert (document["page"], document["per_page"], document["total"]) == (1, 2, len(account.clients.ids()))


@pytest.mark.parametrize(
    ("shape", "keys"),
    [
        ("data", {"data"}),
        ("laravel_meta", {"data", "links", "meta"}),
        (
            "laravel_simple",
            {
                "current_page",
                "data",
                "first_page_url",
                "from",
                "next_page_url",
                "path",
                "per_page",
                "prev_page_url",
                "to",
            },
        ),
        (
            "laravel_length_aware",
            {
                "current_page",
                "data",
                "first_page_url",
                "from",
                "next_page_url",
                "path",
                "per_page",
                "prev_page_url",
                "to",
                "last_page",
                "last_page_url",
                "total",
            },
        ),
    ],
)
def test_dialects__object_shapes(app: EmulatorApp, glasshat: Glasshat, shape: str, keys: set[str]) -> None:
    app.configure(service="glasshat", dialect={"listing": shape})
    document = glasshat.ok("/account/0/clients", per_page=2, page=1)
    assert set(document) == keys and len(document["data"]) == 2
    nxt = document.get("next_page_url") or document.get("links", {}).get("next")
    if shape != "data":
        assert "page=2" in nxt and "apikey" not in nxt  # links never echo the licence key


@pytest.mark.parametrize("shape", ["bare_array", "link_header"])
def test_dialects__bare_arrays(app: EmulatorApp, glasshat: Glasshat, account: GlasshatAccount, shape: str) -> None:
    app.configure(service="glasshat", dialect={"listing": shape})
    response = glasshat.get("/account/0/clients", per_page=2, page=2)
    assert [c["id"] for c in response.json] == account.clients.ids()[2:4]
    link = response.headers.get("Link")
    assert (link is not None and 'rel="prev"' in link) == (shape == "link_header")


def test_dialects__page_size_cap_serves_fewer_than_asked(
    app: EmulatorApp, glasshat: Glasshat, account: GlasshatAccount
) -> None:
    app.configure(service="glasshat", dialect={"page_size_cap": "7", "listing": "laravel_meta"})
    project = max(account.projects.ids(), key=lambda p: len(account.project_tasks(p)))
    tasks = glasshat.ok(f"/project/{project}/tasks", per_page=100, page=2)
    assert [t["id"] for t in tasks["data"]] == account.project_tasks(project)[7:14]
    assert tasks["meta"]["per_page"] == 7 and tasks["meta"]["last_page"] == -(-tasks["meta"]["total"] // 7)


def test_dialects__ignores_page_answers_page_one(app: EmulatorApp, glasshat: Glasshat) -> None:
    app.configure(service="glasshat", dialect={"ignores_page": "yes"})
    first = glasshat.ok("/account/0/clients", per_page=2, page=1)
    assert glasshat.ok("/account/0/clients", per_page=2, page=2) == first and first["page"] == 1


def test_dialects__unknown_reading_is_refused(app: EmulatorApp) -> None:
    with pytest.raises(ValueError, match="listing"):
        app.configure(service="glasshat", dialect={"listing": "xml"})
