"""The Redis store without a server: the key layout, and the errors when redis is missing or unreachable."""

from __future__ import annotations

import socket
import sys

import pytest

from apitoolkit.config import RedisURL, cache_location
from apitoolkit.exceptions import CacheError, ConfigurationError
from apitoolkit.stores import frame_store
from apitoolkit.stores.redis import connect, http_namespace, ratelimit_key


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_keys__one_namespace_per_service_and_account() -> None:
    assert http_namespace("itglue", "ab12") == "apitoolkit:http:itglue-ab12"
    assert ratelimit_key("itglue_ab12_60_60650") == "apitoolkit:ratelimit:itglue_ab12_60_60650"


def test_connect__without_the_redis_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from apitoolkit.itglue import ITGlueClient

    monkeypatch.setitem(sys.modules, "redis", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'apitoolkit\[redis\]'") as info:
        ITGlueClient(api_key="k" * 20, cache="redis://:s3cret-pw@127.0.0.1:6379/0")
    assert "s3cret" not in str(info.value)


def test_connect__unreachable_server_is_a_cache_error_naming_host_and_port() -> None:
    port = closed_port()
    with pytest.raises(CacheError, match=rf"Could not reach the Redis cache at 127\.0\.0\.1:{port} \(db 3\)") as info:
        connect(RedisURL(f"redis://:s3cret-pw@127.0.0.1:{port}/3"))
    assert "s3cret" not in str(info.value) and "set APITOOLKIT_CACHE to a directory" in str(info.value)
    with pytest.raises(CacheError, match=f"127.0.0.1:{port}"):
        frame_store(cache_location(f"redis://127.0.0.1:{port}/0"), "frames", "itglue-ab12", fmt="parquet")
