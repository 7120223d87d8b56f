"""Glasshat loaders under every reading of what the documents leave open: listing shapes, capped pages, paging."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

import apitoolkit.glasshat.loaders as loaders
from apitoolkit.emulator import EmulatorServer
from apitoolkit.emulator.glasshat.service import GlasshatService
from apitoolkit.exceptions import PaginationError, TransportError
from apitoolkit.glasshat import GlasshatClient, load_clients, load_projects, load_tasks
from tests.helpers import FAST_RETRY

SHAPES = GlasshatService.dialects["listing"]
#: Shapes that say where the listing ends; without that, a page shorter than asked for must end it.
SAY_THE_END = [s for s in SHAPES if s not in {"bare_array", "data"}]
PAGE = 10  # Small pages: the small account's listings take several.


@pytest.fixture
def dialect(emulator: EmulatorServer) -> Iterator[Callable[..., None]]:
    """Sets Glasshat's dialect readings; restores the defaults afterwards (they outlive `reset`)."""

    def configure(**readings: str) -> None:
        emulator.app.configure(service="glasshat", dialect=readings)

    yield configure
    defaults: dict[str, str | None] = dict.fromkeys(GlasshatService.dialects)
    emulator.app.configure(service="glasshat", dialect=defaults)


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "PAGE_SIZE", PAGE)


def _client(emulator: EmulatorServer, **options: Any) -> GlasshatClient:
    env = emulator.environ()
    return GlasshatClient(
        api_key=env["GLASSHAT_API_KEY"], base_url=env["GLASSHAT_BASE_URL"], retry=FAST_RETRY, **options
    )


def _truth(emulator: EmulatorServer) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, int]:
    """Clients, all projects and the largest project's tasks under today's reading, checked against the backend."""
    client = _client(emulator)
    account = emulator.app.glasshat.accounts[emulator.environ()["GLASSHAT_API_KEY"]]
    clients = load_clients(client, refresh=True)
    projects = load_projects(client=client, refresh=True)
    assert sorted(clients["id"]) == sorted(account.clients.ids())
    assert sorted(projects["id"]) == sorted(account.projects.ids())
    project = max(account.projects.ids(), key=lambda p: len(account.project_tasks(p)))
    assert len(account.project_tasks(project)) > 3 * PAGE
    tasks = load_tasks(project, client=client, refresh=True)
    assert sorted(tasks["id"]) == sorted(account.project_tasks(project))
    return clients, projects, tasks, project


@pytest.mark.parametrize(("listing", "cap"), [(s, "none") for s in SHAPES] + [(s, "7") for s in SAY_THE_END])
def test_glasshat_loaders__every_listing_shape_loads_the_emulators_records(
    emulator: EmulatorServer, dialect: Callable[..., None], small_pages: None, listing: str, cap: str
) -> None:
    clients, projects, tasks, project = _truth(emulator)
    dialect(listing=listing, page_size_cap=cap)
    client = _client(emulator)
    pd.testing.assert_frame_equal(load_clients(client, refresh=True), clients)
    pd.testing.assert_frame_equal(load_projects(client=client, refresh=True), projects)
    pd.testing.assert_frame_equal(load_tasks(project, client=client, refresh=True), tasks)
    pages = [r for r in emulator.app.stats.requests if r.path == f"/project/{project}/tasks"]
    assert len(pages) >= 2 * -(-len(tasks) // PAGE)  # truth and this load each paged through them all


@pytest.mark.parametrize("listing", SHAPES)
def test_glasshat_loaders__server_ignoring_page_is_a_pagination_error_at_page_2(
    emulator: EmulatorServer, dialect: Callable[..., None], small_pages: None, listing: str
) -> None:
    account = emulator.app.glasshat.accounts[emulator.environ()["GLASSHAT_API_KEY"]]
    project = max(account.projects.ids(), key=lambda p: len(account.project_tasks(p)))
    dialect(listing=listing, ignores_page="yes")
    with pytest.raises(PaginationError, match="ignores the page parameter"):
        # With any number of workers: the client asks for page 2 alone before the rest.
        load_tasks(project, client=_client(emulator))
    pages = [r for r in emulator.app.stats.requests if r.path == f"/project/{project}/tasks"]
    assert len(pages) == 2


def test_glasshat_loaders__a_listing_on_one_page_loads_though_the_server_ignores_page(
    emulator: EmulatorServer, dialect: Callable[..., None]
) -> None:
    clients = load_clients(_client(emulator))
    dialect(listing="bare_array", ignores_page="yes")
    pd.testing.assert_frame_equal(load_clients(_client(emulator), refresh=True), clients)


def test_glasshat_client__no_answer_names_the_base_url_variable(emulator: EmulatorServer) -> None:
    client = GlasshatClient(api_key="0" * 32, base_url="http://127.0.0.1:9", retry=FAST_RETRY)
    assert "Set GLASSHAT_BASE_URL to your Glasshat API server" in client.hint(None)
    with pytest.raises(TransportError) as caught:
        load_clients(client)
    assert str(caught.value).startswith(
        "Glasshat: could not connect to 127.0.0.1:9 (connection refused). Set GLASSHAT_BASE_URL to your Glasshat API"
    )
    assert "APITOOLKIT_OFFLINE=1" in str(caught.value)
