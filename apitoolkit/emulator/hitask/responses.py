"""Thin Hitask handlers: parse the request, ask the backend, answer JSON (lists from cached bytes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson
from werkzeug.wrappers import Request, Response

from apitoolkit.emulator.hitask.exceptions import BadRequest, NotFound
from apitoolkit.emulator.hitask.items import now_ms
from apitoolkit.emulator.hitask.models import HitaskBackend

JSON = "application/json"
_INTEGER = re.compile(r"-?[0-9]+")
FUTURE_TOLERANCE_MS = 1_000
"""How far past the server's latest time a delta cursor may lie."""


class HitaskResponses:
    """One handler per endpoint of ``URL_MAP``.

    Example:
        >>> from datetime import UTC, datetime
        >>> from werkzeug.test import EnvironBuilder
        >>> from werkzeug.wrappers import Request
        >>> from apitoolkit.emulator.hitask.models import HitaskBackend
        >>> backend = HitaskBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> request = Request(EnvironBuilder(path="/tags").get_environ())
        >>> HitaskResponses(backend).dispatch(request, "tags", {}).status_code
        200
    """

    def __init__(self, backend: HitaskBackend, reading: Callable[[str], str] = lambda name: "") -> None:
        self.backend = backend
        self.reading = reading

    def dispatch(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response:
        """Call the handler named ``endpoint``."""
        response: Response = getattr(self, endpoint)(request, **args)
        return response

    def authenticate(self, request: Request) -> Response:
        """``GET|POST /user/authenticate`` (the credentials were checked by the service)."""
        return _json(self.backend.start_session())

    def signout(self, request: Request) -> Response:
        """``GET|POST /user/signout?session_id=...``: ends the session."""
        self.backend.end_session(request.values["session_id"])
        return _json({"response_status": 0})

    def items(self, request: Request) -> Response:
        """``GET /item``: every current item, ``X-Cursor`` their latest ``time_last_update`` in ms."""
        body, cursor = self.backend.items.list_json()
        return Response(self._spelled(body), content_type=JSON, headers={"X-Cursor": str(cursor)})

    def delta(self, request: Request, cursor: str) -> Response:
        """``GET /item/delta/{cursor}``: changed items in full, unchanged ones as stubs (none: ``delta`` dialect)."""
        if not _INTEGER.fullmatch(cursor):
            raise BadRequest(5, "Invalid data format of delta")
        since = int(cursor)
        if since > max(now_ms(), self.backend.items.clock) + FUTURE_TOLERANCE_MS:
            raise BadRequest(6, "delta is not valid")
        body, latest = self.backend.items.delta_json(since, stubs=self.reading("delta") != "changes_only")
        return Response(self._spelled(body), content_type=JSON, headers={"X-Cursor": str(latest)})

    def history(self, request: Request) -> Response:
        """``GET /item/history?id={id}``: events and comments, oldest first."""
        id = request.args.get("id")
        if not id:
            raise BadRequest(4, "id is mandatory")
        try:
            return _json(self.backend.items.history(int(id) if id.isascii() and id.isdigit() else -1))
        except KeyError:
            raise NotFound(1, "Item not found") from None

    def tags(self, request: Request) -> Response:
        """``GET /tag``."""
        return Response(self.backend.json("tags"), content_type=JSON)

    def members(self, request: Request) -> Response:
        """``GET /team``: the team's members."""
        return Response(self.backend.json("members"), content_type=JSON)

    def groups(self, request: Request) -> Response:
        """``GET /group``."""
        return Response(self.backend.json("groups"), content_type=JSON)

    def contacts(self, request: Request) -> Response:
        """``GET /contact``."""
        return Response(self.backend.json("contacts"), content_type=JSON)

    def _spelled(self, items: bytes) -> bytes:
        """Items JSON with the assignee under the key the ``assignee_field`` dialect names."""
        if self.reading("assignee_field") == "assignee":
            return items.replace(b'"assigneeId":', b'"assignee":')
        return items


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), content_type=JSON)
