"""The session's transport on a real loopback server: bodies read whole, broken bodies raise what requests raises."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from apitoolkit.config import resolve_config
from apitoolkit.http.session import make_session
from apitoolkit.http.transport import WholeBodyAdapter


def session(server: HTTPServer) -> requests.Session:
    config = resolve_config("itglue", credentials={"api_key": "k" * 20}, base_url=server.url_for("/"), cache="off")
    return make_session(config, namespace="test", accept=lambda r: True)


def test_session__every_body_is_read_in_one_call(server: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> None:
    body = b'{"data": [' + b",".join(b'{"id": "%d"}' % i for i in range(20_000)) + b"]}"
    server.expect_request("/users").respond_with_data(body, content_type="application/json")
    s = session(server)
    assert isinstance(s.get_adapter("http://x"), WholeBodyAdapter)
    assert isinstance(s.get_adapter("https://x"), WholeBodyAdapter)
    reads: list[int | None] = []
    original = requests.adapters.HTTPAdapter.build_response

    def spy(self: requests.adapters.HTTPAdapter, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        real_read = resp.read

        def read(amt: int | None = None, **kw: Any) -> bytes:
            reads.append(amt)
            return bytes(real_read(amt, **kw))

        resp.read = read
        return original(self, req, resp)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "build_response", spy)
    response = s.get(server.url_for("/users"))
    assert response.content == body and len(body) > 200_000
    assert reads == [None]  # one read of everything, not requests' 10 KB chunks


def test_session__a_body_shorter_than_announced_is_a_chunked_encoding_error(server: HTTPServer) -> None:
    def short(request: Request) -> Response:
        response = Response(b'{"data": []}', content_type="application/json")
        response.headers["Content-Length"] = "500"
        return response

    server.expect_request("/users").respond_with_handler(short)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        session(server).get(server.url_for("/users"))


def test_session__head_requests_read_no_body(server: HTTPServer) -> None:
    server.expect_request("/users", method="HEAD").respond_with_data(b"", headers={"Content-Length": "10"})
    assert session(server).head(server.url_for("/users")).status_code == 200
