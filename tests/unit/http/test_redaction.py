"""Credential names are recognised in any spelling and removed from URLs, headers, text and library logs;
secret values are recognised however a server echoes them."""

from __future__ import annotations

import logging
import re
import string
import time

import pytest
from requests.structures import CaseInsensitiveDict

from apitoolkit.http.redaction import (
    _CHAINS,
    REDACTED,
    RedactingFilter,
    _group,
    cache_ignored_parameters,
    canonicalize_headers,
    is_sensitive,
    redact_logs,
    redact_text,
    redact_url,
    register_secrets,
    scrub,
)
from tests.helpers import HITASK_PASSWORD, NASTY_PASSWORD, echoes


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


@pytest.mark.parametrize("secret", [HITASK_PASSWORD, NASTY_PASSWORD])
@pytest.mark.parametrize("encoding", list(echoes(HITASK_PASSWORD)))
def test_scrub__every_echo_of_a_secret(secret: str, encoding: str) -> None:
    echoed = echoes(secret)[encoding]
    text = f'Hitask 400: invalid request "{echoed}" (sent password={echoed}).'
    assert (
        scrub(text, ["unrelated-key-1234", secret])
        == f'Hitask 400: invalid request "{REDACTED}" (sent password={REDACTED}).'
    )


def test_scrub__the_hitask_echo_of_issue_13() -> None:
    message = "Hitask 400 (Bad Request). 36: wrong password p%40ss+word%26Secret%231 for user/authenticate."
    assert (
        scrub(message, [HITASK_PASSWORD])
        == "Hitask 400 (Bad Request). 36: wrong password REDACTED for user/authenticate."
    )


def test_scrub__text_without_a_secret_is_unchanged() -> None:
    text = "p@ss word&Secret#2 p%40ss+word%26Secret%232 p@ss word Secret#1 Secret pass &amp; %2540 \\u0040 REDACTED"
    assert scrub(text, [HITASK_PASSWORD, NASTY_PASSWORD]) is text


def test_scrub__short_secrets_stay_unredacted() -> None:
    """Replacing a 1-3 character value everywhere would mangle ordinary words and numbers (see MIN_SECRET_LENGTH)."""
    assert scrub("status 400, page 1 of abc", ["400", "1", "abc", ""]) == "status 400, page 1 of abc"


def test_scrub__overlapping_secrets_longest_first() -> None:
    assert scrub("a=abcd1234 b=abcd c=abcd123", ["abcd", "abcd1234"]) == "a=REDACTED b=REDACTED c=REDACTED123"


def test_scrub__secret_without_letters_or_digits() -> None:
    assert scrub("x %40%23%24%25 y @#$% z", ["@#$%"]) == "x REDACTED y REDACTED z"


@pytest.mark.parametrize("chain", range(len(_CHAINS)))
def test_scrub__no_spelling_of_a_character_prefixes_another(chain: int) -> None:
    """What keeps the search from backtracking: at any place at most one spelling of a character matches."""
    for char in [*string.printable, "ä", "€", "💥", "\u2028"]:
        alternatives = re.findall(r"(?:\\.|[^|\\])+", _group(char, chain)[0].removeprefix("(?:").removesuffix(")"))
        spellings = [re.sub(r"\\(.)", r"\1", a) for a in alternatives]
        assert not [(a, b) for a in spellings for b in spellings if a != b and b.startswith(a)], repr(char)


@pytest.mark.parametrize("secret", ["\\" * 40, "%" * 40, "&" * 40, "% " * 20, "\\u" * 20])
def test_scrub__adversarial_text_costs_linear_time(secret: str) -> None:
    text = "".join(echoes(secret).values()) * 20 + "x"
    text = text.replace(secret[:8], secret[:7] + "x")  # many near-misses, no match
    started = time.perf_counter()
    scrub(text, [secret])
    assert time.perf_counter() - started < 1.0


def test_register_secrets__log_records_lose_every_echo(caplog: pytest.LogCaptureFixture) -> None:
    secret = "L0g-p@ss word&Secret#1/é"
    register_secrets([secret, None, "abc"])
    register_secrets([secret])  # idempotent
    redact_logs()
    caplog.set_level(logging.DEBUG, logger="urllib3.response")
    logger = logging.getLogger("urllib3.response")
    for encoding, echoed in echoes(secret).items():
        logger.debug("answer (%s): %s", encoding, echoed)
    try:
        raise ValueError(f"server said {echoes(secret)['json']}")
    except ValueError:
        logger.exception("failed with %r", echoes(secret)["quote_plus"], stack_info=True)
    assert len(caplog.records) == len(echoes(secret)) + 1
    for record in caplog.records:
        shown = "\n".join([record.getMessage(), record.exc_text or "", record.stack_info or ""])
        assert REDACTED in shown
        assert not [name for name, echoed in echoes(secret).items() if echoed in shown], shown
    assert "ValueError: server said REDACTED" in (caplog.records[-1].exc_text or "")


def test_redacting_filter__records_without_a_secret_are_untouched() -> None:
    register_secrets(["Untouched-secret-9"])
    record = logging.makeLogRecord({"msg": "page %d of %s", "args": (2, "users")})
    assert RedactingFilter().filter(record)
    assert (record.msg, record.args, record.exc_text) == ("page %d of %s", (2, "users"), None)


def test_redact_logs__covers_apitoolkit_loggers() -> None:
    logger = logging.getLogger("apitoolkit.test_redaction")
    redact_logs()
    assert any(isinstance(f, RedactingFilter) for f in logger.filters)
