"""The Glasshat service of the emulator: ``apikey`` auth, the allowance switch, routes, named errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from apitoolkit.emulator.core.paging import SHAPES, Paging
from apitoolkit.emulator.core.service import Service, ServiceError
from apitoolkit.emulator.glasshat.exceptions import GlasshatError, error_response
from apitoolkit.emulator.glasshat.models import GlasshatBackend
from apitoolkit.emulator.glasshat.responses import GlasshatResponses, request_params
from apitoolkit.emulator.glasshat.urls import LIST_ENDPOINTS, URL_MAP


class GlasshatService(Service):
    """Glasshat under ``/glasshat``: 120 requests per 60 s per key by default.

    Control operations (``POST /_emulator/glasshat/<operation>``): ``over_allowance`` (``{"value": bool}``)
    and ``add_account`` (``{"api_key": ..., "seed": n, <counts>}``).

    Dialects (the documents say nothing of listings): ``listing``, the shape of a listing page (one of
    `apitoolkit.emulator.core.paging.SHAPES`; by default ``{"clients": [...], "page", "per_page", "total"}``);
    ``page_size_cap`` (``"7"``: at most 7 records a page, whatever was asked for); ``ignores_page`` (``"yes"``:
    every page answers page 1).

    Example:
        >>> from datetime import UTC, datetime
        >>> service = GlasshatService(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> sorted(service.environ("http://127.0.0.1:8765/glasshat"))
        ['GLASSHAT_API_KEY', 'GLASSHAT_BASE_URL']
    """

    name: ClassVar[str] = "glasshat"
    url_map: ClassVar[Map] = URL_MAP
    default_rate_limit: ClassVar[tuple[int, float] | None] = (120, 60.0)
    credential_params: ClassVar[frozenset[str]] = frozenset({"apikey"})
    dialects: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "listing": SHAPES,
        "page_size_cap": ("none", "7"),
        "ignores_page": ("no", "yes"),
    }
    backend: GlasshatBackend

    def __init__(self, *, seed: int, size: str, now: datetime, counts: dict[str, int] | None = None) -> None:
        self.backend = GlasshatBackend(seed=seed, size=size, now=now, counts=counts)
        self.responses = GlasshatResponses(self.backend, self.paging)

    def paging(self) -> Paging:
        """How listings are served under the dialects in force."""
        cap = self.reading("page_size_cap")
        return Paging(
            self.reading("listing"), None if cap == "none" else int(cap), self.reading("ignores_page") == "yes"
        )

    def authenticate(self, request: Request, path: str) -> str:
        """The ``apikey`` parameter, if it opens an account (else 403 ``no_license``); 402 while over allowance."""
        key = request_params(request).get("apikey")
        if not isinstance(key, str) or key not in self.backend.accounts:
            raise GlasshatError("no_license")
        if self.backend.over_allowance:
            raise GlasshatError("too_many_items")
        return key

    def handle(self, request: Request, endpoint: str, args: dict[str, Any], account: str) -> Response:
        """Dispatch to ``GlasshatResponses``."""
        return self.responses.dispatch(request, endpoint, args, account)

    def error_response(self, error: ServiceError) -> Response:
        """``{"errors": {name: message}}``."""
        return error_response(error)

    def environ(self, base_url: str) -> dict[str, str]:
        """``GLASSHAT_BASE_URL`` and ``GLASSHAT_API_KEY`` of the default account."""
        return {"GLASSHAT_BASE_URL": base_url, "GLASSHAT_API_KEY": self.backend.api_key}

    def can_change(self, endpoint: str) -> bool:
        """List endpoints take ``changing_data`` faults."""
        return endpoint in LIST_ENDPOINTS

    def change_data(
        self, account: str, endpoint: str, args: dict[str, Any], records: int, *, delete: bool = False
    ) -> None:
        """Insert (or delete) records sorting first in the listed client or project."""
        raw = args.get("client_id") or args.get("project_id")
        scope = int(raw) if raw and raw.isascii() and raw.isdigit() else None
        change = self.backend.accounts[account].delete if delete else self.backend.accounts[account].insert
        change(LIST_ENDPOINTS[endpoint], records, scope)

    def control(self, operation: str, body: dict[str, Any]) -> Any:
        """``over_allowance`` and ``add_account``."""
        if operation == "over_allowance":
            self.backend.over_allowance = bool(body["value"])
            return None
        if operation == "add_account":
            api_key = body.pop("api_key")
            self.backend.add_account(api_key, **body)
            return None
        return super().control(operation, body)
