"""Glasshat state: accounts (one per API key) holding clients, projects and tasks, with ``reset()`` to the seed."""

from __future__ import annotations

import bisect
import hashlib
import threading
import time
from datetime import datetime
from typing import Any

import numpy as np

from apitoolkit.emulator.core.accounts import AccountsBackend
from apitoolkit.emulator.core.records import RecordStore
from apitoolkit.emulator.glasshat.data import TASK_STATUSES, Counts, DataGenerator, render_time
from apitoolkit.emulator.glasshat.exceptions import GlasshatError

MAX_TITLE = 255


class GlasshatAccount:
    """One Glasshat account: its clients, their projects and the projects' tasks, generated from ``seed``.

    Example:
        >>> from datetime import UTC, datetime
        >>> account = GlasshatAccount(seed=1, counts=Counts.for_size("small"), now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> len(account.clients), len(account.projects), len(account.tasks)
        (4, 10, 400)
    """

    def __init__(self, *, seed: int, counts: Counts, now: datetime) -> None:
        self.seed = seed
        self.counts = counts
        self._generator = DataGenerator(seed, now)
        clients, projects, tasks = self._generator.generate(counts)
        self.clients = RecordStore(clients)
        self.projects = RecordStore(projects)
        self.tasks = RecordStore(tasks)
        self._lock = threading.RLock()
        self.reset()

    def __repr__(self) -> str:
        return f"<GlasshatAccount seed={self.seed} clients={len(self.clients)} tasks={len(self.tasks)}>"

    def reset(self) -> None:
        """Drop created and inserted records and restore changed tasks."""
        with self._lock:
            for store in (self.clients, self.projects, self.tasks):
                store.reset()
            self._projects_of = _index(self.projects, "client_id")
            self._tasks_of = _index(self.tasks, "project_id")
            self._insertions = 0

    def client_projects(self, client_id: int) -> list[int]:
        """The ids of a client's projects, ascending (404 ``no_client`` for an unknown client)."""
        if client_id not in self.clients:
            raise GlasshatError("no_client", f"Client ID {client_id} not found.")
        return self._projects_of.get(client_id, [])

    def project_tasks(self, project_id: int) -> list[int]:
        """The ids of a project's tasks, ascending (404 ``no_project`` for an unknown project)."""
        if project_id not in self.projects:
            raise GlasshatError("no_project", f"Project ID {project_id} not found.")
        return self._tasks_of.get(project_id, [])

    def create_client(self, name: str) -> dict[str, Any]:
        """Add a client; 409 ``client_exists`` when the name is taken (case-insensitive)."""
        with self._lock:
            if _taken(name, (client["name"] for client in self.clients)):
                raise GlasshatError("client_exists")
            client: dict[str, Any] = {
                "id": _next_id(self.clients, 1_000),
                "name": name.strip(),
                "website": None,
                "created": render_time(int(time.time())),
            }
            self.clients.put(client)
            return client

    def create_project(self, client_id: int, name: str, domain: str | None) -> dict[str, Any]:
        """Add a project to a client; 409 ``project_exists`` when the client has one of that name."""
        with self._lock:
            existing = self.client_projects(client_id)
            if _taken(name, ((self.projects.get(id_) or {}).get("name", "") for id_ in existing)):
                raise GlasshatError("project_exists")
            project: dict[str, Any] = {
                "id": _next_id(self.projects, 20_000),
                "client_id": client_id,
                "name": name.strip(),
                "domain": domain,
                "created": render_time(int(time.time())),
            }
            self.projects.put(project)
            self._projects_of.setdefault(client_id, []).append(project["id"])
            return project

    def update_task(
        self, task_id: int, *, status: str | None = None, priority: int | None = None, title: str | None = None
    ) -> dict[str, Any]:
        """Change a task's status, priority or title; ``updated`` becomes now, ``completed`` follows ``done``.

        Raises:
            GlasshatError: ``no_task``, or ``invalid_parameter`` for a value out of range.
        """
        if status is not None and status not in TASK_STATUSES:
            raise GlasshatError("invalid_parameter", f"status must be one of {', '.join(TASK_STATUSES)}.")
        if priority is not None and not 1 <= priority <= 5:
            raise GlasshatError("invalid_parameter", "priority must be an integer from 1 (highest) to 5.")
        if title is not None and not 0 < len(title.strip()) <= MAX_TITLE:
            raise GlasshatError("invalid_parameter", f"title must have 1 to {MAX_TITLE} characters.")
        with self._lock:
            task = self.tasks.get(task_id)
            if task is None:
                raise GlasshatError("no_task", f"Action ID {task_id} not found.")
            now = render_time(int(time.time()))
            changes: dict[str, Any] = {"updated": now}
            if priority is not None:
                changes["priority"] = priority
            if title is not None:
                changes["title"] = title.strip()
            if status is not None:
                changes["status"] = status
                changes["completed"] = (task["completed"] or now) if status == "done" else None
            return self.tasks.update(task_id, changes)

    def insert(self, kind: str, records: int, scope: int | None = None) -> None:
        """Add ``records`` clients, projects (of client ``scope``) or tasks (of project ``scope``) that sort first.

        Their ids are below the smallest existing one; nothing is added when the scope is unknown.
        """
        with self._lock:
            self._insertions += 1
            generator = self._generator.fork(self._insertions)
            store = {"clients": self.clients, "projects": self.projects, "tasks": self.tasks}[kind]
            lowest = store.lowest_id()
            first = 1_000 if lowest is None else lowest
            ids = (first - np.arange(records, 0, -1)).tolist()
            parent = None if scope is None else (self.clients if kind == "projects" else self.projects).get(scope)
            if kind == "clients":
                new = generator.clients(ids, [generator.now] * records)
            elif parent is None:
                return
            else:
                new = (generator.projects if kind == "projects" else generator.tasks)(ids, [parent])
            index = self._projects_of if kind == "projects" else self._tasks_of if kind == "tasks" else None
            for record in new:
                store.put(record)
                if index is not None and scope is not None:
                    bisect.insort(index.setdefault(scope, []), record["id"])

    def delete(self, kind: str, records: int, scope: int | None = None) -> None:
        """Delete the ``records`` clients, projects (of client ``scope``) or tasks (of project ``scope``) sorting first.

        Those are the lowest ids; what they contain stays, unlisted.
        """
        with self._lock:
            store = {"clients": self.clients, "projects": self.projects, "tasks": self.tasks}[kind]
            index = self._projects_of if kind == "projects" else self._tasks_of if kind == "tasks" else None
            listed = store.ids() if index is None else index.get(scope, []) if scope is not None else []
            doomed = list(listed[:records])
            for id_ in doomed:
                store.remove(id_)
            if index is not None and scope is not None:
                index[scope] = [id_ for id_ in listed if id_ not in doomed]


