"""Every client's request against generated answers (status, headers, body) from a raw loopback server.

Invariants: a 200 with a well-formed page comes back as a `Page`; anything else raises the `ApiError` its status
calls for (or `TransportError` when the body cannot be read as sent), never another exception; no message,
attribute or URL of an error or page holds a credential, even when the body quotes one.
"""

from __future__ import annotations

import contextlib
import pickle
import socket
import socketserver
import threading
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from apitoolkit.exceptions import (
    ApiError,
    AuthenticationError,
    ConflictError,
    InvalidRequestError,
    InvalidResponseError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    ServerError,
    TransportError,
)
from apitoolkit.glasshat import GlasshatClient
from apitoolkit.happygrasshopper import HappyGrasshopperClient
from apitoolkit.hitask import HitaskClient
from apitoolkit.http.client import BaseClient
from apitoolkit.http.paginators import Page, RequestSpec
from apitoolkit.http.retry import RetryPolicy, parse_retry_after
from apitoolkit.itglue import ITGlueClient
from tests.unit.fuzz.strategies import JSON, ODD_TEXT, SCALARS, TEXT, dumps, fuzz

API_KEY = "fuzz-api-key-7f3a9c"
HITASK_PASSWORD = "fuzz-Pa55word-e81b"
SESSION_ID = "fuzz-session-40d2c6b1"
SECRETS = (API_KEY, HITASK_PASSWORD, SESSION_ID)
#: Four services, each through a plain and a cached session: 600 answers in all.
EXAMPLES_PER_SERVICE = 150
NO_WAIT = RetryPolicy(max_attempts=2, backoff=0.0, max_backoff=0.0, max_retry_after=0.0, jitter=0.0)
STATUS_ERRORS = {
    401: AuthenticationError,
    402: PermissionDeniedError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitedError,
}


class CannedServer(socketserver.ThreadingTCPServer):
    """Answers every HTTP request with the raw bytes of ``answer`` (Hitask's sign-in with a session)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
        self.signed_in = raw_response(200, {}, orjson.dumps({"session_id": SESSION_ID}))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(socketserver.StreamRequestHandler):
    server: CannedServer

    def handle(self) -> None:
        request_line = self.rfile.readline()
        while self.rfile.readline().strip():  # the request's headers; a GET has no body
            pass
        answer = self.server.signed_in if b"user/authenticate" in request_line else self.server.answer
        with contextlib.suppress(OSError):  # the client gave up first
            self.wfile.write(answer)


def raw_response(status: int, headers: dict[str, str], body: bytes, reason: str = "Reason") -> bytes:
    """The bytes of an HTTP/1.1 response: ``Content-Length`` as given (it may lie), else the body's length."""
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{k}: {v}" for k, v in headers.items())]
    if not any(k.lower() == "content-length" for k in headers):
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


@pytest.fixture(scope="module")
def server() -> Iterator[CannedServer]:
    with CannedServer() as canned:
        thread = threading.Thread(target=canned.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        yield canned
        canned.shutdown()
        thread.join()


def make_client(service: str, base_url: str, cache: str, *, plain: bool) -> BaseClient:
    """A client of the canned server: through its own cached session, or a plain requests session."""
    # A short rate-limit window: a silent 429 is waited out for that long (issue 14), here 0.02 s.
    options: dict[str, Any] = {"retry": NO_WAIT, "rate_limit": (10**6, 0.02), "timeout": 5.0, "cache": cache}
    if plain:
        options["session"] = requests.Session()
    if service == "itglue":
        return ITGlueClient(api_key=API_KEY, base_url=f"{base_url}/itglue", **options)
    if service == "hitask":
        return HitaskClient(API_KEY, "fuzz@example.com", HITASK_PASSWORD, base_url=f"{base_url}/hitask", **options)
    if service == "glasshat":
        return GlasshatClient(api_key=API_KEY, base_url=f"{base_url}/glasshat", **options)
    return HappyGrasshopperClient(api_key=API_KEY, base_url=f"{base_url}/hg", **options)


SERVICES = ("itglue", "hitask", "glasshat", "happygrasshopper")


@pytest.fixture(scope="module")
def clients(server: CannedServer, tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], BaseClient]:
    """Each service's client twice: through a plain requests session, and through its own cached one."""
    cache = str(tmp_path_factory.mktemp("fuzz-cache"))
    clients = {(s, c): make_client(s, server.url, cache, plain=not c) for s in SERVICES for c in (False, True)}
    for client in clients.values():
        client.session.max_redirects = 3  # a redirect loop fails as surely after 3 hops as after 30
    return clients


