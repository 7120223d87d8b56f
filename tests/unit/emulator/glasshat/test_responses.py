"""Glasshat lists and pages, records and their formats, task updates, creations and their conflicts."""

from __future__ import annotations

import re

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.glasshat import GlasshatAccount
from tests.helpers import ISO_Z, Glasshat, glasshat_error


def _first_project(glasshat: Glasshat) -> int:
    client = glasshat.ok("/account/0/clients")["clients"][0]["id"]
    return int(glasshat.ok(f"/client/{client}/projects")["projects"][0]["id"])


def test_clients__page_document_and_records(glasshat: Glasshat) -> None:
    document = glasshat.ok("/account/0/clients")
    assert set(document) == {"clients", "page", "per_page", "total"}
    assert (document["page"], document["per_page"], document["total"]) == (1, 100, 4)
    for client in document["clients"]:
        assert set(client) == {"id", "name", "website", "created"} and re.fullmatch(ISO_Z, client["created"])
        assert client["website"] is None or client["website"].startswith("https://www.")


def test_pages__walk_every_record_once(glasshat: Glasshat, account: GlasshatAccount) -> None:
    project = max(account.projects.ids(), key=lambda id_: len(account.project_tasks(id_)))
    total = len(account.project_tasks(project))
    seen, page = [], 1
    while True:
        document = glasshat.ok(f"/project/{project}/tasks", page=page, per_page=7)
        assert document["total"] == total and document["per_page"] == 7 and len(document["tasks"]) <= 7
        seen += [task["id"] for task in document["tasks"]]
        if not document["tasks"]:
            break
        page += 1
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == total and page == -(-total // 7) + 1


@pytest.mark.parametrize(
    "params",
    [{"per_page": 501}, {"per_page": 0}, {"page": 0}, {"page": "two"}, {"per_page": "1.5"}],
)
def test_pages__invalid_paging_is_400(glasshat: Glasshat, params: dict) -> None:
    assert glasshat_error(glasshat.get("/account/0/clients", **params)) == (400, "invalid_parameter")


def test_pages__largest_page_is_500(app: EmulatorApp, glasshat: Glasshat) -> None:
    app.glasshat.add_account("c" * 32, clients=1, projects=1, tasks=600)
    project = glasshat.ok(
        "/client/" + str(glasshat.ok("/account/0/clients", key="c" * 32)["clients"][0]["id"]) + "/projects",
        key="c" * 32,
    )["projects"][0]["id"]
    document = glasshat.ok(f"/project/{project}/tasks", key="c" * 32, per_page=500)
    assert len(document["tasks"]) == 500 and document["total"] == 600


def test_projects__of_a_client_and_unknown_client(glasshat: Glasshat, account: GlasshatAccount) -> None:
    for client in glasshat.ok("/account/0/clients")["clients"]:
        projects = glasshat.ok(f"/client/{client['id']}/projects")["projects"]
        assert projects and all(project["client_id"] == client["id"] for project in projects)
        assert all(set(project) == {"id", "client_id", "name", "domain", "created"} for project in projects)
        assert all(project["created"] >= client["created"] for project in projects)
    for raw in ("999", "abc"):
        assert glasshat_error(glasshat.get(f"/client/{raw}/projects")) == (404, "no_client")


def test_tasks__records_and_formats(glasshat: Glasshat, account: GlasshatAccount) -> None:
    tasks = [task for project in account.projects.ids() for task in glasshat.all(f"/project/{project}/tasks", "tasks")]
    assert len(tasks) == 400
    for task in tasks:
        assert set(task) == {
            "id",
            "project_id",
            "title",
            "type",
            "priority",
            "status",
            "created",
            "updated",
            "completed",
        }
        assert task["type"] in {"content", "technical", "links", "local", "social"} and 1 <= task["priority"] <= 5
        assert task["status"] in {"open", "in_progress", "done", "dismissed"}
        assert re.fullmatch(ISO_Z, task["created"]) and task["created"] <= task["updated"]
        assert (task["completed"] is not None) == (task["status"] == "done")
    assert {task["status"] for task in tasks} == {"open", "in_progress", "done", "dismissed"}
    assert any(not task["title"].isascii() for task in tasks)
    assert glasshat_error(glasshat.get("/project/1/tasks")) == (404, "no_project")


def test_task__get_and_unknown(glasshat: Glasshat) -> None:
    task = glasshat.ok(f"/project/{_first_project(glasshat)}/tasks")["tasks"][0]
    assert glasshat.ok(f"/task/{task['id']}/get") == {"task": task}
    assert glasshat_error(glasshat.get("/task/1/get")) == (404, "no_task")
    assert glasshat.get("/task/1/get").json["errors"]["no_task"].startswith("Action ID")


def test_update__status_done_sets_completed_and_leaving_done_clears_it(glasshat: Glasshat) -> None:
    task = next(t for t in glasshat.ok(f"/project/{_first_project(glasshat)}/tasks")["tasks"] if t["status"] != "done")
    done = glasshat.post(f"/task/{task['id']}/update", json={"apikey": glasshat.key, "status": "done"}).json["task"]
    assert done["status"] == "done" and done["completed"] == done["updated"] and done["updated"] > task["updated"]
    reopened = glasshat.post(
        f"/task/{task['id']}/update",
        data={"apikey": glasshat.key, "status": "open", "priority": "1", "title": "Fix H1 on /über-uns"},
    )
    assert reopened.json["task"] == {
        **done,
        "status": "open",
        "completed": None,
        "priority": 1,
        "title": "Fix H1 on /über-uns",
        "updated": reopened.json["task"]["updated"],
    }
    assert glasshat.ok(f"/task/{task['id']}/get")["task"] == reopened.json["task"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"status": "finished"},
        {"priority": 0},
        {"priority": 6},
        {"priority": "high"},
        {"title": " "},
        {"title": "x" * 256},
        {"status": 3},
    ],
)
def test_update__invalid_values_are_400(glasshat: Glasshat, body: dict) -> None:
    task = glasshat.ok(f"/project/{_first_project(glasshat)}/tasks")["tasks"][0]
    response = glasshat.post(f"/task/{task['id']}/update", json={"apikey": glasshat.key, **body})
    assert glasshat_error(response) == (400, "invalid_parameter")
    assert glasshat.ok(f"/task/{task['id']}/get")["task"] == task


