"""EmulatorApp: the WSGI app mounting every service under its prefix, with stats, latency, faults and rate limits.

Services: the ``emulator`` class of every `apitoolkit.registry` entry, in its order: IT Glue (``/itglue``),
Hitask (``/hitask``), Glasshat (``/glasshat``) and Happy Grasshopper (``/happygrasshopper/v3``).

A service request goes through: stats (in flight, start time) -> configured latency -> auth (401, 403, 402) ->
per-key rate limit (429) -> routing (404/405) -> faults -> the service's handler -> the request log.
Requests refused before the faults (401, 429, 404, 405) and ``/_emulator`` control requests are never faulted.
"""

from __future__ import annotations

import math
import numbers
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Literal, TypedDict, cast

from werkzeug.wrappers import Request, Response

from apitoolkit.emulator.core.control import PREFIX, handle_control, json_response
from apitoolkit.emulator.core.faults import DELAY_KINDS, RESPONSE_KINDS, FaultPlan, Injection, retry_after_headers
from apitoolkit.emulator.core.ratelimit import SlidingWindowLimiter
from apitoolkit.emulator.core.service import SIZES, Backend, Service, ServiceError
from apitoolkit.emulator.core.stats import RecordedRequest, Stats
from apitoolkit.registry import REGISTRY

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from apitoolkit.emulator.glasshat import GlasshatBackend
    from apitoolkit.emulator.happygrasshopper import HappyGrasshopperBackend
    from apitoolkit.emulator.hitask import HitaskBackend
    from apitoolkit.emulator.itglue import ITGlueBackend

