"""The IT Glue reference's own JSON response examples, served as-is from a loopback server and loaded.

Source of every example: ../shared/reference/seeds/004_597d31ecedfdddbc.txt (the IT Glue API reference),
copied verbatim; each constant names its section. Each frame is checked field by field: ids as ``Int64``,
``Z`` dates as UTC datetimes, ``null`` as missing, optional fields the example leaves out as missing columns
of the schema's type. The Users example is not valid JSON (its sign-in IPs are unquoted): served as-is it must
fail with a clear error, never a wrong frame; served with only those IPs quoted it must load.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from apitoolkit.exceptions import InvalidResponseError
from apitoolkit.itglue import (
    ITGlueClient,
    load_expirations,
    load_logs,
    load_organizations,
    load_resource,
    load_user_metrics,
    load_users,
)
from tests.helpers import FAST_RETRY, LOGS

JSON_API = "application/vnd.api+json"

# Users, "GET /users" (List all users), "Example return value".
USERS = """\
{
"data": [
{
"id": "35",
"type": "users",
"attributes": {
"first-name": "Carl",
"last-name": "Beck",
"role-name": "Editor",
"email": "carl.beck@krakentechs.com",
"avatar": "",
"invitation-sent-at": "2016-10-12T21:15:00.000Z",
"invitation-accepted-at": "2016-10-12T21:15:00.000Z",
"current-sign-in-at": "2016-10-12T21:15:00.000Z",
"current-sign-in-ip": 127.0.0.1,
"last-sign-in-at": "2016-10-12T21:15:00.000Z",
"last-sign-in-ip": 127.0.0.1,
"reputation": 6543,
"my-glue": false,
"my-glue-account-id": null
}
},
{
"id": "36",
"type": "users",
"attributes": {
"first-name": "Larry",
"last-name": null,
"role-name": "Creator",
"email": "larry.watson@krakentechs.com",
"avatar": "",
"invitation-sent-at": "2016-10-12T21:15:00.000Z",
"invitation-accepted-at": "2016-10-12T21:15:00.000Z",
"current-sign-in-at": "2016-10-12T21:15:00.000Z",
"current-sign-in-ip": 127.0.0.1,
"last-sign-in-at": "2016-10-12T21:15:00.000Z",
"last-sign-in-ip": 127.0.0.1,
"reputation": 4927,
"my-glue": false,
"my-glue-account-id": null
}
},
{
"id": "37",
"type": "users",
"attributes": {
"first-name": "Jackie",
"last-name": "Tilds",
"role-name": "Lite",
"email": "jackie@happyfrog.itglue.com",
"avatar": "",
"invitation-sent-at": "2016-10-12T21:15:00.000Z",
"invitation-accepted-at": "2016-10-12T21:15:00.000Z",
"current-sign-in-at": "2016-10-12T21:15:00.000Z",
"current-sign-in-ip": 127.0.0.1,
"last-sign-in-at": "2016-10-12T21:15:00.000Z",
"last-sign-in-ip": 127.0.0.1,
"reputation": 4749,
"my-glue": true,
"my-glue-account-id": 2
}
}
]
}
"""

# Organizations, "GET /organizations", "Example return value".
ORGANIZATIONS = """\
{
"data": [
{
"id": "2",
"type": "organizations",
"attributes": {
"name": "Happy Frog",
"alert": null,
"description": null,
"organization-type-id": 86,
"organization-type-name": "Customer",
"organization-status-id": 68,
"organization-status-name": "Active",
"primary": false,
"logo": "",
"quick-notes": null,
"short-name": "happy",
"created-at": "2016-09-14T17:02:44.000Z",
"updated-at": "2016-09-14T17:02:44.000Z",
"parent-id": "1",
"ancestor-ids": "[1,6]"
}
},
{
"id": "6",
"type": "organizations",
"attributes": {
"name": "Kraken Techs",
"alert": null,
"description": null,
"organization-type-id": 15,
"organization-type-name": "Owner",
"organization-status-id": 68,
"organization-status-name": "Active",
"primary": true,
"logo": "",
"quick-notes": null,
"short-name": "kraken",
"created-at": "2016-09-14T17:02:44.000Z",
"updated-at": "2016-09-14T17:02:44.000Z",
"parent-id": "1",
"ancestor-ids": "[1,6]"
}
},
{
"id": "9",
"type": "organizations",
"attributes": {
"name": "Dell Support",
"alert": null,
"description": null,
"organization-type-id": 87,
"organization-type-name": "Vendor",
"organization-status-id": 68,
"organization-status-name": "Active",
"primary": false,
"logo": "",
"quick-notes": null,
"short-name": "dell",
"created-at": "2016-09-14T17:02:44.000Z",
"updated-at": "2016-09-14T17:02:44.000Z",
"parent-id": "1",
"ancestor-ids": "[1,6]"
}
}
]
}
"""

# Expirations, "GET /expirations", "Example return value".
EXPIRATIONS = """\
{
"data": [
{
"id": "1",
"type": "expirations",
"attributes": {
"organization-id": 1,
"organization-name": "Happy Frog",
"resource-url": "https://example.com/1/expirations/1",
"description": "Domain expiration",
"expiration-date": "2019-02-07T00:00:00.000Z",
"created-at": "2019-01-10T12:24:27.000Z",
"updated-at": "2019-01-10T12:24:27.000Z",
"resource-id": 1,
"resource-type": "Domain",
"resource-type-name": "Domain",
"resource-name": "example.com"
},
"relationships": {}
},
{
"id": "2",
"type": "expirations",
"attributes": {
"organization-id": 1,
"organization-name": "Happy Frog",
"resource-url": "https://example.com/1/expirations/1",
"description": "Domain expiration",
"expiration-date": "2019-02-07T00:00:00.000Z",
"created-at": "2019-01-10T12:24:43.000Z",
"updated-at": "2019-01-10T12:24:43.000Z",
"resource-id": 2,
"resource-type": "Domain",
"resource-type-name": "Domain",
"resource-name": "example.com"
},
"relationships": {}
}
]
}
"""

# User Metrics, "GET /user_metrics", "Example return value".
USER_METRICS = """\
{
"data": [
{
"id": "23948",
"type": "user-metrics",
"attributes": {
"user-id": 54,
"organization-id": 226,
"resource-type": "Active Directory",
"created": 1,
"viewed": 5,
"edited": 1,
"deleted": 0,
"date": "2017-08-27"
}
},
{
"id": "23947",
"type": "user-metrics",
"attributes": {
"user-id": 54,
"organization-id": 226,
"resource-type": "Configuration",
"created": 2,
"viewed": 24,
"edited": 3,
"deleted": 1,
"date": "2017-08-27"
}
}
]
}
"""


# Copilot Smart Assist, "GET /copilot_smart_assist/documents", "Example return value": the
# meta/links example (links.last says page 17958 where meta.total-pages says 36; links.prev is null).
COPILOT_DOCUMENTS = """\
{
"data": [
{
"id": "1",
"type": "documents",
"attributes": {
"organization-id": 1,
"organization-name": "Documents",
"resource-url": "https://mycompany.itglue.com/2/1/docs/1",
"restricted": false,
"my-glue": false,
"name": "Testing doc",
"created-at": "2024-07-24T16:41:53.300Z",
"updated-at": "2024-08-12T15:25:18.936Z",
"document-folder-id": null,
"is-uploaded": false,
"user-id": 1,
"published-by": 1,
"published-at": "2024-08-12T15:25:18.923Z",
"folder-name": [],
"support-office-online": false,
"office-online-resource-url": "https://mycompany.itglue.com/2/docs/1",
"last-viewed-at": "2024-08-12T15:25:19.674Z",
"expires-on": "2024-08-01",
"related-items-count": 1,
"updater-name": "Test ITG",
"updater-path": "/users/1"
},
"relationships": {}
}
],
"meta": {
"current-page": 1,
"next-page": 2,
"prev-page": null,
"total-pages": 36,
"total-count": 359,
"filters": {},
"stale": 845,
"not_viewed": 5121,
"expired": 1
},
"links": {
"self": "https://mycompany.itglue.com/copilot_smart_assist/documents?page%5Bnumber%5D=1&page%5Bsize%5D=10",
"first": "https://mycompany.itglue.com/copilot_smart_assist/documents?page%5Bnumber%5D=1&page%5Bsize%5D=10",
"prev": null,
"next": "https://mycompany.itglue.com/copilot_smart_assist/documents?page%5Bnumber%5D=2&page%5Bsize%5D=10",
"last": "https://mycompany.itglue.com/copilot_smart_assist/documents?page%5Bnumber%5D=17958&page%5Bsize%5D=10"
}
}
"""

UTC = "datetime64[us, UTC]"


def _client(server: HTTPServer) -> ITGlueClient:
    return ITGlueClient(api_key="itg-doc-key", base_url=server.url_for("/").rstrip("/"), retry=FAST_RETRY)


def _serve(server: HTTPServer, path: str, body: str) -> None:
    server.expect_request(path).respond_with_data(body, content_type=JSON_API)


def _at(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def _page_numbers(server: HTTPServer, path: str) -> list[int]:
    return sorted(int(request.args["page[number]"]) for request, _ in server.log if request.path == path)


def test_users_example__as_is_is_not_json_and_fails_clearly(server: HTTPServer, cache_dir: Path) -> None:
    _serve(server, "/users", USERS)
    with pytest.raises(InvalidResponseError, match="malformed body"):
        load_users(client=_client(server))
    assert not list(cache_dir.rglob("*.parquet"))


def test_users_example__with_its_ips_quoted_loads_field_by_field(server: HTTPServer) -> None:
    _serve(server, "/users", re.sub(r": (127\.0\.0\.1),", r': "\1",', USERS))
    users = load_users(client=_client(server))
    assert str(users["id"].dtype) == "Int64" and users["id"].tolist() == [35, 36, 37]
    assert users["first_name"].tolist() == ["Carl", "Larry", "Jackie"]
    assert users["last_name"].tolist()[0::2] == ["Beck", "Tilds"] and pd.isna(users["last_name"][1])
    assert users["role_name"].tolist() == ["Editor", "Creator", "Lite"]
    assert users["email"].tolist() == [
        "carl.beck@krakentechs.com",
        "larry.watson@krakentechs.com",
        "jackie@happyfrog.itglue.com",
    ]
    assert users["avatar"].tolist() == ["", "", ""]
    for column in ("invitation_sent_at", "invitation_accepted_at", "current_sign_in_at", "last_sign_in_at"):
        assert str(users[column].dtype) == UTC and (users[column] == _at("2016-10-12T21:15:00.000Z")).all()
    assert users["current_sign_in_ip"].tolist() == users["last_sign_in_ip"].tolist() == ["127.0.0.1"] * 3
    assert str(users["reputation"].dtype) == "Int64" and users["reputation"].tolist() == [6543, 4927, 4749]
    assert str(users["my_glue"].dtype) == "boolean" and users["my_glue"].tolist() == [False, False, True]
    assert str(users["my_glue_account_id"].dtype) == "Int64"
    assert users["my_glue_account_id"].isna().tolist() == [True, True, False] and users["my_glue_account_id"][2] == 2
    for missing in ("created_at", "updated_at"):  # optional fields the example leaves out
        assert str(users[missing].dtype) == UTC and users[missing].isna().all()


def test_organizations_example__field_by_field(server: HTTPServer) -> None:
    _serve(server, "/organizations", ORGANIZATIONS)
    orgs = load_organizations(client=_client(server))
    assert str(orgs["id"].dtype) == "Int64" and orgs["id"].tolist() == [2, 6, 9]
    assert orgs["name"].tolist() == ["Happy Frog", "Kraken Techs", "Dell Support"]
    for null in ("alert", "description", "quick_notes"):
        assert orgs[null].isna().all()
    assert orgs["organization_type_id"].tolist() == [86, 15, 87] and str(orgs["organization_type_id"].dtype) == "Int64"
    assert orgs["organization_type_name"].tolist() == ["Customer", "Owner", "Vendor"]
    assert orgs["organization_status_id"].tolist() == [68] * 3
    assert orgs["organization_status_name"].tolist() == ["Active"] * 3
    assert str(orgs["primary"].dtype) == "boolean" and orgs["primary"].tolist() == [False, True, False]
    assert orgs["logo"].tolist() == [""] * 3
    assert orgs["short_name"].tolist() == ["happy", "kraken", "dell"]
    assert (orgs["created_at"] == _at("2016-09-14T17:02:44.000Z")).all() and str(orgs["created_at"].dtype) == UTC
    assert (orgs["updated_at"] == _at("2016-09-14T17:02:44.000Z")).all()
    assert str(orgs["parent_id"].dtype) == "Int64" and orgs["parent_id"].tolist() == [1, 1, 1]  # sent as "1"
    assert orgs["ancestor_ids"].tolist() == ["[1,6]"] * 3
    assert str(orgs["my_glue_account_id"].dtype) == "Int64" and orgs["my_glue_account_id"].isna().all()  # left out


@pytest.mark.parametrize("organization_id", [None, 1])
def test_expirations_example__field_by_field(server: HTTPServer, organization_id: int | None) -> None:
    _serve(server, "/expirations", EXPIRATIONS)
    exp = load_expirations(client=_client(server), organization_id=organization_id, now="2019-02-01T18:00:00Z")
    assert str(exp["id"].dtype) == "Int64" and exp["id"].tolist() == [1, 2]
    assert exp["organization_id"].tolist() == [1, 1] and str(exp["organization_id"].dtype) == "Int64"
    assert exp["organization_name"].tolist() == ["Happy Frog"] * 2
    assert exp["resource_url"].tolist() == ["https://example.com/1/expirations/1"] * 2
    assert exp["description"].tolist() == ["Domain expiration"] * 2
    assert str(exp["expiration_date"].dtype) == UTC and (exp["expiration_date"] == _at("2019-02-07T00:00:00Z")).all()
    assert exp["created_at"].tolist() == [_at("2019-01-10T12:24:27Z"), _at("2019-01-10T12:24:43Z")]
    assert exp["updated_at"].tolist() == exp["created_at"].tolist()
    assert exp["resource_id"].tolist() == [1, 2] and str(exp["resource_id"].dtype) == "Int64"
    assert exp["resource_type"].tolist() == exp["resource_type_name"].tolist() == ["Domain"] * 2
    assert exp["resource_name"].tolist() == ["example.com"] * 2
    assert exp["days_until"].tolist() == [6, 6]
    sent = [request for request, _ in server.log]
    assert [r.path for r in sent] == ["/expirations"]
    assert sent[0].args.get("filter[organization_id]") == (None if organization_id is None else "1")


def test_user_metrics_example__field_by_field(server: HTTPServer) -> None:
    _serve(server, "/user_metrics", USER_METRICS)
    metrics = load_user_metrics("2017-08-21", "2017-08-27", client=_client(server))
    assert [request.args["filter[date]"] for request, _ in server.log] == ["2017-08-21,2017-08-27"]
    assert str(metrics["id"].dtype) == "Int64" and metrics["id"].tolist() == [23947, 23948]
    assert metrics["user_id"].tolist() == [54, 54] and metrics["organization_id"].tolist() == [226, 226]
    assert metrics["resource_type"].tolist() == ["Configuration", "Active Directory"]
    assert metrics[["created", "viewed", "edited", "deleted"]].to_numpy().tolist() == [[2, 24, 3, 1], [1, 5, 1, 0]]
    assert all(str(metrics[c].dtype) == "Int64" for c in ("user_id", "created", "viewed", "edited", "deleted"))
    assert metrics["date"].tolist() == [date(2017, 8, 27)] * 2


def test_logs_example__field_by_field(server: HTTPServer) -> None:
    _serve(server, "/logs", LOGS)
    with pytest.warns(UserWarning, match="30 days"):
        logs = load_logs("2021-07-24T00:00:00Z", "2021-07-24T23:59:59Z", client=_client(server))
    assert str(logs["id"].dtype) == "Int64" and logs["id"].tolist() == [574989297464115201]  # beyond float precision
    row = logs.iloc[0]
    assert row["created_at"] == _at("2021-07-24T00:55:31.000Z") and str(logs["created_at"].dtype) == UTC
    assert (row["level"], row["account_id"], row["user_id"], row["organization_id"]) == (2, 1, 1, 1)
    assert (row["action"], row["resource_type"], row["resource_name"]) == ("create", "User", "Super Admin")
    assert (row["ip_address"], row["ip_city"], row["ip_region"], row["ip_country"]) == (
        "10.21.0.10",
        "San Diego",
        "CA",
        "United States",
    )
    assert row["user_agent"].startswith("Mozilla/5.0 (Macintosh;") and row["user_agent"].endswith("Safari/537.36")
    assert all(request.args["sort"] == "created_at" for request, _ in server.log)


def _copilot_pages(request: Request) -> Response:
    """Page 1 is the example as-is; pages 2..36 hold the other 358 of its 359 records, in its shape."""
    number = int(parse_qs(request.query_string.decode())["page[number]"][0])
    if number == 1:
        return Response(COPILOT_DOCUMENTS, content_type=JSON_API)
    example = json.loads(COPILOT_DOCUMENTS)
    ids = np.array_split(np.arange(2, 360), 35)[number - 2]
    template = example["data"][0]
    example["data"] = [{**template, "id": str(i)} for i in ids]
    example["meta"].update(
        {"current-page": number, "next-page": number + 1 if number < 36 else None, "prev-page": number - 1}
    )
    example["links"]["self"] = example["links"]["self"].replace("%5D=1&", f"%5D={number}&")
    example["links"]["next"] = (
        None if number == 36 else example["links"]["self"].replace(f"%5D={number}&", f"%5D={number + 1}&")
    )
    return Response(json.dumps(example), content_type=JSON_API)


def test_copilot_meta_links_example__paged_by_meta_field_by_field(server: HTTPServer) -> None:
    server.expect_request("/copilot_smart_assist/documents").respond_with_handler(_copilot_pages)
    docs = load_resource("copilot_smart_assist/documents", client=_client(server))
    assert _page_numbers(server, "/copilot_smart_assist/documents") == list(range(1, 37))  # never 17958
    assert len(docs) == 359 and sorted(docs["id"]) == list(range(1, 360))
    assert str(docs["id"].dtype) == "Int64"
    row = docs.set_index("id").loc[1]
    assert (row["organization_id"], row["organization_name"], row["name"]) == (1, "Documents", "Testing doc")
    assert row["resource_url"] == "https://mycompany.itglue.com/2/1/docs/1"
    assert (row["restricted"], row["my_glue"], row["is_uploaded"], row["support_office_online"]) == (False,) * 4
    assert pd.isna(row["document_folder_id"])
    assert row["created_at"] == _at("2024-07-24T16:41:53.300Z") and str(docs["created_at"].dtype) == UTC
    assert row["updated_at"] == _at("2024-08-12T15:25:18.936Z")
    assert row["published_at"] == _at("2024-08-12T15:25:18.923Z")
    assert row["last_viewed_at"] == _at("2024-08-12T15:25:19.674Z")
    assert row["expires_on"] == _at("2024-08-01T00:00:00Z") and str(docs["expires_on"].dtype) == UTC
    assert (row["user_id"], row["published_by"], row["related_items_count"]) == (1, 1, 1)
    assert (row["updater_name"], row["updater_path"]) == ("Test ITG", "/users/1")
    assert row["office_online_resource_url"] == "https://mycompany.itglue.com/2/docs/1"
