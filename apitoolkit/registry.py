"""The service registry: each service declared once (settings, client, resources and loaders, emulator service).

Everything that lists services reads `REGISTRY`: `apitoolkit.config.SERVICES` (settings), the top-level exports
of `apitoolkit`, the ``apitoolkit`` command's resources and clients, the report credential checks and the
emulator's mounted services. Classes and loaders are named by ``"module:attribute"`` paths and imported on use,
so reading the registry loads nothing heavy (and the emulator can read it without importing a client).

Adding a resource to a service: write its ``load_<resource>`` loader and add a `Resource` to the service's
entry. Adding a service: its package (``client.py``, ``loaders.py``, ``schema.py``), its emulator package, and
one `ServiceEntry` here.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

from apitoolkit.arguments import is_bool, shown
from apitoolkit.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

    from apitoolkit.http.client import BaseClient

__all__ = ["REGISTRY", "RateLimit", "Resource", "ServiceEntry", "ServiceSpec", "entry", "load_object"]


@dataclass(frozen=True)
class RateLimit:
    """At most ``limit`` requests in any window of ``period`` seconds.

    Example:
        >>> RateLimit(3000, 300.0)
        RateLimit(limit=3000, period=300.0)
    """

    limit: int
    period: float

    def __post_init__(self) -> None:
        count = self.limit if isinstance(self.limit, Integral) and not is_bool(self.limit) else 0
        seconds = float(self.period) if isinstance(self.period, Real) and not is_bool(self.period) else math.nan
        if count < 1 or not (math.isfinite(seconds) and seconds > 0):
            raise InvalidArgumentError(
                f"Invalid rate limit {shown(self.limit)} per {shown(self.period)} s: use a whole number of "
                "requests of 1 or more and a finite number of seconds more than 0, such as (3000, 300)."
            )
        object.__setattr__(self, "limit", int(count))
        object.__setattr__(self, "period", seconds)

    @classmethod
    def of(cls, value: object) -> RateLimit:
        """A `RateLimit` from itself or from ``(requests, seconds)`` (a tuple or list).

        Raises:
            InvalidArgumentError: Anything else, or a count or period out of range.

        Example:
            >>> RateLimit.of((60, 60))
            RateLimit(limit=60, period=60.0)
        """
        if isinstance(value, RateLimit):
            return value
        if isinstance(value, tuple | list) and len(value) == 2:
            try:
                return cls(*value)
            except InvalidArgumentError:
                pass
        raise InvalidArgumentError(
            f"rate_limit={shown(value)} is not a rate limit: give (requests, seconds), a whole number of requests "
            "of 1 or more and a finite number of seconds more than 0, such as (3000, 300); or a RateLimit; or None "
            "for the service's documented limit."
        )


@dataclass(frozen=True)
class ServiceSpec:
    """What apitoolkit knows about one service: where it lives and how it authenticates."""

    name: str
    title: str
    credential_env: Mapping[str, str]
    base_url_env: str
    default_base_url: str
    rate_limit: RateLimit
    regions: Mapping[str, str] = field(default_factory=dict)
    region_env: str | None = None


def load_object(path: str) -> Any:
    """The object a ``"module:attribute"`` path names, importing its module.

    Raises:
        InvalidArgumentError: The path has no ``:``, or its module or attribute does not exist.

    Example:
        >>> load_object("apitoolkit.registry:entry").__name__
        'entry'
    """
    module_name, colon, attribute = path.partition(":")
    if not colon or not module_name or not attribute:
        raise InvalidArgumentError(f"{path!r} is not an object path: write it 'package.module:name'.")
    try:
        return getattr(importlib.import_module(module_name), attribute)
    except (ModuleNotFoundError, AttributeError) as error:
        raise InvalidArgumentError(f"{path!r} names nothing importable ({error}): check the registry entry.") from None


@dataclass(frozen=True)
class Resource:
    """One resource a service loads: its name (the command's ``RESOURCE``) and its loader.

    Example:
        >>> Resource("logs", "apitoolkit.itglue.loaders:load_logs", date_range=True).date_range
        True
    """

    #: What ``apitoolkit fetch`` calls it, and the ``<resource>`` of ``load_<resource>``.
    name: str
    #: The loader, as ``"module:function"``.
    loader: str
    #: Whether the loader takes ``start, end`` first (a date range).
    date_range: bool = False

    def load_function(self) -> Callable[..., pd.DataFrame]:
        """The loader function (its module imported now).

        Example:
            >>> REGISTRY["itglue"].resource("users").load_function().__name__
            'load_users'
        """
        loader: Callable[..., pd.DataFrame] = load_object(self.loader)
        return loader


@dataclass(frozen=True)
class ServiceEntry:
    """One service: its settings, its client class, its resources and their loaders, its emulated service.

    Example:
        >>> entry("glasshat").resource("tasks").loader
        'apitoolkit.glasshat.loaders:load_tasks'
    """

    spec: ServiceSpec
    #: The client class, as ``"module:Class"`` (a `BaseClient` subclass taking its credentials from the environment).
    client: str
    resources: tuple[Resource, ...]
    #: The emulator's service class, as ``"module:Class"`` (a ``apitoolkit.emulator.core.service.Service``).
    emulator: str

    @property
    def name(self) -> str:
        """The service's name (``itglue``)."""
        return self.spec.name

    def resource(self, name: str) -> Resource:
        """The resource called ``name``.

        Raises:
            InvalidArgumentError: The service has no such resource (the message lists those it has).
        """
        for resource in self.resources:
            if resource.name == name:
                return resource
        names = ", ".join(resource.name for resource in self.resources)
        raise InvalidArgumentError(f"{self.spec.title} has no resource {name!r}: use one of {names}.")

    def client_class(self) -> type[BaseClient]:
        """The client class (its module imported now)."""
        client: type[BaseClient] = load_object(self.client)
        return client

    def emulator_class(self) -> type[Any]:
        """The emulator's service class (its module imported now; needs the ``emulator`` extra)."""
        service: type[Any] = load_object(self.emulator)
        return service


def _resources(service: str, *names: str, date_range: tuple[str, ...] = ()) -> tuple[Resource, ...]:
    """`Resource`s loaded by ``apitoolkit.<service>.loaders:load_<name>``."""
    return tuple(Resource(name, f"apitoolkit.{service}.loaders:load_{name}", name in date_range) for name in names)


#: Every service, in the order the command, the reports and the emulator list them.
REGISTRY: dict[str, ServiceEntry] = {
    service.name: service
    for service in (
        ServiceEntry(
            ServiceSpec(
                name="itglue",
                title="IT Glue",
                credential_env={"api_key": "ITGLUE_API_KEY"},
                base_url_env="ITGLUE_BASE_URL",
                default_base_url="https://api.itglue.com",
                rate_limit=RateLimit(3000, 300.0),
                regions={
                    "us": "https://api.itglue.com",
                    "eu": "https://api.eu.itglue.com",
                    "au": "https://api.au.itglue.com",
                },
                region_env="ITGLUE_REGION",
            ),
            client="apitoolkit.itglue.client:ITGlueClient",
            resources=_resources(
                "itglue",
                "users",
                "organizations",
                "expirations",
                "user_metrics",
                "logs",
                date_range=("expirations", "user_metrics", "logs"),
            ),
            emulator="apitoolkit.emulator.itglue.service:ITGlueService",
        ),
        ServiceEntry(
            ServiceSpec(
                name="hitask",
                title="Hitask",
                credential_env={"api_key": "HITASK_API_KEY", "login": "HITASK_LOGIN", "password": "HITASK_PASSWORD"},
                base_url_env="HITASK_BASE_URL",
                default_base_url="https://hitask.com/api",
                rate_limit=RateLimit(60, 60.0),
            ),
            client="apitoolkit.hitask.client:HitaskClient",
            resources=_resources("hitask", "items", "item_history", "tags", "team_members", "contacts"),
            emulator="apitoolkit.emulator.hitask.service:HitaskService",
        ),
        ServiceEntry(
            ServiceSpec(
                name="glasshat",
                title="Glasshat",
                credential_env={"api_key": "GLASSHAT_API_KEY"},
                base_url_env="GLASSHAT_BASE_URL",
                default_base_url="https://api.glasshat.com",
                rate_limit=RateLimit(60, 60.0),
            ),
            client="apitoolkit.glasshat.client:GlasshatClient",
            resources=_resources("glasshat", "clients", "projects", "tasks"),
            emulator="apitoolkit.emulator.glasshat.service:GlasshatService",
        ),
        ServiceEntry(
            ServiceSpec(
                name="happygrasshopper",
                title="Happy Grasshopper",
                credential_env={"api_key": "HAPPYGRASSHOPPER_API_KEY"},
                base_url_env="HAPPYGRASSHOPPER_BASE_URL",
                default_base_url="https://api.happygrasshopper.com/v3",
                rate_limit=RateLimit(60, 60.0),
            ),
            client="apitoolkit.happygrasshopper.client:HappyGrasshopperClient",
            resources=_resources("happygrasshopper", "contacts"),
            emulator="apitoolkit.emulator.happygrasshopper.service:HappyGrasshopperService",
        ),
    )
}


def entry(name: str) -> ServiceEntry:
    """The registry entry of the service called ``name``.

    Raises:
        InvalidArgumentError: No service has that name (the message lists them).

    Example:
        >>> entry("itglue").spec.title
        'IT Glue'
    """
    found = REGISTRY.get(name) if isinstance(name, str) else None
    if found is None:
        raise InvalidArgumentError(f"Unknown service {shown(name)}: use one of {', '.join(REGISTRY)}.")
    return found
