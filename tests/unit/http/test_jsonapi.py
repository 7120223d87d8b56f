"""The JSON:API client's page check: meta from the tail when laid out as usual, full parse otherwise."""

from __future__ import annotations

import json

import pytest

from apitoolkit.config import resolve_config
from apitoolkit.http.jsonapi import JsonApiClient, jsonapi_error


@pytest.fixture
def client() -> JsonApiClient:
    return JsonApiClient(resolve_config("itglue", credentials={"api_key": "k"}, cache="off"))


def page(records: int = 3, **extra: object) -> bytes:
    body = {
        "data": [{"id": str(i), "type": "t", "attributes": {"x": '],"meta":{}'}} for i in range(records)],
        "meta": {"current-page": 1, "total-pages": 4},
        "links": {"next": None},
        **extra,
    }
    return json.dumps(body, separators=(",", ":")).encode()


def test_parse_page__reads_meta_from_the_tail(client: JsonApiClient) -> None:
    payload, records = client.parse_page(page())
    assert payload["meta"]["total-pages"] == 4 and records is None
    assert client.parse_page(page(0))[1] == 0


def test_parse_page__any_truncation_is_refused(client: JsonApiClient) -> None:
    body = page()
    for cut in range(1, len(body)):
        with pytest.raises(ValueError):
            client.parse_page(body[:cut])


@pytest.mark.parametrize(
    "body",
    [
        b'{"meta":{"total-pages":2},"data":[{"id":"1"}]}',
        b'{"data":[{"id":"1"}],"links":{},"meta":{"total-pages":2}}',
        b'{\n  "data": [{"id": "1"}],\n  "meta": {"total-pages": 2}\n}',
    ],
)
def test_parse_page__other_layouts_get_a_full_parse(client: JsonApiClient, body: bytes) -> None:
    payload, records = client.parse_page(body)
    assert payload["meta"]["total-pages"] == 2 and records == 1


def test_parse_page__error_documents_and_non_pages(client: JsonApiClient) -> None:
    payload, _ = client.parse_page(b'{"errors":[{"status":"422","detail":"bad"}]}')
    assert jsonapi_error(payload) == ("422", "bad")
    for bad in (b"<html>502</html>", b'{"data":"x"}', b"[]", b""):
        with pytest.raises(ValueError):
            client.parse_page(bad)
