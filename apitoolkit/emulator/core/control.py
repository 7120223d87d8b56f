"""The ``/_emulator/...`` control endpoints: health, stats, request log, faults, config and reset.

- ``GET /_emulator/health``: ``{"status": "ok", "services": [...]}``.
- ``GET /_emulator/stats``: the stats snapshot; ``?window=SECONDS`` (and ``&service=NAME``) adds
  ``max_in_window``.
- ``POST /_emulator/stats/reset``: clears the stats.
- ``GET /_emulator/requests``: the recorded requests.
- ``GET /_emulator/faults``: the active faults.
- ``POST /_emulator/faults``: ``{"kind": ..., "count"|"rate"|"path"|"service"|"seed": ..., <params>}``, the
  keys of ``FaultPlan.add``; answers 201 ``{"id": n}``.
- ``DELETE /_emulator/faults``: clears the faults.
- ``POST /_emulator/config``: ``{"latency": s}`` or ``{"service": ..., "rate_limit": [n, s] or null,
  "retry_after": bool}``, the keys of ``EmulatorApp.configure``.
- ``POST /_emulator/reset``: ``EmulatorApp.reset()`` (the clock back to its start too).
- ``GET /_emulator/clock``: ``{"now": "2025-01-01T00:00:00+00:00", "start": ...}``, the emulator's clock and
  where it started.
- ``POST /_emulator/clock``: ``{"advance_days": n}`` (or ``{"advance_seconds": n}``): ``EmulatorApp.advance``;
  answers ``{"now": ..., "previous": ..., "start": ...}``.
- ``POST /_emulator/<service>/<operation>``: a backend operation of one service with the JSON body as keyword
  arguments (``Service.control``), e.g. ``/_emulator/hitask/mutate`` ``{"fraction": 0.01, "seed": 3}``;
  answers the operation's result (``{"status": "ok"}`` when it has none), 404 for an unknown service.

Control endpoints need no key, are never rate limited or faulted, and are not counted in the stats.
Invalid bodies get a 400 ``{"error": ...}``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from apitoolkit.emulator.core.app import EmulatorApp

PREFIX = "_emulator"
_MAP = Map(
    [
        Rule("/health", endpoint="health", methods=["GET"]),
        Rule("/stats", endpoint="stats", methods=["GET"]),
        Rule("/stats/reset", endpoint="reset_stats", methods=["POST"]),
        Rule("/requests", endpoint="requests", methods=["GET"]),
        Rule("/faults", endpoint="faults", methods=["GET"]),
        Rule("/faults", endpoint="add_fault", methods=["POST"]),
        Rule("/faults", endpoint="clear_faults", methods=["DELETE"]),
        Rule("/config", endpoint="config", methods=["POST"]),
        Rule("/reset", endpoint="reset", methods=["POST"]),
        Rule("/clock", endpoint="clock", methods=["GET"]),
        Rule("/clock", endpoint="advance_clock", methods=["POST"]),
        Rule("/<service>/<operation>", endpoint="service_control", methods=["POST"]),
    ],
    strict_slashes=False,
)
_OK = {"status": "ok"}


def json_response(data: Any, status: int = 200) -> Response:
    """A compact ``application/json`` response (non-string keys allowed).

    Example:
        >>> json_response({"status": "ok"}).get_data()
        b'{"status":"ok"}'
    """
    return Response(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS), status=status, content_type="application/json")


def handle_control(app: EmulatorApp, request: Request, path: str) -> Response:
    """Answer a control request; ``path`` is the part after ``/_emulator``.

    Example:
        >>> from werkzeug.test import EnvironBuilder
        >>> from werkzeug.wrappers import Request
        >>> from apitoolkit.emulator import EmulatorApp
        >>> request = Request(EnvironBuilder(path="/_emulator/health").get_environ())
        >>> handle_control(EmulatorApp(seed=1), request, "/health").status_code
        200
    """
    try:
        endpoint, args = _MAP.bind("emulator").match(path, method=request.method)
    except HTTPException as error:
        return json_response({"error": f"{request.method} /{PREFIX}{path}: {error.name}"}, error.code or 404)
    if endpoint == "service_control" and args["service"] not in app.services:
        return json_response(
            {"error": f"No emulated service {args['service']!r}: use one of {', '.join(app.services)}."}, 404
        )
    try:
        if endpoint == "service_control":
            result = app.services[args["service"]].control(args["operation"], _body(request))
            return json_response(_OK if result is None else result)
        return _HANDLERS[str(endpoint)](app, request)
    except (ValueError, TypeError, KeyError) as error:
        return json_response({"error": f"invalid control request: {error}"}, 400)


def _health(app: EmulatorApp, request: Request) -> Response:
    return json_response({"status": "ok", "services": sorted(app.services)})


def _stats(app: EmulatorApp, request: Request) -> Response:
    snapshot = app.stats.snapshot()
    if "window" in request.args:
        window = float(request.args["window"])
        snapshot["max_in_window"] = app.stats.max_in_window(window, request.args.get("service"))
    return json_response(snapshot)


def _reset_stats(app: EmulatorApp, request: Request) -> Response:
    app.stats.reset()
    return json_response(_OK)


def _requests(app: EmulatorApp, request: Request) -> Response:
    return json_response([dataclasses.asdict(record) for record in app.stats.requests])


def _faults(app: EmulatorApp, request: Request) -> Response:
    return json_response(app.faults.describe())


def _add_fault(app: EmulatorApp, request: Request) -> Response:
    body = _body(request)
    kind = body.pop("kind")
    return json_response({"id": app.faults.add(kind, **body)}, 201)


def _clear_faults(app: EmulatorApp, request: Request) -> Response:
    app.faults.clear()
    return json_response(_OK)


def _config(app: EmulatorApp, request: Request) -> Response:
    body = _body(request)
    if isinstance(body.get("rate_limit"), list):
        body["rate_limit"] = tuple(body["rate_limit"])
    app.configure(**body)
    return json_response(_OK)


def _reset(app: EmulatorApp, request: Request) -> Response:
    app.reset()
    return json_response(_OK)


def _clock(app: EmulatorApp, request: Request) -> Response:
    return json_response({"now": app.now.isoformat(), "start": app.start.isoformat()})


def _advance_clock(app: EmulatorApp, request: Request) -> Response:
    body = _body(request)
    unknown = set(body) - {"advance_days", "advance_seconds"}
    if unknown or len(body) != 1:
        raise ValueError('send one of {"advance_days": n} or {"advance_seconds": n}')
    ((key, value),) = body.items()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{key} must be a number, got {value!r}")
    previous = app.now
    now = app.advance(value / 86_400 if key == "advance_seconds" else value)
    return json_response({"now": now.isoformat(), "previous": previous.isoformat(), "start": app.start.isoformat()})


def _body(request: Request) -> dict[str, Any]:
    body = orjson.loads(request.get_data() or b"{}")
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


_HANDLERS: dict[str, Callable[[EmulatorApp, Request], Response]] = {
    "health": _health,
    "stats": _stats,
    "reset_stats": _reset_stats,
    "requests": _requests,
    "faults": _faults,
    "add_fault": _add_fault,
    "clear_faults": _clear_faults,
    "config": _config,
    "reset": _reset,
    "clock": _clock,
    "advance_clock": _advance_clock,
}
