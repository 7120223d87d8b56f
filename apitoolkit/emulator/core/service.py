"""The shape every emulated service implements: prefix, url map, backend, auth and error rendering."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar, Protocol

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

SIZES = frozenset({"small", "medium", "large"})


class ServiceError(Exception):
    """An error a service answers with; it knows its HTTP status.

    Args:
        detail: What went wrong and what to do about it (never a credential).
        status: The HTTP status; subclasses set a default.
        title: The status' short title; subclasses set a default.
        headers: Extra response headers, e.g. ``{"Retry-After": "3"}``.

    Example:
        >>> ServiceError("Slow down", status=429, title="Too Many Requests").status_code
        429
    """

    status: ClassVar[int] = 500
    title: ClassVar[str] = "Internal Server Error"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.status_code = self.status if status is None else status
        self.status_title = self.title if title is None else title
        self.headers = dict(headers or {})


class Backend(Protocol):
    """The state of one service: what ``reset()`` brings back to its seed."""

    def reset(self) -> None:
        """Drop every change made since construction."""


class Service(ABC):
    """One emulated API mounted under its ``prefix`` (``/<name>`` unless a subclass says otherwise).

    A subclass sets ``name``, ``url_map`` (rules relative to the prefix, endpoints named after handlers)
    and ``default_rate_limit``, owns a ``backend``, and implements auth, dispatch, error rendering and
    the environment variables a client reads. ``control`` exposes backend operations to
    ``POST /_emulator/<name>/<operation>``.

    Example:
        >>> from werkzeug.routing import Map, Rule
        >>> class Echo(Service):
        ...     name = "echo"
        ...     url_map = Map([Rule("/things", endpoint="things")])
        >>> Echo.url_map.bind("emulator").match("/things")
        ('things', {})
    """

    name: ClassVar[str]
    url_map: ClassVar[Map]
    default_rate_limit: ClassVar[tuple[int, float] | None] = None
    credential_params: ClassVar[frozenset[str]] = frozenset()
    #: Where the documents are ambiguous, the readings this service can serve: name -> allowed values, the
    #: first being the default. A handler asks `reading` which one is in force (`EmulatorApp.configure`).
    dialects: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    backend: Backend

    def reading(self, name: str) -> str:
        """The reading of the ambiguity ``name`` in force (the first of ``dialects[name]`` unless set)."""
        chosen: dict[str, str] = self.__dict__.setdefault("_readings", {})
        return chosen.get(name, self.dialects[name][0])

    def default_readings(self) -> None:
        """Serve the default reading of every ambiguity again."""
        self.__dict__.pop("_readings", None)

    def set_reading(self, name: str, value: str | None) -> None:
        """Serve ``value`` for the ambiguity ``name`` (None: back to the default).

        Raises:
            ValueError: An ambiguity or value this service does not know.
        """
        if name not in self.dialects:
            known = ", ".join(sorted(self.dialects)) or "none"
            raise ValueError(f"{self.name} has no dialect {name!r}: it knows {known}")
        if value is not None and value not in self.dialects[name]:
            raise ValueError(f"{self.name} dialect {name} is one of {', '.join(self.dialects[name])}, not {value!r}")
        chosen: dict[str, str] = self.__dict__.setdefault("_readings", {})
        if value is None:
            chosen.pop(name, None)
        else:
            chosen[name] = value

    @property
    def prefix(self) -> str:
        """The path prefix the service lives under, e.g. ``/itglue`` (a version may follow the name)."""
        return f"/{self.name}"

    def route(self, path: str, method: str) -> tuple[str, dict[str, Any]]:
        """Match a path (without prefix) to ``(endpoint, arguments)``; unknown paths raise a 404/405."""
        try:
            endpoint, args = self.url_map.bind("emulator").match(path, method=method)
        except MethodNotAllowed as error:
            raise ServiceError(f"{method} is not allowed on {path}.", status=405, title="Method Not Allowed") from error
        except HTTPException as error:
            raise ServiceError(f"No resource at {path}.", status=404, title="Not Found") from error
        return str(endpoint), dict(args)

    @abstractmethod
    def authenticate(self, request: Request, path: str) -> str:
        """Return the key the request is rate limited under, or raise the service's auth error.

        ``path`` is the path without the prefix, for services whose sign-in endpoint needs no session.
        """

    @abstractmethod
    def handle(self, request: Request, endpoint: str, args: dict[str, Any], account: str) -> Response:
        """Answer an authenticated request routed to ``endpoint``."""

    @abstractmethod
    def error_response(self, error: ServiceError) -> Response:
        """Render an error the way the real API does."""

    @abstractmethod
    def environ(self, base_url: str) -> dict[str, str]:
        """Environment variables pointing a client at this service under ``base_url``."""

    def can_change(self, endpoint: str) -> bool:
        """Whether ``changing_data`` faults apply to the endpoint (list endpoints); none by default."""
        return False

    def change_data(
        self, account: str, endpoint: str, args: dict[str, Any], records: int, *, delete: bool = False
    ) -> None:
        """Insert ``records`` new records that sort first under the endpoint's default order (or delete as many)."""
        raise NotImplementedError(f"{self.name} does not emulate changing data")

    def advance(self, now: datetime) -> None:  # noqa: B027 - a hook: doing nothing is the default
        """Let the backend's data live on until ``now`` (later than the previous now): what happened meanwhile.

        Called by `EmulatorApp.advance` with the new clock; the default does nothing (the data stays as it is).
        A service whose data changes with time overrides it, deterministically from its seed and the clocks.
        """

    def control(self, operation: str, body: dict[str, Any]) -> Any:
        """Run a backend operation for ``POST /_emulator/<name>/<operation>``; returns a JSON-ready result.

        Raises:
            KeyError: The service has no such operation (answered 400 like any invalid control request).
        """
        raise KeyError(f"{self.name} has no control operation {operation!r}")
