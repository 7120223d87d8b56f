"""The Happy Grasshopper document's own examples, served from a loopback server and loaded field by field.

Source: ../shared/reference/seeds/003_c3dcd9a4f8c052ed.txt (the API overview). Its one JSON response example
("Requests and Responses") is a contact cut short with ``...``; the date format it gives ("Date Format") is
``2012-04-23T02:23:11Z``; it names 400, 403 and 404 as the error statuses ("Error Responses") without bodies.
The document says nothing of how listings look, so the example is served in each shape a listing may take.
"""

from __future__ import annotations

from typing import Any

import orjson
import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from apitoolkit.exceptions import (
    FatalError,
    InvalidRequestError,
    NotFoundError,
    PaginationError,
    PermissionDeniedError,
)
from apitoolkit.happygrasshopper import HappyGrasshopperClient, load_contacts
from apitoolkit.http import RequestSpec
from tests.helpers import FAST_RETRY

# "Requests and Responses": verbatim, then the ``...`` line (and the comma before it) left out to make it JSON.
EXAMPLE = """{
    "id": 1,
    "first_name": "Mary",
    "last_name": "Grasshopper", 
    ...
}"""  # noqa: W291 (the document's trailing space, kept)
CONTACT = EXAMPLE.replace('"Grasshopper", \n    ...\n', '"Grasshopper"\n')
# "Date Format": "2012-04-23T02:23:11Z"; and the same moment with an offset, as a server might send it.
DATED = {"id": 2, "first_name": "Gus", "created_at": "2012-04-23T02:23:11Z", "updated_at": "2012-04-23T06:23:11+04:00"}


def _client(server: HTTPServer) -> HappyGrasshopperClient:
    return HappyGrasshopperClient(api_key="hg-test-key-0123456789", base_url=server.url_for("/v3"), retry=FAST_RETRY)


def _records() -> str:
    return "[" + CONTACT + "," + orjson.dumps(DATED).decode() + "]"


SHAPES = {
    "bare_array": lambda: (_records(), {}),
    "data": lambda: ('{"data": ' + _records() + "}", {}),
    "laravel_meta": lambda: (
        '{"data": ' + _records() + ', "links": {"first": "x?page=1", "last": "x?page=1", "prev": null, "next": null}, '
        '"meta": {"current_page": 1, "from": 1, "last_page": 1, "per_page": 100, "to": 2, "total": 2}}',
        {},
    ),
    "laravel_simple": lambda: (
        '{"current_page": 1, "data": ' + _records() + ', "first_page_url": "x?page=1", "from": 1, '
        '"next_page_url": null, "path": "x", "per_page": 100, "prev_page_url": null, "to": 2}',
        {},
    ),
    "link_header": lambda: (_records(), {"Link": '<https://api.happygrasshopper.com/v3/contacts?page=1>; rel="first"'}),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_load_contacts__the_documents_contact_in_every_listing_shape(server: HTTPServer, shape: str) -> None:
    body, headers = SHAPES[shape]()
    server.expect_request("/v3/contacts").respond_with_data(body, content_type="application/json", headers=headers)
    frame = load_contacts(_client(server))
    assert frame["id"].tolist() == [1, 2] and str(frame["id"].dtype) == "Int64"
    mary = frame.iloc[0]
    assert (mary["first_name"], mary["last_name"]) == ("Mary", "Grasshopper")
    for missing in ("email", "phone", "company", "status", "created_at", "updated_at"):
        assert pd.isna(mary[missing]), missing
    assert len(mary["tags"]) == 0  # an absent list field reads as an empty list (the frames' rule)
    gus = frame.iloc[1]
    moment = pd.Timestamp("2012-04-23T02:23:11Z")
    assert gus["created_at"] == moment and gus["updated_at"] == moment  # the +04:00 offset converted to UTC
    assert str(frame["created_at"].dtype) == "datetime64[us, UTC]"
    assert pd.isna(gus["last_name"])


def test_happygrasshopper_client__the_documents_contact_as_one_record(server: HTTPServer) -> None:
    server.expect_request("/v3/contacts/1").respond_with_data(CONTACT, content_type="application/json")
    page = _client(server).request("GET", RequestSpec("contacts/1"))
    assert page.payload == {"id": 1, "first_name": "Mary", "last_name": "Grasshopper"} and page.records == 1


@pytest.mark.parametrize(
    ("status", "error"), [(400, InvalidRequestError), (403, PermissionDeniedError), (404, NotFoundError)]
)
def test_happygrasshopper_client__the_documents_error_statuses_are_typed(
    server: HTTPServer, status: int, error: type[FatalError]
) -> None:
    body: dict[str, Any] = {"message": "We could not process this request."}
    server.expect_request("/v3/contacts").respond_with_json(body, status=status)
    with pytest.raises(error) as info:
        load_contacts(_client(server))
    assert info.value.status == status and "We could not process this request." in str(info.value)


def test_load_contacts__a_short_page_that_says_more_is_not_the_last(server: HTTPServer) -> None:
    first = [dict(DATED, id=i) for i in (1, 2)]
    second = [dict(DATED, id=3)]
    server.expect_ordered_request("/v3/contacts", query_string={"page": "1", "per_page": "100"}).respond_with_json(
        {"data": first, "next_page_url": "https://api.happygrasshopper.com/v3/contacts?page=2"}
    )
    server.expect_ordered_request("/v3/contacts", query_string={"page": "2", "per_page": "100"}).respond_with_json(
        {"data": second, "next_page_url": None}
    )
    assert load_contacts(_client(server))["id"].tolist() == [1, 2, 3]


def test_load_contacts__a_server_ignoring_page_stops_at_page_2(server: HTTPServer) -> None:
    page = [dict(DATED, id=i) for i in range(1, 101)]
    server.expect_request("/v3/contacts").respond_with_json(page)  # every page is page 1
    with pytest.raises(PaginationError, match="page 2 holds the same records as page 1"):
        load_contacts(_client(server))
    assert len(server.log) == 2
