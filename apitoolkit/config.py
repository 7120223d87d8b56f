"""Settings from arguments, then environment variables, then defaults: services, regions, cache location.

Resolution order for every setting: an explicit argument wins, then the environment variable, then the
default. Credentials have no default: a missing one raises `ConfigurationError` naming the variable. An
argument of the wrong kind or out of range raises `InvalidArgumentError` (a `ConfigurationError`) naming the
argument and what it accepts; a bad environment variable raises `ConfigurationError` naming the variable.

| setting              | environment variable                                   | default                        |
|----------------------|--------------------------------------------------------|--------------------------------|
| IT Glue key          | ``ITGLUE_API_KEY``                                     | (required)                     |
| IT Glue region       | ``ITGLUE_REGION`` (``us``, ``eu``, ``au``)             | ``us``                         |
| IT Glue base URL     | ``ITGLUE_BASE_URL`` (wins over the region)             | the region's server            |
| Hitask credentials   | ``HITASK_API_KEY``, ``HITASK_LOGIN``, ``HITASK_PASSWORD`` | (required)                  |
| Glasshat key         | ``GLASSHAT_API_KEY``                                   | (required)                     |
| Happy Grasshopper key| ``HAPPYGRASSHOPPER_API_KEY``                           | (required)                     |
| ``*_BASE_URL``       | per service                                            | the vendor's documented server |
| cache                | ``APITOOLKIT_CACHE``: a directory, a Redis URL, ``off`` | the user cache directory      |
| offline              | ``APITOOLKIT_OFFLINE``: ``1``/``true``/``yes``/``on``  | off                            |
| lock timeout         | ``APITOOLKIT_LOCK_TIMEOUT``: seconds                   | 300                            |

The lock timeout bounds how long a load waits for another process (or thread) that is fetching the same
query (`apitoolkit.stores.locks`) before it fetches itself.

A Redis URL (``redis://[[user]:password@]host[:port][/db]``, or ``rediss://`` for TLS) puts every cache and
the rate-limit log in that Redis server, shared by every machine that names it; its password never appears in
a repr or a message.

Each service's credentials, server, regions and rate limit are declared once, in its `apitoolkit.registry`
entry; `SERVICES` holds them by name. The settings every client takes are `ClientSettings`.

Glasshat documents no server name: ``https://api.glasshat.com`` is our choice; set ``GLASSHAT_BASE_URL``.
Hitask and Happy Grasshopper document a per-minute limit without a number: their defaults are our choice.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import TypedDict, Unpack
from urllib.parse import parse_qs, urlsplit

from apitoolkit.arguments import as_count, as_seconds, is_bool, shown
from apitoolkit.exceptions import ConfigurationError, InvalidArgumentError
from apitoolkit.registry import REGISTRY, RateLimit, ServiceSpec

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_MAX_WORKERS",
    "SERVICES",
    "CacheLocation",
    "ClientConfig",
    "ClientSettings",
    "Credentials",
    "RateLimit",
    "RedisURL",
    "ServiceSpec",
    "cache_location",
    "fetch_lock_timeout",
    "offline_mode",
    "resolve_config",
    "validate_expire_after",
]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


#: Every service's settings, by name, from its `apitoolkit.registry` entry.
SERVICES: dict[str, ServiceSpec] = {name: service.spec for name, service in REGISTRY.items()}


class Credentials(Mapping[str, str]):
    """Secret values by name; its repr and str never show them.

    Example:
        >>> creds = Credentials({"api_key": "s3cret"})
        >>> creds["api_key"], repr(creds)
        ('s3cret', "Credentials(api_key='***')")
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def __getitem__(self, key: str) -> str:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}='***'" for name in self._values)
        return f"Credentials({shown})"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("Credentials cannot be pickled: pass them through the environment instead.")


