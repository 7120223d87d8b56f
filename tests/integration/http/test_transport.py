"""The transport against hostile loopback servers: one deadline for the whole response, a size limit after decoding."""

from __future__ import annotations

import gzip
import random
import re
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from apitoolkit.config import DEFAULT_MAX_BODY_SIZE, resolve_config
from apitoolkit.exceptions import InvalidResponseError, TransportError
from apitoolkit.http import transport
from apitoolkit.http.retry import RetryPolicy
from apitoolkit.http.session import make_session
from apitoolkit.http.transport import ResponseTimeout, ResponseTooLarge, WholeBodyAdapter
from apitoolkit.itglue import ITGlueClient, load_users
from tests.integration.hostile import (
    Handler,
    HostileServer,
    announce_length,
    brotli_bomb,
    deflate_bomb,
    encoded_body,
    gzip_bomb,
    respond,
    route,
    self_signed_tls,
    trickle_body,
    trickle_headers,
    zlib_bomb,
)

pytestmark = pytest.mark.timeout(30)

MiB = 1 << 20
PAGE = b'{"data": [' + b",".join(b'{"id": "%d", "type": "users"}' % i for i in range(20_000)) + b"]}"
TIMED_OUT = re.compile(
    r"^the response was not complete within timeout=1 s \(the server sent the headers and (\d+) bytes of the body "
    r"in (\d+\.\d) s\); pass a larger timeout= if the service is slow but alive$"
)