READ_TIMEOUT_KEY = "apitoolkit.emulator.read_timeout"
"""WSGI environ key of the ``ClientTimeout`` an in-process client puts in its requests."""
_HTML_ERROR = (
    "<html>\r\n<head><title>{status} {phrase}</title></head>\r\n<body>\r\n<center><h1>{status} {phrase}</h1>"
    "</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


@dataclass
class ClientTimeout:
    """The in-process client's read timeout: what is left of it, and whether a delay outlasted it."""

    remaining: float
    expired: bool = False


class _Keep(Enum):
    KEEP = "keep"


KEEP = _Keep.KEEP
"""Default of ``EmulatorApp.configure(rate_limit=...)``: leave the rate limit as it is."""


class AppOptions(TypedDict, total=False):
    """Keyword arguments of ``EmulatorApp`` (forwarded by ``EmulatorServer`` and ``mock_emulator``)."""

    seed: int
    size: str
    now: datetime | None
    itglue: dict[str, int] | None
    hitask: dict[str, int] | None
    glasshat: dict[str, int] | None
    happygrasshopper: dict[str, int] | None


@dataclass
class _Limit:
    limiter: SlidingWindowLimiter | None
    retry_after: bool = False


class EmulatorApp:
    """The built-in API emulator as a WSGI application.

    Args:
        seed: Seed of every service's data.
        size: "small", "medium" or "large" (see ``SIZES``).
        now: Tz-aware instant that relative data ("last 30 days") is anchored to; defaults to the current
            UTC time truncated to the second.
        itglue: Overrides of IT Glue counts, e.g. ``{"users": 100_000, "logs": 200_000}``.
        hitask: Overrides of Hitask counts, e.g. ``{"items": 50_000}``.
        glasshat: Overrides of Glasshat counts (``clients``, ``projects``, ``tasks``).
        happygrasshopper: Overrides of Happy Grasshopper counts (``contacts``).

    Attributes:
        services: The mounted services by name: every service of `apitoolkit.registry` (``itglue``, ``hitask``,
            ``glasshat``, ``happygrasshopper``).
        faults: The fault plan (``faults.add(kind, ...)``).
        stats: Request statistics and the recorded request log.
        now: The emulator's clock: where the data stands; `advance` moves it on (and the data with it).
        start: ``now`` as constructed; `reset` brings the clock back to it.

    Example:
        >>> app = EmulatorApp(seed=1, size="small")
        >>> app.itglue.api_key
        'itg-emulator-key-1'
    """

    def __init__(
        self,
        seed: int = 1,
        size: str = "small",
        now: datetime | None = None,
        itglue: dict[str, int] | None = None,
        hitask: dict[str, int] | None = None,
        glasshat: dict[str, int] | None = None,
        happygrasshopper: dict[str, int] | None = None,
    ) -> None:
        if size not in SIZES:
            raise ValueError(f"unknown size {size!r}: use one of {', '.join(sorted(SIZES))}")
        if now is not None and now.utcoffset() is None:
            raise ValueError("now must be timezone-aware, e.g. datetime.now(UTC)")
        self.seed = seed
        self.size = size
        self.now = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        self._start = self.now
        self._clock_lock = threading.Lock()
        counts = {"itglue": itglue, "hitask": hitask, "glasshat": glasshat, "happygrasshopper": happygrasshopper}
        services: list[Service] = [
            entry.emulator_class()(seed=seed, size=size, now=self.now, counts=counts.get(name))
            for name, entry in REGISTRY.items()
        ]
        self.services = {service.name: service for service in services}
        self.faults = FaultPlan()
        self.stats = Stats()
        self.latency = 0.0
        self._limits = {
            service.name: _Limit(
                None if service.default_rate_limit is None else SlidingWindowLimiter(*service.default_rate_limit)
            )
            for service in services
        }

    @property
    def itglue(self) -> ITGlueBackend:
        """The IT Glue backend (accounts and their data)."""
        return cast("ITGlueBackend", self.services["itglue"].backend)

    @property
    def hitask(self) -> HitaskBackend:
        """The Hitask backend (credentials, sessions, items and their mutations)."""
        return cast("HitaskBackend", self.services["hitask"].backend)

    @property
    def glasshat(self) -> GlasshatBackend:
        """The Glasshat backend (accounts by API key, ``over_allowance``)."""
        return cast("GlasshatBackend", self.services["glasshat"].backend)

    @property
    def happygrasshopper(self) -> HappyGrasshopperBackend:
        """The Happy Grasshopper backend (API key, revocations, contacts)."""
        return cast("HappyGrasshopperBackend", self.services["happygrasshopper"].backend)

    @property
    def start(self) -> datetime:
        """Where the clock started (``now`` as constructed); `reset` brings ``now`` back to it."""
        return self._start

    def backend(self, service: str) -> Backend:
        """The backend (state) of a service by name.

        Example:
            >>> EmulatorApp().backend("itglue").api_key
            'itg-emulator-key-1'
        """
        return self.services[service].backend

    def configure(
        self,
        *,
        latency: float | None = None,
        service: str | None = None,
        rate_limit: tuple[int, float] | Literal[_Keep.KEEP] | None = KEEP,
        retry_after: bool | None = None,
        dialect: Mapping[str, str | None] | None = None,
    ) -> None:
        """Change how requests are served.

        Args:
            latency: Seconds added to every service request (0 for none).
            service: The service ``rate_limit``, ``retry_after`` and ``dialect`` apply to.
            rate_limit: ``(limit, window_seconds)`` per API key, sliding; None switches it off.
            retry_after: Whether 429s carry ``Retry-After`` (whole seconds until a slot frees).
            dialect: Readings of the documents' ambiguities to serve, by name (the service's ``dialects`` list
                them and their values; None restores a default). Kept across `reset`, like the other settings.

        Raises:
            ValueError: Negative latency, unknown service, or a service setting without ``service``.

        Example:
            >>> app = EmulatorApp()
            >>> app.configure(latency=0.05)
            >>> app.configure(service="itglue", rate_limit=(3000, 300.0), retry_after=True)
        """
        if latency is not None:
            if latency < 0:
                raise ValueError(f"latency must be >= 0 seconds, got {latency}")
            self.latency = float(latency)
        if dialect:
            if service not in self.services:
                raise ValueError(f"dialect needs service= one of {', '.join(self.services)}")
            for name, value in dialect.items():
                self.services[service].set_reading(name, value)
        if rate_limit is KEEP and retry_after is None:
            return
        if service not in self._limits:
            raise ValueError(f"rate_limit and retry_after need service= one of {', '.join(self._limits)}")
        limit = self._limits[service]
        if rate_limit is not KEEP:
            limit.limiter = None if rate_limit is None else SlidingWindowLimiter(*rate_limit)
        if retry_after is not None:
            limit.retry_after = bool(retry_after)

    def advance(self, by: timedelta | float) -> datetime:
        """Move the clock forward: every service's data gets what happened in the elapsed span.

        What happens depends only on the seed and the sequence of advances, so the same seed and the same
        advances give the same data. `reset` brings the clock back to where it started.

        Args:
            by: How far: a ``timedelta``, or a number of days (fractions allowed); whole seconds count.

        Returns:
            The new ``now``.

        Raises:
            ValueError: ``by`` is not positive (under a second), or not finite.

        Example:
            >>> from datetime import UTC, datetime
            >>> app = EmulatorApp(seed=1, now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> app.advance(1.5).isoformat()
            '2025-01-02T12:00:00+00:00'
        """
        if isinstance(by, timedelta):
            seconds = by.total_seconds()
        elif isinstance(by, numbers.Real) and not isinstance(by, bool):
            seconds = float(by) * 86_400
        else:
            raise ValueError(f"advance the clock by a timedelta or a number of days, not {type(by).__name__}")
        if not math.isfinite(seconds) or round(seconds) <= 0:
            raise ValueError(f"the emulator clock only moves forward, by at least a second: got {by!r}")
        with self._clock_lock:
            now = self.now + timedelta(seconds=round(seconds))
            for service in self.services.values():
                service.advance(now)
            self.now = now
            return now

    def reset(self) -> None:
        """Data back to the seed state and the clock back to its start; faults, stats and rate-limit windows
        cleared (settings kept)."""
        self.now = self._start
        for service in self.services.values():
            service.backend.reset()
        for limit in self._limits.values():
            if limit.limiter is not None:
                limit.limiter.reset()
        self.faults.clear()
        self.stats.reset()

    def environ(self, url: str) -> dict[str, str]:
        """Environment variables pointing clients of every service at an emulator served at ``url``.

        Example:
            >>> EmulatorApp().environ("http://127.0.0.1:8765")["ITGLUE_BASE_URL"]
            'http://127.0.0.1:8765/itglue'
        """
        variables: dict[str, str] = {}
        for service in self.services.values():
            variables.update(service.environ(f"{url}{service.prefix}"))
        return variables

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        full = "/" + request.path.lstrip("/")
        head = full.split("/", 2)[1]
        if head == PREFIX:
            response = handle_control(self, request, full[len(PREFIX) + 1 :] or "/")
        else:
            mounted = next(
                (s for s in self.services.values() if full == s.prefix or full.startswith(f"{s.prefix}/")), None
            )
            if mounted is not None:
                response = self._serve(mounted, request, full[len(mounted.prefix) :] or "/")
            else:
                known = ", ".join([*(service.prefix for service in self.services.values()), f"/{PREFIX}"])
                response = json_response({"error": f"No emulated service at {full}; try {known}."}, 404)
        return response(environ, start_response)

    def _serve(self, service: Service, request: Request, path: str) -> Response:
        started = self.stats.begin(service.name)
        status, kinds = 500, tuple[str, ...]()
        try:
            response, injections = self._answer(service, request, path)
            status, kinds = response.status_code, tuple(injection.kind for injection in injections)
            return response
        finally:
            query = {
                key: ["[redacted]"] * len(values) if key in service.credential_params else values
                for key, values in request.args.lists()
            }
            self.stats.end(RecordedRequest(started, service.name, request.method, path, query, status, kinds))

    def _answer(self, service: Service, request: Request, path: str) -> tuple[Response, list[Injection]]:
        _wait(request, self.latency)
        try:
            account = service.authenticate(request, path)
            self._admit(service, account)
            endpoint, args = service.route(path, request.method)
        except ServiceError as error:
            return service.error_response(error), []
        injections = self.faults.select(service.name, path, changeable=service.can_change(endpoint))
        _wait(request, sum(i.params["seconds"] for i in injections if i.kind in DELAY_KINDS))
        for injection in injections:
            if injection.kind == "changing_data":
                params = injection.params
                service.change_data(account, endpoint, args, params["records"], delete=params["change"] == "delete")
        fault = next((i for i in injections if i.kind in RESPONSE_KINDS), None)
        if fault is not None and fault.kind != "truncated":
            return _fault_response(service, fault), injections
        try:
            response = service.handle(request, endpoint, args, account)
        except ServiceError as error:
            response = service.error_response(error)
        if fault is not None:
            _truncate(response, fault.params["mode"])
        return response, injections

    def _admit(self, service: Service, account: str) -> None:
        limit = self._limits[service.name]
        if limit.limiter is None:
            return
        wait = limit.limiter.acquire(account)
        if wait is not None:
            raise ServiceError(
                f"Rate limit of {limit.limiter.limit} requests per {limit.limiter.window:g} seconds exceeded; "
                "slow down and retry later.",
                status=429,
                title="Too Many Requests",
                headers={"Retry-After": str(wait)} if limit.retry_after else None,
            )


def _wait(request: Request, seconds: float) -> None:
    """Sleep, but no longer than what is left of an in-process client's read timeout (then mark it expired)."""
    timeout: ClientTimeout | None = request.environ.get(READ_TIMEOUT_KEY)
    if seconds <= 0 or (timeout is not None and timeout.expired):
        return
    if timeout is not None and seconds > timeout.remaining:
        time.sleep(timeout.remaining)
        timeout.expired = True
        return
    time.sleep(seconds)
    if timeout is not None:
        timeout.remaining -= seconds


def _fault_response(service: Service, fault: Injection) -> Response:
    params: dict[str, Any] = fault.params
    if fault.kind == "html_error":
        status = params["status"]
        html = _HTML_ERROR.format(status=status, phrase=HTTPStatus(status).phrase)
        return Response(html, status=status, content_type="text/html")
    status = 429 if fault.kind == "rate_limit" else params["status"]
    error = ServiceError(
        "Too many requests; retry later." if status == 429 else "The server failed to answer; retry later.",
        status=status,
        title=HTTPStatus(status).phrase,
        headers=retry_after_headers(params.get("retry_after")),
    )
    return service.error_response(error)


def _truncate(response: Response, mode: str) -> None:
    """Cut the body in half; ``short`` keeps announcing the full length (the connection then closes)."""
    body = response.get_data()
    response.set_data(body[: len(body) // 2])
    if mode == "short":
        response.headers["Content-Length"] = str(len(body))
