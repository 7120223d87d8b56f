"""Fault plans: which requests get which injected failure, chosen by count or by a seeded rate.

- ``latency`` (``seconds``, required): extra delay before the request is handled.
- ``slow`` (``seconds``, required): the response is held back, to provoke client timeouts.
- ``rate_limit`` (``retry_after``: None): the service's 429 error document.
- ``server_error`` (``status``: 500; ``retry_after``: None, 503 only): the service's 5xx error document.
- ``html_error`` (``status``: 502): a ``text/html`` page of a proxy.
- ``truncated`` (``mode``: ``"short"``): ``short`` announces a Content-Length above the bytes sent, then the
  connection closes; ``invalid`` sends half the body with a matching Content-Length.
- ``changing_data`` (``records``: 3; ``change``: ``"insert"``): before a list request is served, ``records``
  records that sort first are inserted, or with ``change="delete"`` deleted (pages after them shift).

``retry_after`` is a number of seconds, ``"http-date"`` (an HTTP-date one second ahead) or None (no header).
Delays stack; of the kinds that replace or alter the response, only the first firing fault applies.
"""

from __future__ import annotations

import math
import random
import re
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

_REQUIRED = object()
FAULT_PARAMS: dict[str, dict[str, Any]] = {
    "latency": {"seconds": _REQUIRED},
    "slow": {"seconds": _REQUIRED},
    "rate_limit": {"retry_after": None},
    "server_error": {"status": 500, "retry_after": None},
    "html_error": {"status": 502},
    "truncated": {"mode": "short"},
    "changing_data": {"records": 3, "change": "insert"},
}
DELAY_KINDS = frozenset({"latency", "slow"})
RESPONSE_KINDS = frozenset({"rate_limit", "server_error", "html_error", "truncated"})


@dataclass(frozen=True)
class Injection:
    """A fault that fired for one request: its kind and validated parameters."""

    kind: str
    params: dict[str, Any]


@dataclass
class Fault:
    """One entry of a fault plan (see ``FaultPlan.add``)."""

    id: int
    kind: str
    params: dict[str, Any]
    rate: float | None
    remaining: int | None
    path: re.Pattern[str] | None
    service: str | None
    seed: int
    injected: int = 0
    rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def applies_to(self, service: str, path: str) -> bool:
        """Whether the request is one the fault selects (before count and rate)."""
        return (self.service is None or self.service == service) and (
            self.path is None or self.path.search(path) is not None
        )

    def fire(self) -> bool:
        """Draw whether the fault hits this matching request, and count it if so."""
        if self.rate is not None and self.rng.random() >= self.rate:
            return False
        self.injected += 1
        if self.remaining is not None:
            self.remaining -= 1
        return True

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description of the fault and how often it fired."""
        return {
            "id": self.id,
            "kind": self.kind,
            "params": self.params,
            "rate": self.rate,
            "count": self.remaining,
            "path": None if self.path is None else self.path.pattern,
            "service": self.service,
            "seed": self.seed,
            "injected": self.injected,
        }


class FaultPlan:
    """The faults to inject, in the order they were added.

    Example:
        >>> plan = FaultPlan()
        >>> plan.add("server_error", count=1, status=503)
        1
        >>> [i.kind for i in plan.select("itglue", "/users", changeable=True)]
        ['server_error']
        >>> plan.select("itglue", "/users", changeable=True)
        []
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(
        self,
        kind: str,
        *,
        rate: float | None = None,
        count: int | None = None,
        path: str | None = None,
        service: str | None = None,
        seed: int = 0,
        **params: Any,
    ) -> int:
        """Add a fault and return its id.

        Args:
            kind: One of ``FAULT_PARAMS`` (see the module docstring).
            rate: Probability that a matching request is hit, drawn from a RNG seeded by ``seed``.
            count: Hit at most this many matching requests (the next ``count`` if ``rate`` is None).
                With neither, every matching request is hit until the plan is cleared.
            path: Regular expression searched in the path without the service prefix.
            service: Only requests to this service, e.g. ``"itglue"``.
            seed: Seed of the fault's own RNG.
            **params: The kind's parameters.

        Raises:
            ValueError: Unknown kind, unknown or invalid parameter.

        Example:
            >>> FaultPlan().add("latency", rate=0.5, seed=3, seconds=0.2)
            1
        """
        if kind not in FAULT_PARAMS:
            raise ValueError(f"unknown fault kind {kind!r}: use one of {', '.join(sorted(FAULT_PARAMS))}")
        if rate is not None and not 0.0 <= rate <= 1.0:
            raise ValueError(f"fault rate must be between 0 and 1, got {rate!r}")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise ValueError(f"fault count must be a positive integer, got {count!r}")
        pattern = None if path is None else re.compile(path)
        with self._lock:
            fault = Fault(self._next_id, kind, _validate(kind, params), rate, count, pattern, service, seed)
            self._faults.append(fault)
            self._next_id += 1
        return fault.id

    def clear(self) -> None:
        """Remove every fault."""
        with self._lock:
            self._faults.clear()

    def describe(self) -> list[dict[str, Any]]:
        """The active faults as JSON-ready dicts."""
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def select(self, service: str, path: str, *, changeable: bool) -> list[Injection]:
        """The faults that fire for one request; exhausted faults leave the plan.

        Args:
            service: The service name.
            path: The path without the service prefix.
            changeable: Whether ``changing_data`` can apply (a list endpoint).
        """
        fired: list[Injection] = []
        response_chosen = False
        with self._lock:
            for fault in list(self._faults):
                if not fault.applies_to(service, path):
                    continue
                if (fault.kind == "changing_data" and not changeable) or (
                    fault.kind in RESPONSE_KINDS and response_chosen
                ):
                    continue
                if not fault.fire():
                    continue
                fired.append(Injection(fault.kind, dict(fault.params)))
                response_chosen = response_chosen or fault.kind in RESPONSE_KINDS
                if fault.remaining == 0:
                    self._faults.remove(fault)
        return fired


