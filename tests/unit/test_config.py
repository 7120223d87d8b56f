"""Settings: arguments first, then environment, then defaults; clear errors naming what to set."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from apitoolkit.config import (
    Credentials,
    RateLimit,
    cache_location,
    fetch_lock_timeout,
    offline_mode,
    resolve_config,
    validate_expire_after,
)
from apitoolkit.exceptions import ConfigurationError, InvalidArgumentError


def test_resolve__argument_beats_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITGLUE_API_KEY", "from-env")
    monkeypatch.setenv("ITGLUE_BASE_URL", "http://env.example")
    cfg = resolve_config("itglue", credentials={"api_key": "from-arg"}, base_url="http://arg.example/")
    assert cfg.credentials["api_key"] == "from-arg"
    assert cfg.base_url == "http://arg.example"


def test_resolve__environment_beats_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITGLUE_API_KEY", "from-env")
    monkeypatch.setenv("ITGLUE_REGION", "au")
    cfg = resolve_config("itglue")
    assert cfg.credentials["api_key"] == "from-env"
    assert cfg.base_url == "https://api.au.itglue.com" and cfg.region == "au"


def test_resolve__defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = resolve_config("itglue", credentials={"api_key": "k"})
    assert cfg.base_url == "https://api.itglue.com"
    assert cfg.rate_limit == RateLimit(3000, 300.0)
    assert cfg.max_workers == 6 and not cfg.offline


def test_resolve__region_argument_beats_base_url_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITGLUE_BASE_URL", "http://127.0.0.1:1")
    assert resolve_config("itglue", credentials={"api_key": "k"}, region="EU").base_url == "https://api.eu.itglue.com"


def test_resolve__base_url_in_environment_beats_region_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITGLUE_BASE_URL", "http://127.0.0.1:8765/itglue")
    monkeypatch.setenv("ITGLUE_REGION", "eu")
    assert resolve_config("itglue", credentials={"api_key": "k"}).base_url == "http://127.0.0.1:8765/itglue"


@pytest.mark.parametrize(
    ("service", "variable"),
    [
        ("itglue", "ITGLUE_API_KEY"),
        ("hitask", "HITASK_PASSWORD"),
        ("glasshat", "GLASSHAT_API_KEY"),
        ("happygrasshopper", "HAPPYGRASSHOPPER_API_KEY"),
    ],
)
def test_resolve__missing_credential_names_the_variable(service: str, variable: str) -> None:
    with pytest.raises(ConfigurationError, match=variable):
        resolve_config(service)


def test_resolve__blank_environment_counts_as_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITGLUE_API_KEY", "   ")
    with pytest.raises(ConfigurationError, match="ITGLUE_API_KEY"):
        resolve_config("itglue")


def test_resolve__unknown_region_lists_valid_ones() -> None:
    with pytest.raises(ConfigurationError, match="au, eu, us"):
        resolve_config("itglue", credentials={"api_key": "k"}, region="mars")


@pytest.mark.parametrize("url", ["api.itglue.com", "ftp://x", "http://user:pw@x.example"])
def test_resolve__bad_base_url(url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        resolve_config("itglue", credentials={"api_key": "k"}, base_url=url)


def test_resolve__unknown_service_and_credential() -> None:
    with pytest.raises(ConfigurationError, match="Unknown service"):
        resolve_config("jira")
    with pytest.raises(ConfigurationError, match="not token"):
        resolve_config("itglue", credentials={"token": "x"})


def test_resolve__repr_hides_credentials() -> None:
    cfg = resolve_config("hitask", credentials={"api_key": "KEY123456", "login": "ann@x.io", "password": "PW987654"})
    for secret in ("KEY123456", "ann@x.io", "PW987654"):
        assert secret not in repr(cfg) and secret not in str(cfg.credentials)


def test_credentials__cannot_be_pickled() -> None:
    import pickle

    with pytest.raises(TypeError, match="environment"):
        pickle.dumps(Credentials({"api_key": "x"}))


def test_cache_location__argument_environment_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert cache_location(tmp_path).path == tmp_path
    monkeypatch.setenv("APITOOLKIT_CACHE", "off")
    assert not cache_location().enabled
    monkeypatch.delenv("APITOOLKIT_CACHE")
    assert "apitoolkit" in str(cache_location().path)


def test_cache_location__unsupported_url() -> None:
    with pytest.raises(ConfigurationError, match="directory"):
        cache_location("memcached://host")


def test_cache_location__redis_url_never_shows_its_password(monkeypatch: pytest.MonkeyPatch) -> None:
    location = cache_location("redis://:s3cret-pw@cache.example.com:6380/2")
    assert location.enabled and location.path is None and location.redis is not None
    assert (location.redis.host, location.redis.port, location.redis.db) == ("cache.example.com", 6380, 2)
    assert location.redis.url.endswith("s3cret-pw@cache.example.com:6380/2")
    monkeypatch.setenv("APITOOLKIT_CACHE", "rediss://ann:s3cret-pw@cache.example.com")
    tls = resolve_config("itglue", credentials={"api_key": "k"})
    assert str(tls.cache) == "rediss://***@cache.example.com:6379/0"
    for shown in (repr(location), str(location), repr(tls), repr(tls.cache.redis)):
        assert "s3cret" not in shown and "ann" not in shown
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(location)


@pytest.mark.parametrize(
    "url", ["redis://:s3cret-pw@:6379/0", "redis://:s3cret-pw@host:port/0", "redis://:s3cret-pw@host/db1"]
)
def test_cache_location__invalid_redis_url_is_explained_without_the_password(url: str) -> None:
    with pytest.raises(ConfigurationError, match=r"redis://\[:password@\]host") as info:
        cache_location(url)
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize(("value", "expected"), [("1", True), ("yes", True), ("0", False), ("", False), ("off", False)])
def test_offline_mode__environment(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    monkeypatch.setenv("APITOOLKIT_OFFLINE", value)
    assert offline_mode() is expected
    assert offline_mode(not expected) is (not expected)


def test_offline_mode__garbage_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APITOOLKIT_OFFLINE", "perhaps")
    with pytest.raises(ConfigurationError, match="APITOOLKIT_OFFLINE"):
        offline_mode()


def test_rate_limit__must_be_positive() -> None:
    with pytest.raises(ConfigurationError):
        RateLimit(0, 1.0)
    with pytest.raises(ConfigurationError):
        resolve_config("itglue", credentials={"api_key": "k"}, max_workers=0)


@pytest.mark.parametrize(
    ("value", "expected"), [(True, True), (False, False), ("1", True), (" Yes ", True), ("off", False)]
)
def test_offline_mode__argument_takes_booleans_and_the_environment_words(value: bool | str, expected: bool) -> None:
    assert offline_mode(value) is expected


@pytest.mark.parametrize("value", ["maybe", "", 1, 0, 2.0, b"1"])
def test_offline_mode__any_other_argument_is_invalid(monkeypatch: pytest.MonkeyPatch, value: object) -> None:
    monkeypatch.setenv("APITOOLKIT_OFFLINE", "1")
    with pytest.raises(InvalidArgumentError, match="pass offline=True or offline=False"):
        offline_mode(value)  # type: ignore[arg-type]


def test_rate_limit__from_a_pair_or_itself() -> None:
    assert RateLimit.of((60, 60)) == RateLimit(60, 60.0) and RateLimit.of([5, 0.5]) == RateLimit(5, 0.5)
    limit = RateLimit(3, 1.0)
    assert RateLimit.of(limit) is limit
    for bad in [(1,), (True, 1.0), (1, float("nan")), None, "1/s"]:
        with pytest.raises(InvalidArgumentError, match=r"give \(requests, seconds\)"):
            RateLimit.of(bad)


def test_lock_timeout__argument_is_checked_as_an_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APITOOLKIT_LOCK_TIMEOUT", "45")
    assert fetch_lock_timeout(0) == 0.0 and fetch_lock_timeout(2.5) == 2.5
    for bad in [-1, float("inf"), True, "30"]:
        with pytest.raises(InvalidArgumentError, match="lock_timeout="):
            fetch_lock_timeout(bad)  # type: ignore[arg-type]


def test_cache_location__argument_of_another_kind_is_invalid() -> None:
    for bad in [b"/tmp/x", 3, False, "  "]:
        with pytest.raises(InvalidArgumentError, match="is not a cache location"):
            cache_location(bad)  # type: ignore[arg-type]


def test_validate_expire_after__numbers_mappings_or_none() -> None:
    assert validate_expire_after(None) is None
    assert validate_expire_after(60) == 60.0 and validate_expire_after({"logs": 0}) == {"logs": 0.0}
    with pytest.raises(InvalidArgumentError, match="seconds per resource"):
        validate_expire_after({"users": "x"})