class RedisURL:
    """A Redis server URL (``redis://`` or ``rediss://``); its repr and str never show the password.

    Example:
        >>> url = RedisURL("redis://:s3cret@cache.example.com:6380/2")
        >>> str(url), url.host, url.port, url.db
        ('redis://***@cache.example.com:6380/2', 'cache.example.com', 6380, 2)
    """

    __slots__ = ("_url", "db", "host", "port", "scheme", "secret")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url.strip())
        self.scheme = parts.scheme.lower()
        try:
            port = parts.port
        except ValueError:
            port = -1
        self.host = parts.hostname or ""
        self.port = 6379 if port is None else port
        query = parse_qs(parts.query)
        #: Whether the URL carries credentials (a password, or a user name).
        self.secret = bool(parts.username or parts.password or "password" in query)
        db_text = parts.path.strip("/") or (query.get("db") or ["0"])[0]
        self.db = int(db_text) if db_text.isdigit() else -1
        if self.scheme not in {"redis", "rediss"} or not self.host or self.port < 1 or self.db < 0:
            raise ConfigurationError(
                f"The Redis cache URL {self} is not valid: use redis://[:password@]host[:port][/db] "
                "(rediss:// for TLS), for example redis://cache.example.com:6379/0."
            )
        self._url = url.strip()

    @property
    def url(self) -> str:
        """The whole URL, password included: only for the Redis client, never for a message."""
        return self._url

    def __str__(self) -> str:
        scheme = self.scheme if self.scheme in {"redis", "rediss"} else "redis"
        port = f":{self.port}" if self.port > 0 else ""
        db = f"/{self.db}" if self.db >= 0 else ""
        return f"{scheme}://{'***@' if self.secret else ''}{self.host or '?'}{port}{db}"

    def __repr__(self) -> str:
        return f"RedisURL('{self}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RedisURL) and other._url == self._url

    def __hash__(self) -> int:
        return hash(self._url)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("A Redis URL cannot be pickled: pass it through APITOOLKIT_CACHE instead.")


@dataclass(frozen=True)
class CacheLocation:
    """Where responses, frames and rate-limit logs are kept: a directory, a Redis server, or nowhere (``off``).

    Example:
        >>> CacheLocation(None, RedisURL("redis://:pw@localhost/0"))
        CacheLocation(path=None, redis=RedisURL('redis://***@localhost:6379/0'))
    """

    path: Path | None
    redis: RedisURL | None = None

    @property
    def enabled(self) -> bool:
        """Whether caching is on."""
        return self.path is not None or self.redis is not None

    def __str__(self) -> str:
        if self.redis is not None:
            return str(self.redis)
        return str(self.path) if self.path else "off"


#: Requests a client keeps in flight. Each one still passes the account's rate limiter (IT Glue: 3000 per 5
#: minutes, so a listing of a few hundred pages fits in one burst), so this only sets how many wait on the
#: network at once: a cold 100-page listing at 50 ms a request takes ~1.3 s with 6, ~1.7 s with 4, against
#: ~8 s for clients that page one after another (benchmarks/RESULTS.md). Services allowing 60 requests a
#: minute are paced by their limiter whatever this is.
DEFAULT_MAX_WORKERS = 6

#: Seconds one listing may take in all: every page, every retry and every wait for the rate limit or a
#: ``Retry-After``. IT Glue's window is 5 minutes, so a listing that must wait out a full window twice still
#: fits; a server that trickles bytes or answers 503 forever fails a scheduled run within this, not never.
DEFAULT_DEADLINE = 1800.0

#: Bytes a response body may hold after decompression: far above the largest real page (an IT Glue page of
#: 1,000 records is about 1-3 MB; a Hitask account's whole item list of 50,000 items about 60 MB), far below
#: what a compression bomb expands to.
DEFAULT_MAX_BODY_SIZE = 256 * 1024 * 1024


@dataclass(frozen=True, repr=False)
class ClientConfig:
    """Everything a client needs, resolved. Its repr never shows a credential."""

    service: ServiceSpec
    base_url: str
    credentials: Credentials
    cache: CacheLocation
    offline: bool
    rate_limit: RateLimit
    region: str | None = None
    timeout: float = 60.0
    max_workers: int = DEFAULT_MAX_WORKERS
    #: Seconds a load waits for another one fetching the same query before it fetches itself.
    lock_timeout: float = 300.0
    #: Seconds one listing (every page, attempt and retry wait) may take before it fails with TransportError.
    deadline: float = DEFAULT_DEADLINE
    #: Bytes a response body may hold once decompressed; a larger one is an InvalidResponseError.
    max_body_size: int = DEFAULT_MAX_BODY_SIZE

    def __repr__(self) -> str:
        return (
            f"ClientConfig(service={self.service.name!r}, base_url={self.base_url!r}, "
            f"credentials={self.credentials!r}, cache='{self.cache}', offline={self.offline}, "
            f"rate_limit={self.rate_limit.limit}/{self.rate_limit.period:g}s)"
        )


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value.strip() if value and value.strip() else None


