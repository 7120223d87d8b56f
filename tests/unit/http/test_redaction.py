"""Credential names are recognised in any spelling and removed from URLs, headers, text and library logs."""

from __future__ import annotations

import logging

import pytest
from requests.structures import CaseInsensitiveDict

from apitoolkit.http.redaction import (
    cache_ignored_parameters,
    canonicalize_headers,
    is_sensitive,
    redact_text,
    redact_url,
    scrub,
)


@pytest.mark.parametrize(
    "name",
    [
        "x-api-key",
        "X-API-Key",
        "X_API_KEY",
        "Authorization",
        "apikey",
        "APIKEY",
        "api_key",
        "session_id",
        "SessionId",
        "password",
        "Cookie",
        "access_token",
    ],
)
def test_is_sensitive__any_spelling(name: str) -> None:
    assert is_sensitive(name)


@pytest.mark.parametrize("name", ["page[size]", "filter[date]", "sort", "id", "Accept"])
def test_is_sensitive__ordinary_names(name: str) -> None:
    assert not is_sensitive(name)


def test_redact_url__query_and_userinfo() -> None:
    url = redact_url("https://bob:pw@api.x.io:8443/v3/t?apikey=S3CRETKEY&filter[id]=1,2&session_id=ABCD")
    assert "S3CRETKEY" not in url and "ABCD" not in url and "bob" not in url and "pw@" not in url
    assert url.startswith("https://api.x.io:8443/v3/t?") and "filter[id]=1,2" in url


def test_canonicalize_headers__lowercases_only_credentials() -> None:
    headers = CaseInsensitiveDict({"X-API-Key": "k", "Authorization": "Bearer t", "Accept": "json"})
    canonicalize_headers(headers)
    assert set(headers.keys()) == {"x-api-key", "authorization", "Accept"}
    assert headers["X-Api-Key"] == "k"


def test_cache_ignored_parameters__covers_the_spellings_requests_cache_compares() -> None:
    names = set(cache_ignored_parameters())
    assert {"x-api-key", "authorization", "apikey", "api_key", "APIKEY", "session_id", "password"} <= names


def test_scrub__replaces_every_secret_longest_first() -> None:
    assert scrub("a=abcd1234 b=abcd", ["abcd", "abcd1234"]) == "a=REDACTED b=REDACTED"
    assert scrub("short x", ["x"]) == "short x"  # too short to scrub safely


def test_redact_text__credential_parameters_of_every_url() -> None:
    text = 'GET /api/user/authenticate?api_key=k1&login=me%40x.com&Password=p-1 "x" /c?page=2&apikey=k2;session_id=s3'
    assert redact_text(text) == (
        'GET /api/user/authenticate?api_key=REDACTED&login=REDACTED&Password=REDACTED "x" '
        "/c?page=2&apikey=REDACTED;session_id=REDACTED"
    )
    assert redact_text("/users?page%5Bnumber%5D=1&sort=name") == "/users?page%5Bnumber%5D=1&sort=name"


@pytest.mark.parametrize("name", ["urllib3.connectionpool", "urllib3.poolmanager", "requests_cache.session"])
def test_client__library_debug_logs_of_request_urls_hold_no_credential(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    from apitoolkit.glasshat import GlasshatClient

    GlasshatClient(api_key="a" * 32)  # found by the secrets scan: these loggers print query strings
    caplog.set_level(logging.DEBUG, logger=name)
    logging.getLogger(name).debug('%s "%s %s"', "http://h:1", "GET", "/account/0/clients?apikey=" + "a" * 32)
    assert caplog.records[-1].getMessage() == 'http://h:1 "GET /account/0/clients?apikey=REDACTED"'