def test_update__unknown_task_is_404(glasshat: Glasshat) -> None:
    missing = glasshat.post("/task/1/update", json={"apikey": glasshat.key, "status": "done"})
    assert glasshat_error(missing) == (404, "no_task")


def test_create__client_and_project_then_conflicts(glasshat: Glasshat) -> None:
    created = glasshat.post("/account/0/clients/create", data={"apikey": glasshat.key, "name": "Bäckerei Größe"})
    client = created.json["client"]
    assert created.status_code == 200 and client["name"] == "Bäckerei Größe" and re.fullmatch(ISO_Z, client["created"])
    assert client in glasshat.ok("/account/0/clients")["clients"]
    duplicate = glasshat.post("/account/0/clients/create", data={"apikey": glasshat.key, "name": "bäckerei größe"})
    assert glasshat_error(duplicate) == (409, "client_exists")
    project = glasshat.post(
        f"/client/{client['id']}/projects/create",
        json={"apikey": glasshat.key, "name": "Shop", "domain": "shop.example.de"},
    ).json["project"]
    assert project["client_id"] == client["id"] and project["domain"] == "shop.example.de"
    assert glasshat.ok(f"/client/{client['id']}/projects")["projects"] == [project]
    assert glasshat.ok(f"/project/{project['id']}/tasks")["total"] == 0
    again = glasshat.post(f"/client/{client['id']}/projects/create", json={"apikey": glasshat.key, "name": "SHOP"})
    assert glasshat_error(again) == (409, "project_exists")


@pytest.mark.parametrize(
    ("path", "body", "expected"),
    [
        ("/account/0/clients/create", {}, (400, "invalid_parameter")),
        ("/account/0/clients/create", {"name": ""}, (400, "invalid_parameter")),
        ("/client/1/projects/create", {"name": "Blog"}, (404, "no_client")),
    ],
)
def test_create__invalid_requests(glasshat: Glasshat, path: str, body: dict, expected: tuple[int, str]) -> None:
    assert glasshat_error(glasshat.post(path, json={"apikey": glasshat.key, **body})) == expected


def test_changing_data__tasks_inserted_first_in_that_project(app: EmulatorApp, glasshat: Glasshat) -> None:
    project = _first_project(glasshat)
    before = glasshat.ok(f"/project/{project}/tasks")
    app.faults.add("changing_data", service="glasshat", count=1, records=2, path="/tasks$")
    after = glasshat.ok(f"/project/{project}/tasks")
    assert after["total"] == before["total"] + 2 and after["tasks"][2:] == before["tasks"][: len(after["tasks"]) - 2]
    assert all(task["project_id"] == project for task in after["tasks"][:2])