def retry_after_headers(retry_after: float | str | None) -> dict[str, str]:
    """The ``Retry-After`` header for a fault's ``retry_after`` parameter.

    Example:
        >>> retry_after_headers(1.5)
        {'Retry-After': '2'}
        >>> retry_after_headers(None)
        {}
    """
    if retry_after is None:
        return {}
    if retry_after == "http-date":
        return {"Retry-After": formatdate(math.ceil(time.time()) + 1, usegmt=True)}
    return {"Retry-After": str(math.ceil(float(retry_after)))}


def _validate(kind: str, params: dict[str, Any]) -> dict[str, Any]:
    unknown = set(params) - set(FAULT_PARAMS[kind])
    if unknown:
        raise ValueError(f"unknown parameter(s) for fault {kind!r}: {', '.join(sorted(unknown))}")
    values = {**FAULT_PARAMS[kind], **params}
    missing = [name for name, value in values.items() if value is _REQUIRED]
    if missing:
        raise ValueError(f"fault {kind!r} needs parameter(s): {', '.join(missing)}")
    if "seconds" in values:
        _check(_is_number(values["seconds"]) and values["seconds"] >= 0, kind, "seconds", values)
    if "retry_after" in values:
        value = values["retry_after"]
        _check(value is None or value == "http-date" or (_is_number(value) and value >= 0), kind, "retry_after", values)
        _check(value is None or kind != "server_error" or values["status"] == 503, kind, "retry_after", values)
    if "status" in values:
        low = 500 if kind == "server_error" else 400
        _check(isinstance(values["status"], int) and low <= values["status"] <= 599, kind, "status", values)
    if "mode" in values:
        _check(values["mode"] in ("short", "invalid"), kind, "mode", values)
    if "records" in values:
        _check(isinstance(values["records"], int) and values["records"] >= 1, kind, "records", values)
    if "change" in values:
        _check(values["change"] in ("insert", "delete"), kind, "change", values)
    return values


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check(ok: bool, kind: str, name: str, values: dict[str, Any]) -> None:
    if not ok:
        raise ValueError(f"invalid {name}={values[name]!r} for fault {kind!r}")