#: Text quoting a credential, as error bodies do ("invalid key abc...").
QUOTING = st.sampled_from(SECRETS) | st.builds(lambda a, s, b: a + s + b, TEXT, st.sampled_from(SECRETS), TEXT)
MESSAGE = SCALARS | QUOTING | JSON
ERROR_DOCUMENTS = (
    st.fixed_dictionaries(  # JSON:API
        {
            "errors": st.lists(
                st.fixed_dictionaries(
                    {}, optional={k: MESSAGE for k in ("status", "code", "title", "detail", "source")}
                )
                | MESSAGE,
                max_size=3,
            )
            | MESSAGE
        }
    )
    | st.fixed_dictionaries(  # Hitask
        {"error_message": MESSAGE}, optional={"response_status": st.integers(0, 40) | st.just("7") | MESSAGE}
    )
    | st.fixed_dictionaries({"errors": st.dictionaries(ODD_TEXT | QUOTING, MESSAGE, max_size=3)})  # Glasshat
    | st.fixed_dictionaries(  # Happy Grasshopper
        {"message": MESSAGE}, optional={"errors": st.dictionaries(TEXT, st.lists(MESSAGE, max_size=2) | MESSAGE)}
    )
)
RECORDS = st.lists(st.fixed_dictionaries({"id": st.integers(1, 99) | st.integers(1, 99).map(str)}), max_size=3)
PAGES = (
    st.fixed_dictionaries({"data": RECORDS}, optional={"meta": JSON, "links": JSON})
    | RECORDS
    | st.builds(lambda key, records: {key: records}, st.sampled_from(["clients", "projects", "tasks", "task"]), RECORDS)
)
DOCUMENTS = st.one_of(ERROR_DOCUMENTS, PAGES, JSON).flatmap(
    lambda doc: st.builds(dumps, st.just(doc), pretty=st.booleans(), ascii_only=st.booleans())
)
BODIES = (
    DOCUMENTS
    | st.tuples(DOCUMENTS, st.integers(0, 200)).map(lambda cut: cut[0][: cut[1]])  # cut short
    | st.builds(lambda s: f"<html><body>502 Bad Gateway {s}</body></html>".encode(), QUOTING | TEXT)
    | st.binary(max_size=40)
    | st.just(b"")
)
#: Where a redirect may point: back to itself (a loop), nowhere, somewhere requests cannot go.
LOCATIONS = st.sampled_from(["/itglue/listing", "/hitask/listing", "", "ftp://127.0.0.1/x", "http://", "http://[::1"])
LATIN = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=16)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": st.sampled_from(
            ["application/json", "application/vnd.api+json", "text/html; charset=utf-8", "text/plain", ""]
        )
        | LATIN,
        "Retry-After": st.sampled_from(["0", "-5", "1e400", "nan", "Fri, 31 Dec 9999 23:59:59 GMT", ""])
        | st.integers(-10, 10**12).map(str)
        | LATIN,
        "Cache-Control": st.sampled_from(["no-store", "max-age=abc", "max-age=99999999999999999999", "immutable"])
        | LATIN,
        "Expires": st.sampled_from(["0", "garbage", "Thu, 01 Jan 1970 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT"])
        | LATIN,
        "ETag": LATIN,
        "Last-Modified": LATIN,
        "Date": LATIN,
        "Vary": st.sampled_from(["*", "Accept"]) | LATIN,
        "Content-Encoding": st.sampled_from(["gzip", "deflate", "identity", "br", "x-unknown"]),
        "Content-Length": st.sampled_from(["0", "1", "5, 6", "-1", "abc", "99999"]),
        "X-Cursor": LATIN,
        "Link": st.just('<http://127.0.0.1:1/x?page=2>; rel="next"') | LATIN,
        "Location": LOCATIONS | LATIN,
    },
)
#: Final statuses (1xx are interim), redirects among them.
STATUSES = st.sampled_from([200, 200, 200, 302, 400, 401, 402, 403, 404, 409, 422, 429, 500, 502, 503]) | st.integers(
    200, 599
)