def cache_location(value: str | os.PathLike[str] | None = None) -> CacheLocation:
    """Resolve the cache location: the argument, then ``APITOOLKIT_CACHE``, then the user cache directory.

    Args:
        value: A directory, a Redis URL (``redis://host:6379/0``, ``rediss://``), or ``"off"`` to disable caching.

    Raises:
        InvalidArgumentError: ``value`` is not a str or path, is empty, or is a URL apitoolkit cannot use.
        ConfigurationError: ``APITOOLKIT_CACHE`` holds a URL of another kind, or an invalid Redis URL.

    Example:
        >>> cache_location("off").enabled
        False
        >>> cache_location("redis://:pw@localhost:6379/1")
        CacheLocation(path=None, redis=RedisURL('redis://***@localhost:6379/1'))
    """
    error: type[ConfigurationError] = ConfigurationError if value is None else InvalidArgumentError
    source = "APITOOLKIT_CACHE" if value is None else "cache"
    raw = _path_text(value, "cache") if value is not None else _env("APITOOLKIT_CACHE")
    if raw is None:
        import platformdirs

        return CacheLocation(Path(platformdirs.user_cache_dir("apitoolkit")))
    if raw.strip().lower() in {"off", "none", "0", "false"}:
        return CacheLocation(None)
    if "://" in raw:
        scheme = raw.split("://")[0].strip().lower()
        if scheme in {"redis", "rediss"}:
            try:
                return CacheLocation(None, RedisURL(raw))
            except ConfigurationError as invalid:
                raise error(str(invalid)) from None
        raise error(f"{source}={scheme}://… is not a supported cache: set it to a directory, a redis:// URL or 'off'.")
    return CacheLocation(Path(raw).expanduser())


def _path_text(value: object, name: str) -> str:
    """A cache argument as text: a non-empty str or path (not bytes, a number or a bool)."""
    raw = os.fspath(value) if isinstance(value, str | os.PathLike) else None
    if not isinstance(raw, str) or not raw.strip():
        # The value is not shown: a Redis URL may hold a password.
        given = "empty text" if isinstance(raw, str) else f"a value of type {type(value).__name__}"
        raise InvalidArgumentError(
            f"{name}= ({given}) is not a cache location: give a directory (a str or Path), a redis:// URL, "
            "'off' to disable caching, or None for APITOOLKIT_CACHE."
        )
    return raw


