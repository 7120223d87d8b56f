"""Retries and error mapping against a real loopback server."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import requests
from pytest_httpserver import HTTPServer
from werkzeug.wrappers import Request, Response

from apitoolkit.exceptions import (
    AuthenticationError,
    FatalError,
    InvalidRequestError,
    InvalidResponseError,
    NotFoundError,
    RateLimitedError,
    RetriableError,
    ServerError,
    TransportError,
)
from apitoolkit.http import JsonApiPaginator, RequestSpec
from apitoolkit.http.jsonapi import JsonApiClient
from apitoolkit.http.retry import RetryPolicy
from apitoolkit.loading import load_listing
from tests.integration.http.fakeapi import FAST_RETRY, SECRET_A, USERS, FakeJsonApi, Fault, html_page, jsonapi_error


def load(client: JsonApiClient) -> pd.DataFrame:
    return load_listing(
        client, resource="users", spec=RequestSpec("users"), schema=USERS, paginator=JsonApiPaginator(page_size=100)
    )


def times(n: int, fault: Fault) -> list[Fault]:
    return [fault] * n


def test_retry__429_waits_for_retry_after_seconds(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    fake.faults = [lambda r: jsonapi_error(429, "Too Many Requests", "slow down", {"Retry-After": "1"})]
    started = time.monotonic()
    frame = load(make_client())
    assert time.monotonic() - started >= 1.0
    assert len(frame) == 250
    assert fake.count() == 4  # page 1 twice, then pages 2 and 3


def test_retry__429_with_http_date_retry_after(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    from email.utils import formatdate

    when = formatdate(time.time() + 2, usegmt=True)
    fake.faults = [lambda r: jsonapi_error(429, "Too Many Requests", "later", {"Retry-After": when})]
    started = time.monotonic()
    load(make_client())
    assert time.monotonic() - started >= 0.9


def test_retry__429_without_retry_after_backs_off_then_succeeds(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    fake.faults = times(2, lambda r: jsonapi_error(429, "Too Many Requests", "slow down"))
    assert len(load(make_client())) == 250


def test_retry__attempts_are_bounded_then_typed_error(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    fake.faults = times(10, lambda r: jsonapi_error(429, "Too Many Requests", "slow down", {"Retry-After": "0"}))
    with pytest.raises(RateLimitedError, match="Gave up after 4 attempts") as info:
        load(make_client())
    assert isinstance(info.value, RetriableError)
    assert info.value.status == 429
    assert fake.count() == 4


def test_retry__429s_that_do_not_say_when_are_waited_out_for_the_rate_limit_window(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    fake.faults = times(10_000, lambda r: jsonapi_error(429, "Too Many Requests", "slow down"))
    started = time.monotonic()
    with pytest.raises(RateLimitedError, match=r"whole rate-limit window \(0.5 s\)"):
        load(make_client(rate_limit=(10**6, 0.5)))
    assert 0.5 <= time.monotonic() - started < 3
    assert 4 < fake.count() < 30  # past the 4 attempts, at a tenth of the window apart


def test_retry__retry_after_is_capped(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    fake.faults = [lambda r: jsonapi_error(503, "Unavailable", "maintenance", {"Retry-After": "3600"})]
    started = time.monotonic()
    load(make_client(retry=RetryPolicy(max_attempts=3, max_retry_after=0.5, jitter=0.0)))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_retry__server_errors_are_retried(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], status: int
) -> None:
    fake.faults = times(2, lambda r: Response("oops", status=status))
    assert len(load(make_client())) == 250


def test_retry__server_error_exhausted_is_server_error(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    fake.faults = times(10, lambda r: Response("oops", status=500))
    with pytest.raises(ServerError) as info:
        load(make_client())
    assert info.value.status == 500


def test_retry__html_error_page_from_proxy(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    fake.faults = times(10, lambda r: html_page(502))
    with pytest.raises(ServerError, match="HTML error page"):
        load(make_client())


def test_retry__html_page_with_200_is_invalid_response(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    fake.faults = times(10, lambda r: Response("<html>login</html>", status=200, content_type="text/html"))
    with pytest.raises(InvalidResponseError, match="HTML page"):
        load(make_client())


def test_retry__truncated_json_is_retried(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    def truncated(request: Request) -> Response:
        response = fake.serve(request)
        data = response.get_data()
        response.set_data(data[: len(data) // 2])
        return response

    fake.faults = [truncated, truncated]
    assert len(load(make_client())) == 250


def test_retry__dropped_connection_is_transport_error(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    def short(request: Request) -> Response:
        response = fake.serve(request)
        response.headers["Content-Length"] = str(len(response.get_data()) + 500)
        return response

    fake.faults = times(10, short)
    with pytest.raises(TransportError):
        load(make_client())


def _counting(client: JsonApiClient) -> list[Any]:
    """Count the requests the client's session makes (each attempt is one)."""
    calls = []
    send = client.session.request

    def counted(*args: Any, **kwargs: Any) -> requests.Response:
        calls.append(args[1] if len(args) > 1 else kwargs.get("url"))
        return send(*args, **kwargs)

    client.session.request = counted  # type: ignore[method-assign]
    return calls


