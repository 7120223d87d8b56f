"""Credential names are recognised in any spelling and removed from URLs, headers and text."""

from __future__ import annotations

import pytest
from requests.structures import CaseInsensitiveDict

from apitoolkit.http.redaction import cache_ignored_parameters, canonicalize_headers, is_sensitive, redact_url, scrub


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
