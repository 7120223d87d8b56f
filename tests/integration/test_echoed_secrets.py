"""No credential in an error or a log record when the server quotes the request back (issue 13, item 8).

A loopback server answers the Hitask sign-in and a Glasshat listing with an error whose body quotes the
request's query string and form body raw, percent-decoded, JSON-escaped and HTML-escaped. Every spelling of
every credential (`tests.helpers.echoes`) must be absent from the error's str, repr and
attributes, from its pickled copy, and from every log record at DEBUG, a hook that logs each answer's body
included. The server's own access log (werkzeug) is the stand-in service's, not ours, and is left out.
"""

from __future__ import annotations

import html
import json
import logging
import pickle
import re
import threading
from collections.abc import Iterator
from urllib.parse import quote, unquote_plus

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from apitoolkit.exceptions import (
    ApiError,
    AuthenticationError,
    InvalidRequestError,
    PermissionDeniedError,
    ServerError,
)
from apitoolkit.glasshat import GlasshatClient
from apitoolkit.hitask import HitaskClient
from apitoolkit.http import RequestSpec
from apitoolkit.http.client import BaseClient
from apitoolkit.http.redaction import REDACTED, register_secrets
from tests.helpers import FAST_RETRY, HITASK_PASSWORD, NASTY_PASSWORD, echoes

HITASK_KEY = "hitask-key-Q7x/9+k=="
HITASK_LOGIN = "ops+alerts@example.com"
GLASSHAT_KEY = "9f86d081884c7d659a2feaa0c55ad015"
#: More requests than any retry policy here sends: past it the server answers 410, and the test fails.
MAX_REQUESTS = 12
#: Logs each answer's body, as a debugging hook might: the registered secrets must be scrubbed from it.
BODY_LOG = logging.getLogger("apitoolkit.tests.echoed_bodies")


def quoted(request: Request) -> str:
    """The request's query string and form body, raw, decoded, JSON-escaped (both ways), HTML-escaped."""
    spellings = []
    for raw in (request.query_string.decode("latin-1"), request.get_data(as_text=True)):
        decoded = unquote_plus(raw)
        spellings += [
            raw,
            decoded,
            json.dumps(decoded)[1:-1],
            json.dumps(decoded)[1:-1].replace("/", "\\/"),
            json.dumps(decoded, ensure_ascii=False)[1:-1],
            html.escape(decoded),
            quote(raw),
        ]
    return " | ".join(spellings)


class EchoServer:
    """Answers every request with ``status``, quoting the request in a service's error body or an HTML page."""

    def __init__(self, status: int, kind: str) -> None:
        self.status, self.kind = status, kind
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.requests.append(request)
            if len(self.requests) > MAX_REQUESTS:
                return Response("too many requests for this test", status=410)
        echo = quoted(request)
        if self.kind == "html":
            page = f"<html><body><h1>Error</h1><pre>{html.escape(echo)}</pre></body></html>"
            return Response(page, status=self.status, content_type="text/html")
        if self.kind == "hitask":
            body = {"response_status": 36, "error_message": f"Wrong password in {echo}"}
        else:
            body = {"errors": {request.query_string.decode("latin-1"): f"No license for {echo}"}}
        return Response(json.dumps(body), status=self.status, content_type="application/json")