def test_retry__connection_refused_is_transport_error(
    make_client: Callable[..., JsonApiClient], server: HTTPServer
) -> None:
    client = make_client()
    server.stop()
    with pytest.raises(TransportError, match="connection"):
        load(client)


def test_retry__nothing_listening_fails_at_once_naming_the_host_and_the_setting(
    make_client: Callable[..., JsonApiClient], server: HTTPServer
) -> None:
    host = f"{server.host}:{server.port}"
    client = make_client(retry=RetryPolicy(max_attempts=6, backoff=5.0, max_backoff=5.0, jitter=0.0))
    server.stop()
    calls = _counting(client)
    with pytest.raises(TransportError) as caught:
        load(client)
    assert len(calls) == 1  # not six attempts 5 s apart: nothing listens, and waiting would only hide it
    message = str(caught.value)
    assert message.startswith(f"IT Glue: could not connect to {host} (connection refused).")
    assert "ITGLUE_BASE_URL" in message and "APITOOLKIT_OFFLINE=1" in message and "--offline" in message
    assert "offline=True" not in message and SECRET_A not in message


def test_retry__a_server_that_answered_before_and_then_refuses_is_retried(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], server: HTTPServer
) -> None:
    client = make_client()
    assert len(load(client)) == 250
    server.stop()
    calls = _counting(client)
    with pytest.raises(TransportError, match="Gave up after 4 attempts"):
        load_listing(
            client,
            resource="users",
            spec=RequestSpec("users"),
            schema=USERS,
            paginator=JsonApiPaginator(page_size=100),
            refresh=True,
        )
    assert len(calls) == FAST_RETRY.max_attempts  # a restart or a blip: worth the usual retries


@pytest.mark.parametrize(
    ("status", "cls"),
    [(400, InvalidRequestError), (401, AuthenticationError), (404, NotFoundError), (422, InvalidRequestError)],
)
def test_error__fatal_statuses_are_not_retried(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], status: int, cls: type[FatalError]
) -> None:
    fake.faults = [lambda r: jsonapi_error(status, "Nope", "filter[bogus] is not a valid filter")]
    with pytest.raises(cls) as info:
        load(make_client())
    assert isinstance(info.value, FatalError)
    assert info.value.code == str(status)
    assert "filter[bogus] is not a valid filter" in (info.value.detail or "")
    assert fake.count() == 1


def test_error__wrong_key_says_which_variable_and_hides_key(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    secret = "sk-WRONG-5b7d9f1a3c5e7b9d1f3a5c7e9b1d3f5a"
    fake.faults = [lambda r: jsonapi_error(401, "Unauthorized", f"key {secret} is invalid")]
    with pytest.raises(AuthenticationError) as info:
        load(make_client(secret))
    message = str(info.value)
    assert "ITGLUE_API_KEY" in message
    assert secret not in message and secret not in repr(info.value) and secret not in (info.value.detail or "")


def test_error__url_in_error_has_no_credentials(fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]) -> None:
    fake.faults = [lambda r: jsonapi_error(404, "Not found", "no such thing")]
    client = make_client()
    with pytest.raises(NotFoundError) as info:
        client.request("GET", RequestSpec("users/9", params={"apikey": SECRET_A, "api_key": SECRET_A}))
    url = info.value.url
    assert url is not None and SECRET_A not in str(info.value) and SECRET_A not in url
    assert "apikey=REDACTED" in url


def test_error__page_with_errors_and_status_200_is_invalid_request(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path
) -> None:
    def errors_with_200(request: Request) -> Response:
        response = jsonapi_error(200, "Invalid filter", "filter[date] range too long")
        response.status_code = 200
        return response

    fake.faults = [errors_with_200]
    with pytest.raises(InvalidRequestError, match="range too long"):
        load(make_client())
    assert fake.count() == 1
    assert not list(cache_dir.rglob("*.parquet"))
