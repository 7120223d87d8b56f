"""The Hitask documents' own JSON response examples, served as-is from a loopback server, loaded field by field.

Every example is copied verbatim from ``../shared/reference/seeds/002_e5086eb0473ea92a.txt`` (the seed) or
``../shared/reference/hitask-public/*.md`` (the public API documentation); the few repairs a real server would
never need (a missing closing bracket, unquoted keys) are named where they are made. The documents hold no
example of an item history or of the team member list; the member fields are those of the seed's "User
Account information" example.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import orjson
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

import apitoolkit
from apitoolkit.exceptions import AuthenticationError, ResponseFormatError
from apitoolkit.hitask import HitaskClient, SyncWarning, load_contacts, load_items, load_tags, load_team_members
from tests.helpers import FAST_RETRY

# seed, "User" > "Authenticate", "Example response"
AUTHENTICATE = r"""{"login_id":"test","account_type":"PERSONAL_FREE","level":0,"session_id":"192ba608-c47a-4862-b838-a4wf45ff6ed7","id":4321,"picture_hash":"4d5d22b3-d00a-4ceb-9608-c3ad243r4e88","email":"test@email.com"}"""  # noqa: E501

# seed, "Item" > "1. Get array of items": the example stops before its closing bracket (the document's
# rendering lost it), so the server sends it with "\n]" appended and nothing else changed.
ITEMS = r"""[{
    "id": 3361634,
    "user_id": 184743,
    "title": "event 5724 1",
    "completed": false,
    "color": 0,
    "color_value": "#2AAEF5",
    "category": 2,
    "message": null,
    "parent": 0,
    "recurring": 0,
    "recurring_interval": 1,
    "recurring_end_date": "2017-08-26T15:56:46.820+04:00",
    "time_last_update": "2016-08-26T18:04:04.340+04:00",
    "time_create": "2016-08-26T18:04:04.340+04:00",
    "start_date": "2016-08-27T00:00:00.000+04:00",
    "end_date": null,
    "due_date": null,
    "is_all_day": true,
    "shared": true,
    "reminder_enabled": null,
    "reminder_time": null,
    "reminder_time_type": null,
    "starred": false,
    "time_track": false,
    "time_est": 0,
    "time_spent": 0,
    "priority": 21720,
    "last_comment_id": null,
    "last_comment": null,
    "last_comment_user_id": null,
    "last_comment_create_datetime": null,
    "guid": "9769a9f9-726c-4ec8-a920-be16193c26a6",
    "parentGuid": null,
    "assignee": 0,
    "tags": null,
    "version": 1,
    "instances": null,
    "participants": null,
    "publish_url": null,
    "location": null,
    "alerts": null,
    "unread": null,
    "short_name": null,
    "issue_id": "164",
    "permission": 100,
    "permissions": [{
      "level": 100,
      "principal": "184743"
    }],
    "previews": null,
    "last_transition_time": null,
    "last_transition_user": null
  }"""

# seed, "Item" > "1.3 Get delta update of items" (item/delta/{delta})
DELTA = r"""[{
  "id": 3361634,
  "changed": false
}, {
  "id": 3362490,
  "changed": false
}, {
  "id": 3362767,
  "changed": false
}, {
  "id": 3362336,
  "changed": false
}, {
  "id": 3362771,
  "user_id": 184743,
  "title": "delta api",
  "completed": false,
  "color": 0,
  "color_value": "#2AAEF5",
  "category": 1,
  "parent": 0,
  "recurring": 0,
  "recurring_interval": 1,
  "recurring_end_date": "2017-11-14T12:25:29.964+04:00",
  "time_last_update": "2016-11-14T13:36:57.539+04:00",
  "time_create": "2016-11-14T13:36:19.429+04:00",
  "shared": true,
  "starred": true,
  "time_track": false,
  "time_est": 0,
  "time_spent": 0,
  "priority": 21760,
  "guid": "2141ab89-48ee-47b0-878e-c9ad304397b4",
  "assignee": 0,
  "version": 2,
  "changed": true,
  "issue_id": "632",
  "permission": 100,
  "permissions": [{
    "level": 60,
    "principal": "184769"
  }, {
    "level": 60,
    "principal": "184775"
  }, {
    "level": 100,
    "principal": "184743"
  }]
}]"""

# seed, "Tag" > "1. Get list of tags", "Example response"; the same text in hitask-public/tag.md
TAGS = r"""[{"name":"privatetag","shared":false,"id":388730},{"name":"tag","shared":true,"id":388728},{"name":"тег","shared":true,"id":388729}]"""  # noqa: E501

# hitask-public/contact.md, "Get list of user's contacts", "Example response" (the seed's is the same text): keys
# unquoted and no commas, so it is not JSON; `repaired` quotes the keys and adds the commas, nothing else.
CONTACT = r"""{
email: "user@email.com"
emailConfirmed: "user@email.com"
firstName: "John"
id: 123
isOnline: false
lastName: "Jackson"
level: 100
login: "john"
pictureHash: "267744510460b6ec63453483f725252"
subscription: "BOTH"
}"""

# seed, "User" > "User Account information", "Example response" (unquoted keys: `repaired` quotes them). The
# documents show no member list; GET team (hitask-public/team.md) is served a list of this one person.
ACCOUNT = r"""{
    businessId : 123,
    businessLevel : 100,
    email : "name@email.com",
    emailConfirmed : "name@email.com",
    id : 123,
    isOnline : 1,
    level : 0,
    login : "john",
    firstName : "Mick",
    lastName : "Johnson",
    pictureSource: 1000,
    pictureHash: "4b0c75c8-14cc-4d9b2-80aa-b49f5cf62daf"
}"""

# seed, "Team" > "1. Get Team account information", "Will produce the response" (its path is not given; the
# public documentation's GET team lists the members).
TEAM_ACCOUNT = r"""{
    "domainName": "doman",
    "title": "Development Team",
    "licensesNumber": 15,
    "licensesUsed": 12,
    "storageQuota": 7500,
    "storageUsed": 157,
    "storageQuotaFormatted": "7.50GB",
    "storageUsedFormatted": "157MB",
    "expirationDate": "2016-10-17T00:00:00.000+00:00",
    "emailInbox": "2187b87d0bsds2dd9fe@hitask.com"}"""

# hitask-public/apiary.apib, "Group Item" > "Item [/item]", "+ Model (application/json)", the item that "Get all
# items" answers a list of: a comma is missing after "location" (the test adds it), and "permissions" is a
# map from principal to level here, a list of {"level", "principal"} in the seed.
ITEM_MODEL = r"""{
  "id": 123000,
  "guid": "e0f93451-5ad6-4550-b991-efb0ce1e271b",
  "title": "This is a title",
  "message": "Hello World!" ,
  "completed": 0,
  "color": 0,
  "user_id": 123000,
  "category":1,
  "color_value":" #ffffff",
  "location": {"longitude":123.1234567,"latitude":-4.0987654321,"address":"123 Some street"}
  "permission": 50,
  "permissions": {
    "ebb6b5fd-2a60-4b08-acf5-6a9a5c5b7367": 60,
    "d94cb227-9fd4-46fc-a232-def0f6972d1c": 100,
    "184295": 50,
    "a9e8f8b6-8609-4b09-9b6f-7ac2e502094a": 50
  }
}"""

#: The X-Cursor the documents give as their example ("Example: 1478802464").
CURSOR = "1478802464"
#: The delta's cursor: its changed item's time_last_update (2016-11-14T13:36:57.539+04:00) in ms.
DELTA_CURSOR = "1479116217539"


def repaired(pseudo_json: str) -> Any:
    """A document's JavaScript-like example as JSON: keys quoted, a comma at the end of each member line."""
    text = re.sub(r"^(\s*)([A-Za-z_]+)\s*:", r'\1"\2":', pseudo_json, flags=re.MULTILINE)
    text = re.sub(r'([^,{\[\s])\n(\s*")', r"\1,\n\2", text)
    return orjson.loads(text)


class Documents:
    """A Hitask server that answers with the documents' examples; ``listings`` are the bodies of GET item in turn."""

    def __init__(self) -> None:
        self.listings: list[bytes] = [(ITEMS + "\n]").encode()]
        self.deltas: list[bytes] = [DELTA.encode()]
        self.paths: list[str] = []
        self.team = orjson.dumps([repaired(ACCOUNT)])
        self.authenticate = (AUTHENTICATE.encode(), 200)

    def __call__(self, request: Request) -> Response:
        path = request.path
        self.paths.append(path)
        if path == "/user/authenticate":
            return Response(self.authenticate[0], status=self.authenticate[1], content_type="application/json")
        if path == "/item":
            body = self.listings.pop(0) if len(self.listings) > 1 else self.listings[0]
            return _json(body, {"X-Cursor": CURSOR})
        if path.startswith("/item/delta/"):
            return _json(self.deltas.pop(0), {"X-Cursor": DELTA_CURSOR})
        if path == "/tag":
            return _json(TAGS.encode())
        if path == "/contact":
            return _json(orjson.dumps(repaired(CONTACT)))
        if path == "/team":
            return _json(self.team)
        return Response(b'{"response_status":1,"error_message":"Method not found"}', status=404)


def _json(body: bytes, headers: dict[str, str] | None = None) -> Response:
    return Response(body, content_type="application/json", headers=headers or {})


@pytest.fixture
def documents() -> Iterator[tuple[Documents, HitaskClient]]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    served = Documents()
    server.expect_request(re.compile("^/.*")).respond_with_handler(served)
    client = HitaskClient("doc-key", "test", "testtest", base_url=server.url_for("/").rstrip("/"), retry=FAST_RETRY)
    yield served, client
    server.clear()
    server.stop()


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def test_items_example__loaded_field_by_field(documents: tuple[Documents, HitaskClient]) -> None:
    served, client = documents
    items = load_items(client)
    assert len(items) == 1 and "assignee" not in items.columns
    item = items.iloc[0]
    assert item["id"] == 3361634 and str(items["id"].dtype) == "Int64"
    assert (item["guid"], item["title"], item["user_id"]) == (
        "9769a9f9-726c-4ec8-a920-be16193c26a6",
        "event 5724 1",
        184743,
    )
    assert item["category"] == "event" and item["priority"] == 21720 and item["color"] == 0
    assert item["color_value"] == "#2AAEF5" and pd.isna(item["message"]) and pd.isna(item["short_name"])
    assert item["issue_id"] == "164" and str(items["issue_id"].dtype) in ("str", "string")
    assert item["assignee_id"] == 0  # sent as "assignee", read into the one column
    assert (item["parent"], item["recurring"]) == (0, 0) and pd.isna(item["project_id"])
    assert item["completed"] is False or item["completed"] == False  # noqa: E712 (a pandas boolean)
    assert bool(item["is_all_day"]) and bool(item["shared"]) and not item["starred"] and not item["time_track"]
    assert (item["time_est"], item["time_spent"]) == (0.0, 0.0)
    assert item["time_last_update"] == utc("2016-08-26T18:04:04.340+04:00") == pd.Timestamp("2016-08-26 14:04:04.340Z")
    assert item["time_create"] == utc("2016-08-26T18:04:04.340+04:00")
    assert item["start_date"] == pd.Timestamp("2016-08-26 20:00:00Z") and str(items["start_date"].dtype).endswith(
        "UTC]"
    )
    assert pd.isna(item["end_date"]) and pd.isna(item["due_date"])
    assert list(item["tags"]) == [] and list(item["participants"]) == []  # null in the example
    assert orjson.loads(item["permissions"]) == [{"level": 100, "principal": "184743"}]
    assert pd.isna(item["parent_guid"]) and item["version"] == 1  # fields the table does not name are kept
    assert served.paths == ["/user/authenticate", "/item"]


def test_delta_example__merged_field_by_field(documents: tuple[Documents, HitaskClient]) -> None:
    served, client = documents
    base = orjson.loads(ITEMS + "\n]")[0]
    known = [
        {**base, "id": id_, "title": f"item {id_}"} for id_ in (3361634, 3362490, 3362767, 3362336, 3362771, 3362800)
    ]
    served.listings = [orjson.dumps(known)]  # a snapshot holding every item the delta names, and one more
    load_items(client)
    synced = load_items(client)  # the delta example, as-is
    assert apitoolkit.load_source(synced) == "delta" and served.paths[-1] == f"/item/delta/{CURSOR}"
    assert synced["id"].tolist() == [3361634, 3362336, 3362490, 3362767, 3362771]  # 3362800 unlisted: deleted
    unchanged = synced.set_index("id").loc[3362490]
    assert unchanged["title"] == "item 3362490" and unchanged["category"] == "event"  # a stub keeps the row
    item = synced.set_index("id").loc[3362771]
    assert (item["title"], item["category"], item["user_id"], item["priority"]) == ("delta api", "task", 184743, 21760)
    assert item["guid"] == "2141ab89-48ee-47b0-878e-c9ad304397b4" and item["issue_id"] == "632"
    assert item["assignee_id"] == 0 and bool(item["starred"]) and not item["completed"] and bool(item["shared"])
    assert item["time_last_update"] == pd.Timestamp("2016-11-14 09:36:57.539Z")
    assert item["time_create"] == pd.Timestamp("2016-11-14 09:36:19.429Z")
    assert [p["principal"] for p in orjson.loads(item["permissions"])] == ["184769", "184775", "184743"]
    # fields the changed item does not carry are missing, not carried over from the older row
    assert pd.isna(item["start_date"]) and pd.isna(item["message"]) and pd.isna(item["is_all_day"])
    assert item["version"] == 2 and "changed" not in synced.columns


def test_delta_example__stubs_for_items_the_snapshot_lacks_reload(documents: tuple[Documents, HitaskClient]) -> None:
    served, client = documents
    load_items(client)  # the items example: only 3361634
    with pytest.warns(SyncWarning, match="lacks"):
        synced = load_items(client)  # the delta example names three more unchanged items
    assert apitoolkit.load_source(synced) == "network" and served.paths[-1] == "/item"


def test_tags_example__loaded_field_by_field(documents: tuple[Documents, HitaskClient]) -> None:
    _, client = documents
    tags = load_tags(client)
    assert tags.to_dict("list") == {
        "id": [388730, 388728, 388729],
        "name": ["privatetag", "tag", "тег"],
        "shared": [False, True, True],
    }


def test_contacts_example__loaded_field_by_field(documents: tuple[Documents, HitaskClient]) -> None:
    _, client = documents
    contact = load_contacts(client).iloc[0]
    assert (contact["id"], contact["first_name"], contact["last_name"]) == (123, "John", "Jackson")
    assert (contact["email"], contact["login"]) == ("user@email.com", "john")


def test_team_example__loaded_field_by_field(documents: tuple[Documents, HitaskClient]) -> None:
    served, client = documents
    member = load_team_members(client).iloc[0]
    assert (member["id"], member["login"], member["first_name"], member["last_name"]) == (
        123,
        "john",
        "Mick",
        "Johnson",
    )
    assert member["email"] == "name@email.com" and member["business_level"] == 100 and bool(member["is_online"])
    assert "/team" in served.paths


def test_team_account_example__at_get_team_is_an_error_not_a_member(documents: tuple[Documents, HitaskClient]) -> None:
    served, client = documents
    served.team = TEAM_ACCOUNT.encode()
    with pytest.raises(ResponseFormatError, match="team account's information"):
        load_team_members(client)


def test_apiary_item_model__loaded_field_by_field(documents: tuple[Documents, HitaskClient]) -> None:
    served, client = documents
    served.listings = [b"[" + ITEM_MODEL.replace('"}\n', '"},\n', 1).encode() + b"]"]
    item = load_items(client).iloc[0]
    assert (item["id"], item["guid"], item["title"], item["message"]) == (
        123000,
        "e0f93451-5ad6-4550-b991-efb0ce1e271b",
        "This is a title",
        "Hello World!",
    )
    assert item["completed"] == False and item["category"] == "task" and item["user_id"] == 123000  # noqa: E712
    assert item["color_value"] == " #ffffff" and pd.isna(item["assignee_id"]) and pd.isna(item["time_create"])
    assert orjson.loads(item["permissions"])["184295"] == 50 and item["permission"] == 50
    assert (item["location_address"], item["location_latitude"]) == ("123 Some street", -4.0987654321)


@pytest.mark.parametrize("status", [401, 200, 400, 403])
def test_sign_in__a_refused_api_key_is_named_whatever_the_status(
    documents: tuple[Documents, HitaskClient], status: int
) -> None:
    served, client = documents
    # the seed's error format ("Error handling"), with the code and message of its table (INVALID_API_KEY 8)
    served.authenticate = (b'{"response_status": 8, "error_message": "Invalid API Key"}', status)
    with pytest.raises(AuthenticationError, match="HITASK_API_KEY") as info:
        load_tags(client)
    assert info.value.code == "8" and "doc-key" not in str(info.value)