class GlasshatBackend(AccountsBackend[GlasshatAccount]):
    """The state of the emulated Glasshat: accounts by API key (32 characters), the default one first.

    Args:
        seed: Seed of the default account's data.
        size: "small", "medium" or "large".
        now: The instant the data is anchored to (tz-aware).
        counts: Overrides of the size's counts (``clients``, ``projects``, ``tasks``).

    Attributes:
        over_allowance: While True every request with a valid key answers 402 ``too_many_items``.

    Example:
        >>> from datetime import UTC, datetime
        >>> backend = GlasshatBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> len(backend.api_key)
        32
    """

    title = "Glasshat"
    account_type = GlasshatAccount
    counts_type = Counts

    def __init__(self, *, seed: int, size: str, now: datetime, counts: dict[str, int] | None = None) -> None:
        self.over_allowance = False
        super().__init__(
            api_key=hashlib.sha256(f"glasshat-emulator-{seed}".encode()).hexdigest()[:32],
            seed=seed,
            size=size,
            now=now,
            counts=counts,
        )

    def reset(self) -> None:
        """Back to the seed state: added accounts removed, the default one restored, ``over_allowance`` off."""
        super().reset()
        self.over_allowance = False


def _index(store: RecordStore, key: str) -> dict[int, list[int]]:
    index: dict[int, list[int]] = {}
    for record in store:
        index.setdefault(record[key], []).append(record["id"])
    return index


def _taken(name: str, names: Any) -> bool:
    wanted = name.strip().casefold()
    return any(str(other).strip().casefold() == wanted for other in names)


def _next_id(store: RecordStore, floor: int) -> int:
    ids = store.ids()
    return max(ids[-1] if ids else floor, floor) + 1
