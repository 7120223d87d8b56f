"""Fixtures: a real threaded loopback server running the fake JSON:API service, and clients for it."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from apitoolkit.config import resolve_config
from apitoolkit.http.jsonapi import JsonApiClient
from tests.integration.http.fakeapi import FAST_RETRY, SECRET_A, SECRET_B, FakeJsonApi, user


@pytest.fixture
def fake(server: HTTPServer) -> FakeJsonApi:
    api = FakeJsonApi({SECRET_A: [user(i) for i in range(1, 251)], SECRET_B: [user(i, "B") for i in range(1, 31)]})
    server.expect_request(re.compile("^/.*")).respond_with_handler(api)
    return api


@pytest.fixture
def make_client(server: HTTPServer) -> Callable[..., JsonApiClient]:
    def make(key: str = SECRET_A, **kwargs: Any) -> JsonApiClient:
        retry = kwargs.pop("retry", FAST_RETRY)
        expire_after = kwargs.pop("expire_after", None)
        config = resolve_config("itglue", credentials={"api_key": key}, base_url=server.url_for("/"), **kwargs)
        return JsonApiClient(config, retry=retry, expire_after=expire_after)

    return make