@pytest.fixture
def serve() -> Iterator[Callable[..., HostileServer]]:
    """Start a `HostileServer` for a handler; every one is stopped after the test."""
    started: list[HostileServer] = []

    def start(handler: Handler, **kwargs: Any) -> HostileServer:
        server = HostileServer(handler, lifetime=25.0, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def session(*, max_body_size: int = DEFAULT_MAX_BODY_SIZE) -> requests.Session:
    """A plain session with the adapter mounted: no rate limiter whose shared file could add waits to timings."""
    s = requests.Session()
    for prefix in ("http://", "https://"):
        s.mount(prefix, WholeBodyAdapter(max_body_size=max_body_size))
    return s


def toolkit_session(server: HostileServer, cache: Path, *, max_body_size: int | None = None) -> requests.Session:
    """The session every client uses (`make_session`), with the test's own cache and limiter files."""
    config = resolve_config(
        "itglue", credentials={"api_key": "k" * 20}, base_url=server.url, cache=str(cache), max_body_size=max_body_size
    )
    return make_session(config, namespace="test", accept=lambda r: True)


def timed(call: Callable[[], object]) -> tuple[BaseException | None, float]:
    started = time.monotonic()
    try:
        call()
    except Exception as exc:
        return exc, time.monotonic() - started
    return None, time.monotonic() - started


# -- the deadline ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
def test_transport__a_trickled_body_times_out_at_the_deadline(
    serve: Callable[..., HostileServer], framing: str
) -> None:
    server = serve(trickle_body(0.2, body=b'{"data": [' + b" " * 60 + b"]}", framing=framing))
    error, took = timed(lambda: session().get(server.url + "/users", timeout=1))
    assert isinstance(error, ResponseTimeout) and isinstance(error, requests.exceptions.Timeout)
    assert 0.9 < took < 2.5  # per-read timeouts alone would wait for all 72 bytes: 14 s
    match = TIMED_OUT.match(str(error))
    assert match is not None, str(error)
    assert int(match[1]) <= 5  # a byte every 0.2 s, the first after 0.2 s (fewer if the server thread lags)


def test_transport__trickled_headers_time_out_at_the_deadline(serve: Callable[..., HostileServer]) -> None:
    server = serve(trickle_headers(0.1))
    error, took = timed(lambda: session().get(server.url + "/users", timeout=1))
    assert isinstance(error, ResponseTimeout)
    assert 0.9 < took < 2.5
    assert str(error).startswith(
        "the response was not complete within timeout=1 s (the server sent no complete status line and headers in 1."
    )


def test_transport__the_deadline_holds_over_tls(serve: Callable[..., HostileServer], tmp_path: Path) -> None:
    try:
        tls, cert = self_signed_tls(tmp_path)
    except (OSError, RuntimeError) as exc:  # no openssl command
        pytest.skip(f"cannot make a certificate: {exc}")
    server = serve(route({"/slow": trickle_body(0.2, body=b" " * 40), "/fast": respond(PAGE)}), tls=tls)
    s = session()
    error, took = timed(lambda: s.get(server.url + "/slow", timeout=1, verify=str(cert)))
    assert isinstance(error, ResponseTimeout) and TIMED_OUT.match(str(error)), error
    assert 0.9 < took < 2.5
    assert s.get(server.url + "/fast", timeout=5, verify=str(cert)).content == PAGE
    assert server.connections == 2


def test_transport__the_deadline_holds_through_an_http_proxy(serve: Callable[..., HostileServer]) -> None:
    proxy = serve(trickle_body(0.2, body=b" " * 40))  # answers the proxied request itself, trickling
    error, took = timed(
        lambda: session().get("http://api.example.invalid/users", timeout=1, proxies={"http": proxy.url})
    )
    assert isinstance(error, ResponseTimeout) and TIMED_OUT.match(str(error)), error
    assert 0.9 < took < 2.5


def test_transport__a_connection_cut_at_its_deadline_is_never_reused(serve: Callable[..., HostileServer]) -> None:
    server = serve(route({"/slow": trickle_body(0.2, body=b" " * 40), "/fast": respond(PAGE)}))
    s = session()
    assert s.get(server.url + "/fast", timeout=5).content == PAGE
    with pytest.raises(ResponseTimeout):
        s.get(server.url + "/slow", timeout=1)  # on the pooled connection
    assert s.get(server.url + "/fast", timeout=5).content == PAGE
    assert (server.requests, server.connections) == (3, 2)


def test_transport__a_slow_answer_within_the_deadline_is_untouched(serve: Callable[..., HostileServer]) -> None:
    server = serve(trickle_body(0.05, body=b'{"data": [1, 2]}'))
    response = session().get(server.url + "/users", timeout=3)
    assert response.status_code == 200 and response.json() == {"data": [1, 2]}


def test_transport__a_pooled_connection_outlives_its_last_deadline(serve: Callable[..., HostileServer]) -> None:
    server = serve(respond())
    s = session()
    assert s.get(server.url + "/users", timeout=0.5).json() == {"data": []}
    time.sleep(0.8)  # the first request's deadline passes while its connection waits in the pool
    assert s.get(server.url + "/users", timeout=0.5).json() == {"data": []}
    assert (server.requests, server.connections) == (2, 1)


def test_transport__many_quick_answers_are_never_cut(serve: Callable[..., HostileServer]) -> None:
    server = serve(respond())
    s = session()
    failures: list[BaseException] = []

    def worker() -> None:  # runs about 1.2 s: earlier deadlines pass while their connections serve later requests
        for _ in range(40):
            try:
                assert s.get(server.url + "/users", timeout=0.5).json() == {"data": []}
            except BaseException as exc:
                failures.append(exc)
            time.sleep(0.03)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert failures == [] and server.requests == 160
    assert server.connections <= 4


def test_transport__finished_deadlines_do_not_pile_up(serve: Callable[..., HostileServer]) -> None:
    server = serve(respond())
    s = session()
    for _ in range(600):
        s.get(server.url + "/users", timeout=60)
    assert len(transport._WATCHDOG._heap) < 600  # swept once half of it is finished, not kept for 60 s


def test_transport__a_connect_read_tuple_keeps_requests_per_read_timeouts(serve: Callable[..., HostileServer]) -> None:
    server = serve(trickle_body(0.1, body=b'{"data": [1, 2, 3]}'))
    started = time.monotonic()
    response = session().get(server.url + "/users", timeout=(1, 1))
    assert response.json() == {"data": [1, 2, 3]} and time.monotonic() - started > 1.5


def test_transport__redirects_are_followed_as_before(serve: Callable[..., HostileServer]) -> None:
    moved = respond(b"moved", status="301 Moved Permanently", headers={"Location": "/new"})
    server = serve(route({"/old": moved, "/new": respond(PAGE)}))
    response = session(max_body_size=MiB).get(server.url + "/old", timeout=5)
    assert response.content == PAGE and [r.status_code for r in response.history] == [301]


def test_transport__a_redirect_carrying_a_bomb_is_stopped_before_it_is_followed(
    serve: Callable[..., HostileServer],
) -> None:
    bomb = gzip_bomb(64 * MiB)

    def moved_with_a_bomb(conn: socket.socket, request: bytes) -> None:  # a 302 whose body expands to 64 MiB
        encoded = zlib_bomb(64 * MiB, 31)
        conn.sendall(
            b"HTTP/1.1 302 Found\r\nLocation: /new\r\nContent-Encoding: gzip\r\n"
            + f"Content-Length: {len(encoded)}\r\n\r\n".encode()
            + encoded
        )

    server = serve(route({"/old": moved_with_a_bomb, "/new": bomb}))
    tracemalloc.start()
    try:
        error, _ = timed(lambda: session().get(server.url + "/old", timeout=20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(error, ResponseTooLarge) and "a redirect's body" in str(error)
    assert peak < 8 * MiB


def test_transport__every_toolkit_session_has_the_deadline_and_the_limit(
    serve: Callable[..., HostileServer], cache_dir: Path
) -> None:
    server = serve(route({"/slow": trickle_body(0.2, body=b" " * 40), "/bomb": gzip_bomb(64 * MiB)}))
    s = toolkit_session(server, cache_dir, max_body_size=4 * MiB)
    with pytest.raises(ResponseTimeout) as info:
        s.get(server.url + "/slow", timeout=1)
    match = TIMED_OUT.match(str(info.value))
    assert match is not None and float(match[2]) < 2.5  # timed from the adapter's send, rate limiter left out
    with pytest.raises(ResponseTooLarge, match=r"^the body is larger than max_body_size=4 MiB once decompressed"):
        s.get(server.url + "/bomb", timeout=10)


# -- the size limit -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "encoding"),
    [
        (lambda size: gzip_bomb(size), "gzip"),
        (lambda size: gzip_bomb(size, framing="chunked"), "gzip"),
        (lambda size: gzip_bomb(size, framing="close"), "gzip"),
        (lambda size: deflate_bomb(size), "deflate"),
        (lambda size: brotli_bomb(size), "br"),  # brotli is a dev dependency: urllib3 decodes br with it
    ],
    ids=["gzip", "gzip-chunked", "gzip-close", "deflate", "br"],
)
def test_transport__a_compression_bomb_stops_at_the_limit(
    serve: Callable[..., HostileServer], make: Callable[[int], Handler], encoding: str
) -> None:
    server = serve(make(64 * MiB))
    s = session(max_body_size=4 * MiB)
    tracemalloc.start()
    try:
        error, took = timed(lambda: s.get(server.url + "/users", timeout=20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(error, ResponseTooLarge) and not isinstance(error, requests.exceptions.ContentDecodingError)
    assert str(error) == (
        f"the body is larger than max_body_size=4 MiB once decompressed (Content-Encoding: {encoding}); "
        "pass a larger max_body_size= if the service really sends pages this big"
    )
    assert peak < 12 * MiB  # about the limit, not the 64 MiB the bomb expands to
    assert took < 10


def test_transport__a_content_length_over_the_limit_is_refused_before_reading(
    serve: Callable[..., HostileServer],
) -> None:
    server = serve(announce_length(10 * 1024 * MiB))
    error, took = timed(lambda: session(max_body_size=MiB).get(server.url + "/users", timeout=10))
    assert isinstance(error, ResponseTooLarge)
    assert str(error) == (
        "the body is larger than max_body_size=1 MiB (Content-Length: 10737418240); "
        "pass a larger max_body_size= if the service really sends pages this big"
    )
    assert took < 2  # nothing of the body was waited for


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_transport__a_plain_body_without_a_length_is_counted_too(
    serve: Callable[..., HostileServer], framing: str
) -> None:
    server = serve(respond(b" " * (MiB + 1), framing=framing))
    with pytest.raises(ResponseTooLarge, match=r"^the body is larger than max_body_size=1 MiB; pass a larger"):
        session(max_body_size=MiB).get(server.url + "/users", timeout=10)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", None])
@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_transport__a_body_of_exactly_the_limit_passes_one_more_byte_does_not(
    serve: Callable[..., HostileServer], encoding: str | None, framing: str
) -> None:
    def handler(size: int) -> Handler:
        body = b"x" * size
        if encoding is None:
            return respond(body, framing=framing)
        encoded = gzip.compress(body) if encoding == "gzip" else zlib.compress(body)
        return encoded_body(encoded, encoding, framing=framing)

    server = serve(route({"/exact": handler(MiB), "/over": handler(MiB + 1)}))
    s = session(max_body_size=MiB)
    assert s.get(server.url + "/exact", timeout=10).content == b"x" * MiB
    with pytest.raises(ResponseTooLarge):
        s.get(server.url + "/over", timeout=10)


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
@pytest.mark.parametrize("framing", ["length", "chunked", "close"])
def test_transport__compressed_pages_decode_whole(
    serve: Callable[..., HostileServer], encoding: str, framing: str
) -> None:
    encoded = gzip.compress(PAGE) if encoding == "gzip" else zlib.compress(PAGE)
    server = serve(encoded_body(encoded, encoding, framing=framing))
    response = session().get(server.url + "/users", timeout=10)
    assert response.content == PAGE and len(response.json()["data"]) == 20_000


def test_transport__a_connection_left_in_mid_body_is_not_reused(serve: Callable[..., HostileServer]) -> None:
    incompressible = gzip.compress(random.Random(13).randbytes(4 * MiB))  # read only 1 MiB in before the refusal
    server = serve(route({"/big": encoded_body(incompressible, "gzip"), "/fast": respond(PAGE)}))
    s = session(max_body_size=MiB)
    assert s.get(server.url + "/fast", timeout=5).content == PAGE
    with pytest.raises(ResponseTooLarge):
        s.get(server.url + "/big", timeout=5)
    assert s.get(server.url + "/fast", timeout=5).content == PAGE
    assert (server.requests, server.connections) == (3, 2)


# -- through a service client ---------------------------------------------------------------------------------

ONE_RETRY = RetryPolicy(max_attempts=2, backoff=0.01, max_backoff=0.01, jitter=0.0)


def test_transport__an_itglue_load_from_a_trickling_server_is_a_transport_error(
    serve: Callable[..., HostileServer],
) -> None:
    server = serve(trickle_body(0.3, body=b'{"data": []}'))
    client = ITGlueClient(api_key="k" * 20, base_url=server.url, timeout=1, retry=ONE_RETRY)
    error, took = timed(lambda: load_users(client=client))
    assert isinstance(error, TransportError), error
    assert "within timeout=1 s" in str(error)
    assert server.requests == 2 and took < 6


def test_transport__an_itglue_load_of_a_bomb_is_an_invalid_response_not_retried(
    serve: Callable[..., HostileServer],
) -> None:
    server = serve(gzip_bomb(64 * MiB))
    client = ITGlueClient(api_key="k" * 20, base_url=server.url, timeout=10, retry=ONE_RETRY, max_body_size=4 * MiB)
    with pytest.raises(InvalidResponseError, match=r"max_body_size=4 MiB once decompressed \(Content-Encoding: gzip\)"):
        load_users(client=client)
    assert server.requests == 1
