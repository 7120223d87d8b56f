"""Glasshat client and loaders against the running emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

import apitoolkit
from apitoolkit.emulator import EmulatorServer
from apitoolkit.emulator.glasshat.models import GlasshatBackend
from apitoolkit.exceptions import AuthenticationError, ConflictError, NotFoundError, PermissionDeniedError
from apitoolkit.glasshat import GlasshatClient, load_clients, load_projects, load_tasks
from apitoolkit.http import RequestSpec
from tests.helpers import FAST_RETRY, files_containing


@pytest.fixture
def glasshat(emulator: EmulatorServer) -> GlasshatClient:
    env = emulator.environ()
    return GlasshatClient(api_key=env["GLASSHAT_API_KEY"], base_url=env["GLASSHAT_BASE_URL"], retry=FAST_RETRY)


def backend(emulator: EmulatorServer) -> GlasshatBackend:
    return emulator.app.glasshat


def test_load_clients_projects_tasks__everything_joins(glasshat: GlasshatClient, emulator: EmulatorServer) -> None:
    clients = load_clients(glasshat)
    projects = load_projects(client=glasshat)
    tasks = load_tasks(client=glasshat)
    assert len(clients) and len(projects) and len(tasks)
    assert set(projects["client_id"]) <= set(clients["id"])
    assert set(tasks["project_id"]) <= set(projects["id"])
    assert tasks["id"].is_unique and str(tasks["created"].dtype) == "datetime64[us, UTC]"
    done = tasks[tasks["status"] == "done"]
    assert done["completed"].notna().all()
    assert tasks.loc[tasks["status"] != "done", "completed"].isna().all()


def test_load_tasks__one_project_equals_its_share_of_all(glasshat: GlasshatClient) -> None:
    every = load_tasks(client=glasshat)
    project = int(every["project_id"].iloc[0])
    mine = load_tasks(project, client=glasshat)
    assert sorted(mine["id"]) == sorted(every.loc[every["project_id"] == project, "id"])


def test_load_tasks__all_projects_fetched_concurrently_under_the_limit(
    glasshat: GlasshatClient, emulator: EmulatorServer
) -> None:
    emulator.app.configure(latency=0.1)
    load_tasks(client=glasshat)
    assert emulator.app.stats.snapshot()["max_in_flight"] >= 2


def test_glasshat__key_goes_in_the_query_and_never_to_disk(
    glasshat: GlasshatClient, emulator: EmulatorServer, cache_dir: Path
) -> None:
    load_tasks(client=glasshat)
    key = emulator.environ()["GLASSHAT_API_KEY"]
    assert files_containing(cache_dir, key) == []
    assert all(r.query.get("apikey") != [key] for r in emulator.app.stats.requests)  # recorded redacted


def test_glasshat__wrong_key_is_403_no_license(emulator: EmulatorServer) -> None:
    client = GlasshatClient(api_key="0" * 32, base_url=emulator.environ()["GLASSHAT_BASE_URL"], retry=FAST_RETRY)
    with pytest.raises(PermissionDeniedError) as info:
        load_clients(client)
    assert info.value.status == 403 and info.value.code == "no_license"
    assert "GLASSHAT_API_KEY" in str(info.value) and "0" * 32 not in str(info.value)


def test_glasshat__over_allowance_is_402(glasshat: GlasshatClient, emulator: EmulatorServer) -> None:
    backend(emulator).over_allowance = True
    with pytest.raises(PermissionDeniedError, match="allowance") as info:
        load_clients(glasshat)
    assert info.value.status == 402 and info.value.code == "too_many_items"


def test_glasshat__unknown_ids_are_not_found(glasshat: GlasshatClient) -> None:
    with pytest.raises(NotFoundError) as info:
        load_projects(987654321, client=glasshat)
    assert info.value.code == "no_client"
    with pytest.raises(NotFoundError, match="no_project"):
        load_tasks(987654321, client=glasshat)
    with pytest.raises(apitoolkit.InvalidArgumentError):
        load_tasks("abc", client=glasshat)  # type: ignore[arg-type]


def test_glasshat__duplicate_client_is_conflict(glasshat: GlasshatClient) -> None:
    name = str(load_clients(glasshat)["name"].iloc[0])
    with pytest.raises(ConflictError) as info:
        glasshat.request("POST", RequestSpec("account/0/clients/create", params={"name": name}), cache=False)
    assert info.value.status == 409 and info.value.code == "client_exists"


def test_glasshat__missing_key_names_the_variable() -> None:
    with pytest.raises(apitoolkit.ConfigurationError, match="GLASSHAT_API_KEY"):
        load_clients()


def test_glasshat__rate_limit_429_is_ridden_out(glasshat: GlasshatClient, emulator: EmulatorServer) -> None:
    emulator.app.faults.add("rate_limit", count=2, service="glasshat", retry_after=None)
    assert len(load_clients(glasshat))
    assert emulator.app.stats.snapshot()["faults_injected"]["rate_limit"] == 2


def test_glasshat__wrong_key_is_authentication_error_family(emulator: EmulatorServer) -> None:
    assert issubclass(PermissionDeniedError, apitoolkit.exceptions.FatalError)
    assert not issubclass(PermissionDeniedError, AuthenticationError)
