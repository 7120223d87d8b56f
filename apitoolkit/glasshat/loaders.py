"""Glasshat loaders: clients, projects (of one client or all) and tasks (of one project or all).

Listings page by ``page``/``per_page`` in whatever shape the server answers (`FlexiblePaginator`).

Loading the projects of every client, or the tasks of every project, fetches them concurrently, bounded
by the client's workers and its rate limit, each listing cached on its own.
"""

from __future__ import annotations

import pandas as pd

from apitoolkit.arguments import as_flag, as_id, as_optional_flag
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.frames import Schema
from apitoolkit.glasshat.client import GlasshatClient
from apitoolkit.glasshat.schema import CLIENTS, PROJECTS, TASKS
from apitoolkit.http.paginators import FlexiblePaginator, RequestSpec
from apitoolkit.loading import load_listing, load_windows

__all__ = ["load_clients", "load_projects", "load_tasks"]

PAGE_SIZE = 500


def _client(client: GlasshatClient | None) -> GlasshatClient:
    if client is None:
        return GlasshatClient()
    if not isinstance(client, GlasshatClient):
        raise InvalidArgumentError(f"client must be a GlasshatClient, not {type(client).__name__}.")
    return client


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
        >>> load_clients()  # doctest: +SKIP
    """
    _options(refresh, progress)
    return _listing(_client(client), "account/0/clients", CLIENTS, refresh, progress)


def load_projects(
    client_id: int | None = None,
    *,
    client: GlasshatClient | None = None,
    refresh: bool = False,
    progress: bool | None = None,
) -> pd.DataFrame:
    """The projects of one client, or of every client (fetched concurrently).

    Example:
        >>> load_projects()  # doctest: +SKIP
    """
    _options(refresh, progress)
    parent = None if client_id is None else as_id(client_id, "client_id")
    c = _client(client)
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
        >>> open_tasks = load_tasks().query("status != 'done'")  # doctest: +SKIP
    """
    _options(refresh, progress)
    parent = None if project_id is None else as_id(project_id, "project_id")
    c = _client(client)
    if parent is not None:
        return _listing(c, f"project/{parent}/tasks", TASKS, refresh, progress)
    projects = load_projects(client=c, refresh=refresh, progress=False)
    return _all(c, [int(i) for i in projects["id"]], "project/{}/tasks", TASKS, refresh, progress)