def allowed_errors(status: int, headers: dict[str, str], body: bytes) -> tuple[type[ApiError], ...]:
    """The errors an answer may raise: the one its status calls for (an HTML page below 500: InvalidResponseError),
    and, when the client may read another body than the one sent (a lying length, an encoding, a status without a
    body), also TransportError or InvalidResponseError."""
    by_status = ServerError if status >= 500 else STATUS_ERRORS.get(status, InvalidRequestError)
    altered = status in {204, 304} or bool({"Content-Encoding", "Content-Length"} & set(headers))
    try:
        orjson.loads(body)
        html_page = False
    except orjson.JSONDecodeError:
        html_page = bool(body) and "html" in headers.get("Content-Type", "").lower()
    if status == 200:
        allowed = {InvalidResponseError, InvalidRequestError}
    elif status < 500 and html_page and not altered:
        allowed = {InvalidResponseError}
    else:
        allowed = {by_status}
    if altered:
        allowed |= {by_status, TransportError, InvalidResponseError}
    if "Location" in headers and 300 <= status < 400:  # followed (maybe in circles) or refused by requests
        allowed |= {InvalidResponseError, InvalidRequestError, ServerError, TransportError, *STATUS_ERRORS.values()}
    return tuple(allowed)


def no_secret(service: str, *texts: object) -> bool:
    """No credential of the service's client (Hitask: key, password, session) in any of the texts."""
    secrets = SECRETS if service == "hitask" else (API_KEY,)
    return not any(secret in str(text) for text in texts for secret in secrets)


@pytest.mark.parametrize("service", SERVICES)
@fuzz(EXAMPLES_PER_SERVICE)
@given(cached=st.booleans(), status=STATUSES, headers=HEADERS, body=BODIES, reason=LATIN)
def test_request__generated_answers_give_a_page_or_a_typed_error(
    server: CannedServer,
    clients: dict[tuple[str, bool], BaseClient],
    service: str,
    cached: bool,
    status: int,
    headers: dict[str, str],
    body: bytes,
    reason: str,
) -> None:
    client = clients[(service, cached)]
    server.answer = raw_response(status, headers, body, reason.strip() or "Reason")
    try:
        page = client.request("GET", RequestSpec("listing"), refresh=True)
    except ApiError as error:
        assert isinstance(error, allowed_errors(status, headers, body)), (type(error), status, headers, body)
        assert error.service == service
        assert error.status in {status, None}
        assert no_secret(service, error, repr(error), error.url, error.code, error.detail, error.hint, error.args)
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error)
    else:
        assert isinstance(page, Page) and status == 200
        assert "Content-Encoding" in headers or "Content-Length" in headers or page.content == body
        assert no_secret(service, page.url)


@fuzz()
@given(value=st.none() | LATIN | st.text(max_size=40) | st.integers(-(10**20), 10**20).map(str))
def test_parse_retry_after__any_header_value_is_seconds_or_none(value: str | None) -> None:
    seconds = parse_retry_after(value)
    assert seconds is None or seconds >= 0
    assert NO_WAIT.wait(attempt=1, retry_after=seconds) == 0.0


def test_canned_server__serves_the_raw_answer(server: CannedServer) -> None:
    server.answer = raw_response(418, {"X-Test": "1"}, b"teapot")
    host, port = server.server_address[:2]
    assert isinstance(host, str)
    with socket.create_connection((host, port)) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert conn.makefile("rb").read().endswith(b"teapot")


@pytest.mark.parametrize(
    "answer",
    [
        raw_response(200, {"Content-Length": "5, 6"}, b"{}"),  # requests: InvalidHeader
        raw_response(302, {"Location": "/itglue/listing"}, b""),  # a loop: TooManyRedirects
        raw_response(302, {"Location": "\x8e"}, b""),  # UnicodeDecodeError from requests
        raw_response(302, {"Location": "http://[::1"}, b""),  # ValueError from urllib.parse
        # RuntimeError (requests drains a redirect's body it could not decode), then urllib3's ProtocolError
        raw_response(302, {"Location": "/x", "Content-Encoding": "deflate", "Content-Length": "999"}, b"{}"),
        raw_response(302, {"Location": "http://[::1", "Content-Encoding": "gzip", "Content-Length": "999"}, b"{}"),
    ],
    ids=["bad-length", "redirect-loop", "undecodable-location", "unparsable-location", "undrainable", "cut-short"],
)
def test_request__answers_requests_cannot_read_are_invalid_responses(
    server: CannedServer, clients: dict[tuple[str, bool], BaseClient], answer: bytes
) -> None:
    server.answer = answer  # each escaped the client as a requests, urllib3 or builtin error before the fuzz suite
    with pytest.raises(InvalidResponseError, match="not a valid HTTP answer"):
        clients[("itglue", True)].request("GET", RequestSpec("listing"))
