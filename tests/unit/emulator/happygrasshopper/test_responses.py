"""Happy Grasshopper contacts: Laravel-style pages and Link headers, search combined with OR, 422s, one contact."""

from __future__ import annotations

import re

import pytest
import requests

from apitoolkit.emulator import EmulatorApp
from tests.helpers import HG_BASE, ISO_Z, HappyGrasshopper

FIELDS = {"id", "first_name", "last_name", "email", "phone", "company", "tags", "status", "created_at", "updated_at"}


def test_page__document_shape_and_defaults(hg: HappyGrasshopper) -> None:
    document = hg.ok("/contacts")
    assert set(document) == {"data", "links", "meta"} and len(document["data"]) == 25
    assert document["meta"] == {
        "current_page": 1,
        "from": 1,
        "last_page": 8,
        "path": f"http://localhost{HG_BASE}/contacts",
        "per_page": 25,
        "to": 25,
        "total": 200,
    }
    assert document["links"] == {
        "first": f"http://localhost{HG_BASE}/contacts?page=1",
        "last": f"http://localhost{HG_BASE}/contacts?page=8",
        "prev": None,
        "next": f"http://localhost{HG_BASE}/contacts?page=2",
    }


def test_page__link_header_follows_rfc_8288(hg: HappyGrasshopper) -> None:
    response = hg.get("/contacts", {"per_page": 50, "page": 2})
    links = requests.utils.parse_header_links(response.headers["Link"])
    assert {link["rel"]: link["url"] for link in links} == {
        "first": f"http://localhost{HG_BASE}/contacts?per_page=50&page=1",
        "prev": f"http://localhost{HG_BASE}/contacts?per_page=50&page=1",
        "next": f"http://localhost{HG_BASE}/contacts?per_page=50&page=3",
        "last": f"http://localhost{HG_BASE}/contacts?per_page=50&page=4",
    }
    last = hg.get("/contacts", {"per_page": 50, "page": 4})
    assert 'rel="next"' not in last.headers["Link"] and last.json["links"]["next"] is None


def test_page__walking_next_links_sees_every_contact_once(app: EmulatorApp, hg: HappyGrasshopper) -> None:
    contacts = hg.all()
    assert [contact["id"] for contact in contacts] == app.happygrasshopper.contacts.ids()


def test_page__past_the_end_is_empty(hg: HappyGrasshopper) -> None:
    document = hg.ok("/contacts", {"page": 99})
    assert document["data"] == [] and (document["meta"]["from"], document["meta"]["to"]) == (None, None)
    assert document["meta"]["last_page"] == 8 and document["links"]["next"] is None


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"per_page": 101}, "per_page", "The per page field must not be greater than 100."),
        ({"per_page": 0}, "per_page", "The per page field must be at least 1."),
        ({"page": "two"}, "page", "The page field must be an integer."),
        ({"colour": "green"}, "colour", "The colour parameter is not supported."),
        ({"first_name": "Gus", "sort": "email"}, "sort", "The sort parameter is not supported."),
    ],
)
def test_page__invalid_parameters_are_422(hg: HappyGrasshopper, params: dict, field: str, message: str) -> None:
    response = hg.get("/contacts", params)
    assert response.status_code == 422 and response.json == {"message": message, "errors": {field: [message]}}


def test_page__several_errors_are_counted_in_the_message(hg: HappyGrasshopper) -> None:
    body = hg.get("/contacts", {"per_page": 500, "colour": "x", "size": "y"}).json
    assert body["message"].endswith("(and 2 more errors)") and set(body["errors"]) == {"per_page", "colour", "size"}


def test_contacts__fields_and_formats(hg: HappyGrasshopper) -> None:
    contacts = hg.all()
    for contact in contacts:
        assert set(contact) == FIELDS and contact["status"] in {"active", "unsubscribed", "bounced"}
        assert re.fullmatch(ISO_Z, contact["created_at"]) and contact["created_at"] <= contact["updated_at"]
        assert isinstance(contact["tags"], list) and contact["first_name"]
    for field in ("last_name", "email", "phone", "company"):
        assert any(contact[field] is None for contact in contacts), field
    assert any(not f"{c['first_name']} {c['last_name']}".isascii() for c in contacts)


def test_search__one_field_matches_case_insensitively_and_exactly(hg: HappyGrasshopper) -> None:
    everyone = hg.all()
    target = next(contact for contact in everyone if contact["email"])
    found = hg.all({"email": target["email"].upper()})
    assert found == [contact for contact in everyone if (contact["email"] or "").lower() == target["email"].lower()]
    assert hg.all({"email": target["email"][:-1]}) == []


def test_search__several_fields_combine_with_or(hg: HappyGrasshopper) -> None:
    everyone = hg.all()
    first, company = everyone[3]["first_name"], next(c["company"] for c in everyone if c["company"])

    def matches(contact: dict) -> bool:
        return (
            contact["first_name"].casefold() == first.casefold()
            or (contact["company"] or "").casefold() == company.casefold()
            or "vip" in contact["tags"]
        )

    found = hg.all({"first_name": first, "company": company, "tag": "VIP"})
    assert found == [contact for contact in everyone if matches(contact)]
    assert len(found) > max(len(hg.all({"first_name": first})), len(hg.all({"tag": "vip"})))


def test_search__repeated_parameter_and_any_tag(hg: HappyGrasshopper) -> None:
    everyone = hg.all()
    document = hg.ok("/contacts", [("status", "bounced"), ("status", "unsubscribed"), ("per_page", "100")])
    assert document["meta"]["total"] == sum(c["status"] != "active" for c in everyone)
    assert all(contact["status"] != "active" for contact in document["data"])
    assert "status=bounced&status=unsubscribed" in (document["links"]["next"] or document["links"]["first"])
    tagged = hg.all({"tag": "Käufer"})
    assert tagged and all("Käufer" in contact["tags"] for contact in tagged)


def test_search__no_match_is_an_empty_page(hg: HappyGrasshopper) -> None:
    document = hg.ok("/contacts", {"last_name": "Nobody-At-All"})
    assert document["data"] == [] and document["meta"]["total"] == 0 and document["meta"]["last_page"] == 1


def test_contact__one_by_id_and_unknown(hg: HappyGrasshopper) -> None:
    contact = hg.ok("/contacts", {"per_page": 1})["data"][0]
    assert hg.ok(f"/contacts/{contact['id']}") == {"data": contact}
    for raw in ("1", "abc"):
        response = hg.get(f"/contacts/{raw}")
        assert response.status_code == 404 and response.json == {"message": "Not found."}


def test_changing_data__contacts_inserted_first(app: EmulatorApp, hg: HappyGrasshopper) -> None:
    before = hg.ok("/contacts")
    app.faults.add("changing_data", service="happygrasshopper", count=1, records=3)
    after = hg.ok("/contacts")
    assert after["meta"]["total"] == 203 and after["data"][3:] == before["data"][:22]
    assert all(contact["id"] < before["data"][0]["id"] for contact in after["data"][:3])
