"""The Hitask service of the emulator: sign-in and sessions, routes, Hitask errors, item mutations over control."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from apitoolkit.emulator.core.service import Service, ServiceError
from apitoolkit.emulator.hitask.exceptions import SESSION_NOT_FOUND, BadRequest, HitaskError, error_response
from apitoolkit.emulator.hitask.models import HitaskBackend
from apitoolkit.emulator.hitask.responses import HitaskResponses
from apitoolkit.emulator.hitask.urls import URL_MAP


class HitaskService(Service):
    """Hitask under ``/hitask``: 600 requests per 60 s per API key by default.

    Dialects (readings of what the documents leave open; `EmulatorApp.configure` switches them, the first is the
    default): ``assignee_field`` ``assigneeId`` (the field table) | ``assignee`` (the JSON examples); ``delta``
    ``stubs`` (unchanged items as ``{"id", "changed": false}``, the seed's example) | ``changes_only`` (only
    changed or added items, the seed's prose); ``session_status`` the HTTP status of error 7 "Session not found":
    ``401`` | ``200`` | ``400`` | ``403`` (the document's error table gives the code without a status).

    Control operations (``POST /_emulator/hitask/<operation>``, JSON body as keyword arguments): ``change``
    (``item_id`` + fields; answers ``{"item": ...}``), ``add`` (``category`` + fields; ``{"id": n}``),
    ``complete`` (``item_id``), ``delete`` (``item_id``; ``{"deleted": [ids]}``), ``mutate`` (``fraction``,
    ``seed``; the counts) and ``expire_sessions``.

    Example:
        >>> from datetime import UTC, datetime
        >>> service = HitaskService(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> service.environ("http://127.0.0.1:8765/hitask")["HITASK_API_KEY"]
        'hitask-emulator-key-1'
    """

    name: ClassVar[str] = "hitask"
    url_map: ClassVar[Map] = URL_MAP
    default_rate_limit: ClassVar[tuple[int, float] | None] = (600, 60.0)
    credential_params: ClassVar[frozenset[str]] = frozenset({"api_key", "login", "password", "session_id"})
    dialects: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "assignee_field": ("assigneeId", "assignee"),
        "delta": ("stubs", "changes_only"),
        "session_status": ("401", "200", "400", "403"),
    }
    backend: HitaskBackend

    def __init__(self, *, seed: int, size: str, now: datetime, counts: dict[str, int] | None = None) -> None:
        self.backend = HitaskBackend(seed=seed, size=size, now=now, counts=counts)
        self.responses = HitaskResponses(self.backend, self.reading)

    def authenticate(self, request: Request, path: str) -> str:
        """Credentials on ``user/authenticate``, a ``session_id`` on ``user/signout``, a live session elsewhere.

        Every request is rate limited under the account's API key.
        """
        values = request.values
        try:
            endpoint, _ = self.route(path, request.method)
        except ServiceError:
            endpoint = ""
        if endpoint == "authenticate":
            self.backend.check_credentials(values.get("api_key"), values.get("login"), values.get("password"))
        elif endpoint == "signout":
            if not values.get("session_id"):
                raise BadRequest(4, "session_id is mandatory")
        else:
            try:
                self.backend.check_session(values.get("session_id"))
            except HitaskError as error:
                status = int(self.reading("session_status"))
                if error.code != SESSION_NOT_FOUND[0] or status == error.status_code:
                    raise
                raise HitaskError(error.code, error.detail, status=status) from None
        return self.backend.api_key

    def handle(self, request: Request, endpoint: str, args: dict[str, Any], account: str) -> Response:
        """Dispatch to ``HitaskResponses``."""
        return self.responses.dispatch(request, endpoint, args)

    def error_response(self, error: ServiceError) -> Response:
        """``{"response_status": code, "error_message": text}``."""
        return error_response(error)

    def environ(self, base_url: str) -> dict[str, str]:
        """``HITASK_BASE_URL``, ``HITASK_API_KEY``, ``HITASK_LOGIN`` and ``HITASK_PASSWORD``."""
        backend = self.backend
        return {
            "HITASK_BASE_URL": base_url,
            "HITASK_API_KEY": backend.api_key,
            "HITASK_LOGIN": backend.login,
            "HITASK_PASSWORD": backend.password,
        }

    def can_change(self, endpoint: str) -> bool:
        """The item listing and the delta take ``changing_data`` faults."""
        return endpoint in ("items", "delta")

    def change_data(
        self, account: str, endpoint: str, args: dict[str, Any], records: int, *, delete: bool = False
    ) -> None:
        """Add (or delete) ``records`` tasks (the listing is not paginated: items simply appear or go)."""
        (self.backend.items.remove_first if delete else self.backend.items.insert)(records)

    def advance(self, now: datetime) -> None:
        """The team works until ``now``: items changed, completed, added (`HitaskBackend.advance`)."""
        self.backend.advance(now)

    def control(self, operation: str, body: dict[str, Any]) -> Any:
        """The backend's mutations and ``expire_sessions``."""
        backend = self.backend
        if operation == "change":
            return {"item": backend.change(**body)}
        if operation == "add":
            return {"id": backend.add(**body)}
        if operation == "complete":
            return backend.complete(**body)
        if operation == "delete":
            return {"deleted": backend.delete(**body)}
        if operation == "mutate":
            return backend.mutate(**body)
        if operation == "expire_sessions":
            return backend.expire_sessions(**body)
        return super().control(operation, body)