def offline_mode(value: bool | str | None = None) -> bool:
    """Resolve offline mode: the argument, then ``APITOOLKIT_OFFLINE``.

    Args:
        value: True or False; or the words ``APITOOLKIT_OFFLINE`` takes (``"1"``, ``"true"``, ``"yes"``, ``"on"``,
            ``"0"``, ``"false"``, ``"no"``, ``"off"``); None for the environment variable.

    Raises:
        InvalidArgumentError: ``value`` is anything else (``"maybe"``, ``2``).
        ConfigurationError: ``APITOOLKIT_OFFLINE`` holds anything else.

    Example:
        >>> offline_mode(True), offline_mode("off")
        (True, False)
    """
    if value is not None:
        word = value.strip().lower() if isinstance(value, str) else None
        if is_bool(value) or (word and word in _TRUE | _FALSE):
            return bool(value) if word is None else word in _TRUE
        raise InvalidArgumentError(
            f"offline={shown(value)} is not understood: pass offline=True or offline=False (or one of the words "
            "APITOOLKIT_OFFLINE takes: '1', 'true', 'yes', 'on', '0', 'false', 'no', 'off'), or None for "
            "APITOOLKIT_OFFLINE."
        )
    raw = (os.environ.get("APITOOLKIT_OFFLINE") or "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigurationError(f"APITOOLKIT_OFFLINE={raw!r} is not understood: set it to 1 or 0.")


def fetch_lock_timeout(value: float | None = None) -> float:
    """Resolve the single-flight lock timeout (seconds): the argument, then ``APITOOLKIT_LOCK_TIMEOUT``, then 300.

    Raises:
        InvalidArgumentError: ``value`` is not a finite number of seconds of 0 or more.
        ConfigurationError: ``APITOOLKIT_LOCK_TIMEOUT`` is not.

    Example:
        >>> fetch_lock_timeout(30)
        30.0
    """
    if value is not None:
        return as_seconds(value, "lock_timeout", zero=True, example=300)
    raw = _env("APITOOLKIT_LOCK_TIMEOUT")
    if raw is None:
        return 300.0
    try:
        seconds = float(raw)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise ConfigurationError(
            f"Lock timeout {raw!r} is not a number of seconds: set APITOOLKIT_LOCK_TIMEOUT (or lock_timeout=) "
            "to how long a load may wait for another one fetching the same data, e.g. 300."
        )
    return seconds


def _check_url(url: str, source: str) -> str:
    error = InvalidArgumentError if source == "base_url" else ConfigurationError
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        shown_url = url.rpartition("@")[2]  # never a user name or password written before an '@'
        raise error(f"{source}={shown_url!r} is not an http(s) URL: give a URL such as https://api.example.com.")
    if parts.username or parts.password:
        raise error(f"{source} must not contain credentials: pass them as the API key instead.")
    return url.rstrip("/")


def _resolve_base_url(spec: ServiceSpec, base_url: str | None, region: str | None) -> tuple[str, str | None]:
    for name, value in (("base_url", base_url), ("region", region)):
        if value is not None and not isinstance(value, str):
            raise InvalidArgumentError(  # the value is not shown: a URL may hold a password
                f"{name}= (a value of type {type(value).__name__}) is not text: give {name} as a str, or None for "
                f"{spec.title}'s default."
            )
    if base_url:
        return _check_url(base_url, "base_url"), None
    error = ConfigurationError if region is None else InvalidArgumentError
    if region is None:
        env_url = _env(spec.base_url_env)
        if env_url:
            return _check_url(env_url, spec.base_url_env), None
        region = _env(spec.region_env) if spec.region_env else None
    if region is None:
        return spec.default_base_url, None
    if not spec.regions:
        raise error(f"{spec.title} has no regions: pass base_url or set {spec.base_url_env}.")
    key = region.strip().lower()
    if key not in spec.regions:
        raise error(
            f"Unknown {spec.title} region {region!r}: use one of {', '.join(sorted(spec.regions))} "
            f"(argument region= or {spec.region_env})."
        )
    return spec.regions[key], key


class ClientSettings(TypedDict, total=False):
    """The settings `resolve_config` resolves besides credentials and server (every client takes them too).

    Attributes:
        cache: A cache directory (str or path), a Redis URL, or ``"off"``; default ``APITOOLKIT_CACHE``.
        offline: Serve only from the cache: True or False, or a word ``APITOOLKIT_OFFLINE`` takes.
        rate_limit: ``(requests, seconds)`` or a `RateLimit`; defaults to the service's documented limit.
        timeout: Seconds (more than 0) to wait for a response before retrying (default 60).
        max_workers: Requests in flight at once, 1 or more (default `DEFAULT_MAX_WORKERS`).
        lock_timeout: Seconds (0 or more) a load waits for another one fetching the same query before it fetches
            itself; default ``APITOOLKIT_LOCK_TIMEOUT``, else 300.
        deadline: Seconds (more than 0) one listing may take in all, retries and waits included
            (`DEFAULT_DEADLINE`).
        max_body_size: Bytes (1 or more) a decompressed response body may hold (`DEFAULT_MAX_BODY_SIZE`).
    """

    cache: str | os.PathLike[str] | None
    offline: bool | str | None
    rate_limit: RateLimit | tuple[int, float] | list[float] | None
    timeout: float | None
    max_workers: int | None
    lock_timeout: float | None
    deadline: float | None
    max_body_size: int | None


def resolve_config(
    service: str,
    *,
    credentials: Mapping[str, str | None] | None = None,
    base_url: str | None = None,
    region: str | None = None,
    **settings: Unpack[ClientSettings],
) -> ClientConfig:
    """Resolve a service's settings: arguments first, then environment variables, then defaults.

    Args:
        service: One of ``SERVICES``.
        credentials: Credential values by name (``api_key``, ``login``, ``password``); None means "from the
            environment".
        base_url: The API root; wins over ``region`` and the environment.
        region: A region name for services that have them (IT Glue: ``us``, ``eu``, ``au``).
        **settings: The `ClientSettings` (``cache``, ``offline``, ``rate_limit``, ``timeout``, ...).

    Raises:
        InvalidArgumentError: An argument of the wrong kind or out of range (the message says what it accepts).
        ConfigurationError: A credential is missing, or an environment variable is invalid (it names it).

    Example:
        >>> cfg = resolve_config("itglue", credentials={"api_key": "k"}, region="eu", cache="off")
        >>> cfg.base_url
        'https://api.eu.itglue.com'
    """
    unknown_settings = sorted(set(settings) - ClientSettings.__optional_keys__)
    if unknown_settings:
        raise TypeError(f"resolve_config() got an unexpected keyword argument {unknown_settings[0]!r}")
    if service not in SERVICES:
        raise ConfigurationError(f"Unknown service {service!r}: use one of {', '.join(SERVICES)}.")
    spec = SERVICES[service]
    rate_limit, max_workers = settings.get("rate_limit"), settings.get("max_workers")
    timeout, deadline, max_body_size = settings.get("timeout"), settings.get("deadline"), settings.get("max_body_size")
    limit = spec.rate_limit if rate_limit is None else RateLimit.of(rate_limit)
    workers = DEFAULT_MAX_WORKERS if max_workers is None else as_count(max_workers, "max_workers", example=6)
    wait = 60.0 if timeout is None else as_seconds(timeout, "timeout", example=60)
    total = DEFAULT_DEADLINE if deadline is None else as_seconds(deadline, "deadline", example=DEFAULT_DEADLINE)
    body = (
        DEFAULT_MAX_BODY_SIZE
        if max_body_size is None
        else as_count(max_body_size, "max_body_size", example=DEFAULT_MAX_BODY_SIZE)
    )
    location = cache_location(settings.get("cache"))
    offline_on, lock_wait = offline_mode(settings.get("offline")), fetch_lock_timeout(settings.get("lock_timeout"))
    given = dict(credentials or {})
    unknown = set(given) - set(spec.credential_env)
    if unknown:
        raise ConfigurationError(
            f"{spec.title} takes the credentials {', '.join(spec.credential_env)}, not {', '.join(sorted(unknown))}."
        )
    for name, value in given.items():
        if value is not None and not isinstance(value, str):  # the value is a secret: never shown
            raise InvalidArgumentError(
                f"{spec.title} {name} must be text (a str), not {type(value).__name__}: pass {name}='…' "
                f"or set {spec.credential_env[name]}."
            )
    values: dict[str, str] = {}
    missing: list[str] = []
    for name, env_name in spec.credential_env.items():
        value = given.get(name) or _env(env_name)
        if value is None:
            missing.append(f"{name}= (or {env_name})")
        else:
            values[name] = value.strip()
    if missing:
        raise ConfigurationError(
            f"{spec.title} credentials missing: pass {' and '.join(missing)}. "
            "In a notebook or scheduled run, set the environment variable before starting Jupyter or papermill."
        )
    url, region_key = _resolve_base_url(spec, base_url, region)
    return ClientConfig(
        service=spec,
        base_url=url,
        credentials=Credentials(values),
        cache=location,
        offline=offline_on,
        rate_limit=limit,
        region=region_key,
        timeout=wait,
        max_workers=workers,
        lock_timeout=lock_wait,
        deadline=total,
        max_body_size=body,
    )


def validate_expire_after(value: object) -> float | dict[str, float] | None:
    """Check a client's ``expire_after``: seconds for every resource, seconds per resource, or None.

    Args:
        value: None (the client's defaults); a finite number of seconds, 0 or more (not a bool); or a mapping
            of resource name (a str, or ``"default"``) to such a number.

    Returns:
        The seconds as a float, the mapping as a new dict of floats, or None.

    Raises:
        InvalidArgumentError: Anything else; the message says what is accepted.

    Example:
        >>> validate_expire_after(600), validate_expire_after({"logs": 60})
        (600.0, {'logs': 60.0})
    """
    accepted = (
        "give seconds (a finite number, 0 or more, such as 3600), seconds per resource (such as "
        "{'logs': 600, 'default': 3600}), or None for the defaults"
    )
    if value is None:
        return None
    if isinstance(value, Mapping):
        seconds: dict[str, float] = {}
        for key, each in value.items():
            number = float(each) if isinstance(each, Real) and not is_bool(each) else math.nan
            if not isinstance(key, str) or not key.strip() or not (math.isfinite(number) and number >= 0):
                raise InvalidArgumentError(
                    f"expire_after={shown(value)} is not understood: {shown(key)}: {shown(each)} is not a resource "
                    f"name and a number of seconds; {accepted}."
                )
            seconds[key] = number
        return seconds
    number = float(value) if isinstance(value, Real) and not is_bool(value) else math.nan
    if not (math.isfinite(number) and number >= 0):
        raise InvalidArgumentError(f"expire_after={shown(value)} is not understood: {accepted}.")
    return number
