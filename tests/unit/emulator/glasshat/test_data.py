"""Generated Glasshat data: deterministic, sized by overrides, realistic; reset drops every change."""

from __future__ import annotations

import time

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.glasshat import GlasshatAccount, GlasshatBackend
from apitoolkit.emulator.glasshat.data import Counts
from tests.helpers import APP_NOW, Glasshat


def _records(account: GlasshatAccount) -> tuple[list, list, list]:
    return list(account.clients), list(account.projects), list(account.tasks)


def _default(backend: GlasshatBackend) -> GlasshatAccount:
    return backend.accounts[backend.api_key]


def test_data__same_seed_same_data_other_seed_other_data() -> None:
    first = _records(_default(GlasshatBackend(seed=1, size="small", now=APP_NOW)))
    assert first == _records(_default(GlasshatBackend(seed=1, size="small", now=APP_NOW)))
    other = _records(_default(GlasshatBackend(seed=2, size="small", now=APP_NOW)))
    assert all(mine != theirs for mine, theirs in zip(first, other, strict=True))


def test_data__every_client_has_a_project_and_names_are_unique(account: GlasshatAccount) -> None:
    clients, projects, _ = _records(account)
    assert {project["client_id"] for project in projects} == {client["id"] for client in clients}
    assert len({client["name"] for client in clients}) == len(clients)
    assert len({(project["client_id"], project["name"]) for project in projects}) == len(projects)


def test_data__overrides_and_sizes() -> None:
    app = EmulatorApp(seed=1, now=APP_NOW, glasshat={"clients": 2, "projects": 2, "tasks": 5})
    assert tuple(map(len, _records(_default(app.glasshat)))) == (2, 2, 5)
    assert Counts.for_size("medium") == Counts(20, 80, 5_000) and Counts.for_size("large") == Counts(100, 500, 50_000)


@pytest.mark.parametrize(
    "overrides",
    [{"tasks": -1}, {"clients": 0}, {"clients": 1, "projects": 0}, {"shoes": 1}, {"tasks": "9"}],
)
def test_data__invalid_counts_are_refused(overrides: dict) -> None:
    with pytest.raises(ValueError):
        EmulatorApp(now=APP_NOW, glasshat=overrides)


def test_data__realistic_names_and_missing_websites() -> None:
    clients, projects, tasks = _records(_default(GlasshatBackend(seed=1, size="medium", now=APP_NOW)))
    assert any(not client["name"].isascii() for client in clients)
    assert any(client["website"] is None for client in clients)
    assert all(project["domain"] and "." in project["domain"] for project in projects)
    assert len({task["title"] for task in tasks}) > 500


@pytest.mark.slow
def test_data__large_counts_and_generation_time() -> None:
    started = time.perf_counter()
    backend = GlasshatBackend(seed=3, size="large", now=APP_NOW)
    assert time.perf_counter() - started < 10
    assert tuple(map(len, _records(_default(backend)))) == (100, 500, 50_000)


def test_reset__restores_tasks_and_drops_creations(
    app: EmulatorApp, glasshat: Glasshat, account: GlasshatAccount
) -> None:
    before = _records(account)
    task = before[2][0]
    glasshat.post(f"/task/{task['id']}/update", json={"apikey": glasshat.key, "title": "Changed"})
    glasshat.post("/account/0/clients/create", json={"apikey": glasshat.key, "name": "New client"})
    account.insert("tasks", 3, task["project_id"])
    assert _records(account) != before
    app.reset()
    assert _records(account) == before