@pytest.fixture(scope="module")
def server() -> Iterator[HTTPServer]:
    """One loopback server for the module (stopping one takes half a second), stopped when the module is done."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    try:
        yield srv
    finally:
        srv.clear()
        if srv.is_running():
            srv.stop()


def serve(server: HTTPServer, status: int, kind: str) -> EchoServer:
    """Make ``server`` answer every request the `EchoServer` way from now on."""
    echo = EchoServer(status, kind)
    server.clear()
    server.expect_request(re.compile("^/.*")).respond_with_handler(echo)
    return echo


def log_bodies(client: BaseClient) -> None:
    """Register the client's secrets (as clients do when built) and log every answer's body."""
    register_secrets(client.secrets)
    hook = lambda response, *args, **kwargs: BODY_LOG.debug("answer: %s", response.text)  # noqa: E731
    client.session.hooks["response"].append(hook)


def leaks(error: ApiError, records: list[logging.LogRecord], secrets: list[str]) -> list[str]:
    """Where a spelling of a secret shows: ``"<place>: <encoding> of <secret>"``."""
    places = {"str": str(error), "repr": repr(error), "pickled": repr(pickle.loads(pickle.dumps(error)))}
    for name in ("service", "status", "code", "detail", "url", "hint", "args", "__cause__", "__context__"):
        places[name] = repr(getattr(error, name, None))
    for record in records:
        if not record.name.startswith("werkzeug"):
            text = "\n".join([record.getMessage(), record.exc_text or "", record.stack_info or ""])
            places[f"log {record.name}"] = places.get(f"log {record.name}", "") + "\n" + text
    found = []
    for secret in secrets:
        for encoding, echoed in echoes(secret).items():
            found += [f"{place}: {encoding} of {secret!r}" for place, text in places.items() if echoed in text]
    return found


@pytest.mark.parametrize("password", [HITASK_PASSWORD, NASTY_PASSWORD])
@pytest.mark.parametrize(
    ("status", "kind", "raised"),
    [  # Hitask's code 36 (wrong password) names the refusal whatever status carries it (issue 14)
        (400, "hitask", AuthenticationError),
        (401, "hitask", AuthenticationError),
        (500, "hitask", AuthenticationError),
        (500, "html", ServerError),
    ],
)
def test_hitask_sign_in__echoed_credentials_reach_no_error_or_log(
    server: HTTPServer,
    caplog: pytest.LogCaptureFixture,
    password: str,
    status: int,
    kind: str,
    raised: type[ApiError],
) -> None:
    echo = serve(server, status, kind)
    client = HitaskClient(
        api_key=HITASK_KEY,
        login=HITASK_LOGIN,
        password=password,
        base_url=server.url_for("/api").rstrip("/"),
        retry=FAST_RETRY,
        timeout=5,
    )
    log_bodies(client)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(raised) as info:
        client.sign_in()
    assert echo.requests[0].args["password"] == password  # the server saw, and quoted, the real password
    assert len(echo.requests) == (FAST_RETRY.max_attempts if status >= 500 else 1)
    if kind == "hitask":
        assert REDACTED in (info.value.detail or "")
    assert any(REDACTED in r.getMessage() for r in caplog.records if r.name == BODY_LOG.name)
    assert leaks(info.value, caplog.records, [HITASK_KEY, HITASK_LOGIN, password]) == []


@pytest.mark.parametrize(
    ("status", "kind", "raised"),
    [(400, "glasshat", InvalidRequestError), (403, "glasshat", PermissionDeniedError), (500, "html", ServerError)],
)
def test_glasshat_request__echoed_key_reaches_no_error_or_log(
    server: HTTPServer, caplog: pytest.LogCaptureFixture, status: int, kind: str, raised: type[ApiError]
) -> None:
    echo = serve(server, status, kind)
    client = GlasshatClient(api_key=GLASSHAT_KEY, base_url=server.url_for("/").rstrip("/"), retry=FAST_RETRY, timeout=5)
    log_bodies(client)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(raised) as info:
        client.request("GET", RequestSpec("account/0/clients", params={"page": "1"}))
    assert echo.requests[0].args["apikey"] == GLASSHAT_KEY
    if kind == "glasshat":
        assert REDACTED in (info.value.code or "") and REDACTED in (info.value.detail or "")
    assert leaks(info.value, caplog.records, [GLASSHAT_KEY]) == []


def test_glasshat_request__key_under_another_parameter_name_stays_out_of_error_url(server: HTTPServer) -> None:
    serve(server, 400, "glasshat")
    client = GlasshatClient(api_key=GLASSHAT_KEY, base_url=server.url_for("/").rstrip("/"), retry=FAST_RETRY, timeout=5)
    with pytest.raises(InvalidRequestError) as info:
        client.request("GET", RequestSpec("account/0/clients", params={"note": f"key {GLASSHAT_KEY}"}))
    assert leaks(info.value, [], [GLASSHAT_KEY]) == []


def test_echo_server__quotes_every_spelling_the_test_looks_for() -> None:
    """The check above is only as good as the server's echo: it must hold the spellings `leaks` searches."""
    prepared = requests.Request("GET", "http://h/x", params={"password": NASTY_PASSWORD}).prepare()
    assert prepared.url is not None
    echo = quoted(Request.from_values(query_string=prepared.url.split("?", 1)[1]))
    found = [name for name, echoed in echoes(NASTY_PASSWORD).items() if echoed in echo]
    assert {"raw", "quote_plus", "json", "json ensure_ascii=False", "json escaped /", "html"} <= set(found)
