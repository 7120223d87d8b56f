"""IT Glue documents: list and single shapes, paging, links, the logs page cap, unknown ids."""

from __future__ import annotations

import re
from typing import Any

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import Api

LISTS = ["/users", "/user_metrics", "/logs", "/expirations", "/organizations"]
KEBAB = re.compile(r"^[a-z]+(-[a-z]+)*$")


@pytest.mark.parametrize("path", LISTS)
def test_list__shape_meta_and_links(api: Api, path: str) -> None:
    query: dict[str, Any] = {"page[size]": 3}
    response = api.get(path, **query)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.api+json"
    assert b"\n" not in response.get_data()
    document = response.json
    assert set(document) == {"data", "meta", "links"}
    assert set(document["meta"]) == {"current-page", "next-page", "prev-page", "total-pages", "total-count", "filters"}
    meta, links = document["meta"], document["links"]
    assert (meta["current-page"], meta["next-page"], meta["prev-page"]) == (1, 2, None)
    assert meta["total-pages"] == -(-meta["total-count"] // 3) > 1
    assert links["prev"] is None and "page%5Bnumber%5D=2" in links["next"]
    assert links["self"].startswith(f"http://localhost/itglue{path}?page%5Bnumber%5D=1&page%5Bsize%5D=3")
    found = re.search(r"page%5Bnumber%5D=(\d+)", links["last"])
    assert found is not None
    last = int(found.group(1))
    assert last != meta["total-pages"]
    for record in document["data"]:
        assert isinstance(record["id"], str) and record["id"].isdigit()
        assert record["type"] == path.strip("/").replace("_", "-")
        assert all(KEBAB.match(name) for name in record["attributes"])
        assert record["relationships"] == {}


def test_list__last_page_has_no_next(api: Api) -> None:
    total = api.ok("/users")["meta"]["total-count"]
    document = api.ok("/users", **{"page[size]": 7, "page[number]": -(-total // 7)})
    assert document["meta"]["next-page"] is None and document["links"]["next"] is None
    assert document["meta"]["prev-page"] == -(-total // 7) - 1
    assert len(document["data"]) == total - 7 * (-(-total // 7) - 1)


def test_list__links_keep_filters_and_sort(api: Api) -> None:
    links = api.ok("/users", sort="-name", **{"page[size]": 2, "filter[role_name]": "Editor"})["links"]
    assert "sort=-name" in links["next"] and "filter%5Brole_name%5D=Editor" in links["next"]


def test_list__page_past_the_end_is_empty_with_true_meta(api: Api) -> None:
    document = api.ok("/users", **{"page[number]": 99})
    assert document["data"] == []
    assert document["meta"]["total-count"] == 40 and document["meta"]["total-pages"] == 1
    assert document["meta"]["current-page"] == 99 and document["meta"]["next-page"] is None


def test_list__default_page_size_is_50(api: Api) -> None:
    assert len(api.ok("/logs")["data"]) == 50


@pytest.mark.parametrize("size", ["1", "1000"])
def test_list__page_size_limits_accepted(api: Api, size: str) -> None:
    assert len(api.ok("/logs", **{"page[size]": size})["data"]) == int(size)


@pytest.mark.parametrize(
    ("param", "value"),
    [("page[size]", "1001"), ("page[size]", "0"), ("page[size]", "ten"), ("page[number]", "0"), ("page[number]", "x")],
)
def test_list__bad_page_is_400(api: Api, param: str, value: str) -> None:
    response = api.get("/users", **{param: value})
    assert response.status_code == 400
    assert response.json["errors"][0]["status"] == "400" and param in response.json["errors"][0]["detail"]


def test_list__unknown_query_parameter_is_400(api: Api) -> None:
    response = api.get("/users", include="everything")
    assert response.status_code == 400 and "include" in response.json["errors"][0]["detail"]


def test_logs__five_page_cap_is_422_with_true_total(api: Api) -> None:
    fifth = api.ok("/logs", **{"page[size]": 10, "page[number]": 5})
    assert fifth["meta"]["total-pages"] == 300 and fifth["meta"]["next-page"] == 6
    query: dict[str, Any] = {"page[size]": 10, "page[number]": 6}
    response = api.get("/logs", **query)
    assert response.status_code == 422
    assert "between 1 and 5" in response.json["errors"][0]["detail"]


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/users/{}", "users"), ("/expirations/{}", "expirations"), ("/organizations/{}", "organizations")],
)
def test_show__one_record_as_listed(api: Api, path: str, kind: str) -> None:
    listed = api.ok(f"/{kind}")["data"][3]
    document = api.ok(path.format(listed["id"]))
    assert document == {"data": listed}


@pytest.mark.parametrize("path", ["/users/1", "/users/abc", "/expirations/99", "/organizations/1"])
def test_show__unknown_id_is_404(api: Api, path: str) -> None:
    response = api.get(path)
    assert response.status_code == 404
    assert response.json == {
        "errors": [{"status": "404", "title": "Not Found", "detail": response.json["errors"][0]["detail"]}]
    }


def test_organization_expirations__only_that_organization(api: Api) -> None:
    expirations = api.all("/expirations")
    organization = expirations[0]["attributes"]["organization-id"]
    mine = api.all(f"/organizations/{organization}/relationships/expirations")
    expected = [e for e in expirations if e["attributes"]["organization-id"] == organization]
    assert mine == expected and mine
    single = api.ok(f"/organizations/{organization}/relationships/expirations/{mine[0]['id']}")
    assert single == {"data": mine[0]}
    other = next(e for e in expirations if e["attributes"]["organization-id"] != organization)
    assert api.get(f"/organizations/{organization}/relationships/expirations/{other['id']}").status_code == 404


def test_organization_expirations__unknown_organization_is_404(api: Api) -> None:
    assert api.get("/organizations/42/relationships/expirations").status_code == 404


def test_routes__unknown_path_404_and_wrong_method_405(api: Api, app: EmulatorApp) -> None:
    assert api.get("/configurations").status_code == 404
    response = api.client.post("/itglue/users", headers={"x-api-key": api.key})
    assert response.status_code == 405 and response.json["errors"][0]["status"] == "405"
