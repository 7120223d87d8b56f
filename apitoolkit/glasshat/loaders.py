"""Glasshat loaders: clients, projects (of one client or all) and tasks (of one project or all).

Listings page by ``page``/``per_page`` in whatever shape the server answers (`FlexiblePaginator`).

Loading the projects of every client, or the tasks of every project, fetches them concurrently, bounded
by the client's workers and its rate limit, each listing cached on its own.
"""

from __future__ import annotations

import pandas as pd

from apitoolkit.arguments import as_flag, as_id, as_optional_flag
from apitoolkit.frames import Schema
from apitoolkit.glasshat.client import GlasshatClient
from apitoolkit.glasshat.schema import CLIENTS, PROJECTS, TASKS
from apitoolkit.http.paginators import FlexiblePaginator, RequestSpec
from apitoolkit.loading import load_listing, load_windows

__all__ = ["load_clients", "load_projects", "load_tasks"]

PAGE_SIZE = 500


def _options(refresh: object, progress: object) -> None:
    """Refuse a ``refresh`` that is not True/False or a ``progress`` that is not True/False/None."""
    as_flag(refresh, "refresh")
    as_optional_flag(progress, "progress")


def _listing(client: GlasshatClient, path: str, schema: Schema, refresh: bool, progress: bool | None) -> pd.DataFrame:
    return load_listing(
        client,
        resource=schema.name,
        spec=RequestSpec(path),
        schema=schema,
        paginator=FlexiblePaginator(PAGE_SIZE, record_keys=("data", schema.name)),
        refresh=refresh,
        progress=progress,
        records_key=schema.name,
    )


def _all(
    client: GlasshatClient, parents: list[int], path: str, schema: Schema, refresh: bool, progress: bool | None
) -> pd.DataFrame:
    frame = load_windows(
        client,
        resource=schema.name,
        schema=schema,
        windows=parents,
        load_one=lambda parent: _listing(client, path.format(parent), schema, refresh, False),
        progress=progress,
    )
    attrs = dict(frame.attrs)
    frame = frame.sort_values("id", kind="stable").reset_index(drop=True)
    frame.attrs = attrs
    return frame


def load_clients(
    client: GlasshatClient | None = None, *, refresh: bool = False, progress: bool | None = None
) -> pd.DataFrame:
    """The licence's clients (``id``, ``name``, ``website``, ``created``).

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated Glasshat
        ...     client = GlasshatClient(emu.app.glasshat.api_key, base_url=emu.base_url("glasshat"), cache=cache)
        ...     clients = load_clients(client)
        >>> clients.columns.tolist()
        ['id', 'name', 'website', 'created']
    """
    _options(refresh, progress)
    return _listing(GlasshatClient.resolve(client), "account/0/clients", CLIENTS, refresh, progress)


def load_projects(
    client_id: int | None = None,
    *,
    client: GlasshatClient | None = None,
    refresh: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """The projects of one client, or of every client (fetched concurrently).

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated Glasshat
        ...     client = GlasshatClient(emu.app.glasshat.api_key, base_url=emu.base_url("glasshat"), cache=cache)
        ...     projects = load_projects(client=client)
        >>> projects.columns.tolist()
        ['id', 'client_id', 'name', 'domain', 'created']
    """
    _options(refresh, progress)
    parent = None if client_id is None else as_id(client_id, "client_id")
    c = GlasshatClient.resolve(client)
    if parent is not None:
        return _listing(c, f"client/{parent}/projects", PROJECTS, refresh, progress)
    clients = load_clients(c, refresh=refresh, progress=False)
    return _all(c, [int(i) for i in clients["id"]], "client/{}/projects", PROJECTS, refresh, progress)


def load_tasks(
    project_id: int | None = None,
    *,
    client: GlasshatClient | None = None,
    refresh: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """The tasks (action recommendations) of one project, or of every project (fetched concurrently).

    Example:
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated Glasshat
        ...     client = GlasshatClient(emu.app.glasshat.api_key, base_url=emu.base_url("glasshat"), cache=cache)
        ...     open_tasks = load_tasks(client=client).query("status != 'done'")
        >>> sorted(open_tasks["status"].unique())
        ['dismissed', 'in_progress', 'open']
    """
    _options(refresh, progress)
    parent = None if project_id is None else as_id(project_id, "project_id")
    c = GlasshatClient.resolve(client)
    if parent is not None:
        return _listing(c, f"project/{parent}/tasks", TASKS, refresh, progress)
    projects = load_projects(client=c, refresh=refresh, progress=False)
    return _all(c, [int(i) for i in projects["id"]], "project/{}/tasks", TASKS, refresh, progress)
