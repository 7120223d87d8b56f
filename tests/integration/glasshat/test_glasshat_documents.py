"""The Glasshat document's own examples, served from a loopback server: its error response, and listings.

Source: ../shared/reference/seeds/000_2a39fbef2bddca97.txt (the "Glasshat Service API" overview). Its only
response example ("Common Response Fields": "a JSON example of an error response") is a field list: an
``errors`` object of error names and messages, each with its HTTP status. Each is served as that object with
its status, and must raise the typed error the client promises. The document shows no listing, and says only
that "All endpoints return a JSON object"; the listings below are the shapes a server may use.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from apitoolkit.exceptions import (
    ApiError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from apitoolkit.glasshat import GlasshatClient, load_clients
from apitoolkit.http.retry import RetryPolicy

# "Common Response Fields", verbatim: name, message and status of each error.
ERRORS = """\
    no_license: (String) API licence key invalid, expired or disabled. (HTTP 403)
    too_many_requests: (String) Rate limited, try again later. (HTTP 429)
    invalid_parameter: (String) Request parameters contain errors. (HTTP 400)
    too_many_items: (String) Account allowance exceeded. Upgrade to higher price package. (HTTP 402)
    client_exists: (String) Client name exists in the account. (HTTP 409)
    project_exists: (String) Project name exists in the client. (HTTP 409)
    no_client: (String) Client ID not found. (HTTP 404)
    no_project: (String) Project ID not found. (HTTP 404)
    no_task: (String) Action ID not found. (HTTP 404)"""
TYPED = {
    400: InvalidRequestError,
    402: PermissionDeniedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}
ONCE = RetryPolicy(max_attempts=1, backoff=0.01, max_backoff=0.01, max_retry_after=0.1, jitter=0.0)


def _documented() -> list[tuple[str, str, int]]:
    out = []
    for line in ERRORS.splitlines():
        name, _, rest = line.strip().partition(": (String) ")
        message, _, status = rest.rpartition(" (HTTP ")
        out.append((name, message, int(status.rstrip(")"))))
    return out


def _client(server: HTTPServer) -> GlasshatClient:
    return GlasshatClient(api_key="a" * 32, base_url=server.url_for("/"), retry=ONCE)


@pytest.mark.parametrize(("name", "message", "status"), _documented())
def test_glasshat_client__each_documented_error_is_typed(
    server: HTTPServer, name: str, message: str, status: int
) -> None:
    headers = {"Retry-After": "0"} if status == 429 else {}  # the document gives none; no wait in a test
    server.expect_request("/account/0/clients").respond_with_json(
        {"errors": {name: message}}, status=status, headers=headers
    )
    with pytest.raises(TYPED[status]) as info:
        load_clients(_client(server))
    assert (info.value.status, info.value.code, info.value.detail) == (status, name, message)


def test_glasshat_client__an_error_document_with_200_is_an_error(server: HTTPServer) -> None:
    server.expect_request("/account/0/clients").respond_with_json({"errors": {"no_client": "Client ID not found."}})
    with pytest.raises(ApiError, match="no_client"):
        load_clients(_client(server))


RECORDS: list[dict[str, Any]] = [
    {"id": 1001, "name": "Acme", "website": "https://acme.example", "created": "2024-03-01T10:00:00+04:00"},
    {"id": "1002", "name": "Bravo", "website": None, "created": "2024-03-02T06:00:00Z"},
    {"id": 1003, "name": "Charlie", "created": "2024-03-03T06:00:00.000Z"},
]
LISTINGS = {
    "keyed_total": ({"clients": RECORDS, "page": 1, "per_page": 500, "total": 3}, {}),
    "bare_array": (RECORDS, {}),
    "data": ({"data": RECORDS}, {}),
    "laravel_meta": (
        {"data": RECORDS, "links": {"next": None}, "meta": {"current_page": 1, "last_page": 1, "total": 3}},
        {},
    ),
    "laravel_simple": ({"current_page": 1, "data": RECORDS, "next_page_url": None, "per_page": 500}, {}),
    "laravel_length_aware": (
        {"current_page": 1, "data": RECORDS, "next_page_url": None, "last_page": 1, "total": 3},
        {},
    ),
    "link_header": (RECORDS, {"Link": '<https://api.example/account/0/clients?page=1>; rel="first"'}),
}


@pytest.mark.parametrize("shape", sorted(LISTINGS))
def test_load_clients__every_listing_shape_field_by_field(server: HTTPServer, shape: str) -> None:
    body, headers = LISTINGS[shape]
    server.expect_request("/account/0/clients").respond_with_json(body, headers=headers)
    frame = load_clients(_client(server))
    assert frame["id"].tolist() == [1001, 1002, 1003] and str(frame["id"].dtype) == "Int64"
    assert frame["name"].tolist() == ["Acme", "Bravo", "Charlie"]
    assert frame.loc[0, "website"] == "https://acme.example"
    assert pd.isna(frame.loc[1, "website"]) and pd.isna(frame.loc[2, "website"])  # null, and missing
    assert str(frame["created"].dtype) == "datetime64[us, UTC]"
    assert frame["created"].tolist() == [
        pd.Timestamp("2024-03-01T06:00:00Z"),  # +04:00 converted to UTC
        pd.Timestamp("2024-03-02T06:00:00Z"),
        pd.Timestamp("2024-03-03T06:00:00Z"),
    ]
    assert len(server.log) == 1


def test_load_clients__a_capped_page_is_not_the_last_when_the_total_says_more(server: HTTPServer) -> None:
    def page(number: int, ids: list[int]) -> dict[str, object]:
        rows = [dict(RECORDS[0], id=i) for i in ids]
        return {"clients": rows, "page": number, "per_page": 2, "total": 5}

    for number, ids in ((1, [1, 2]), (2, [3, 4]), (3, [5])):
        query = {"apikey": "a" * 32, "page": str(number), "per_page": "500"}
        server.expect_request("/account/0/clients", query_string=query).respond_with_json(page(number, ids))
    assert load_clients(_client(server))["id"].tolist() == [1, 2, 3, 4, 5]
