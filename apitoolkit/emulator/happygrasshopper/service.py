"""The Happy Grasshopper service of the emulator: bearer keys and revocation, routes, Laravel-style errors."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from apitoolkit.emulator.core.paging import SHAPES, Paging
from apitoolkit.emulator.core.service import Service, ServiceError
from apitoolkit.emulator.happygrasshopper.exceptions import Forbidden, Unauthenticated, error_response
from apitoolkit.emulator.happygrasshopper.models import HappyGrasshopperBackend
from apitoolkit.emulator.happygrasshopper.responses import HappyGrasshopperResponses
from apitoolkit.emulator.happygrasshopper.urls import URL_MAP

#: Shapes not offered as other readings: Glasshat's own, and the default.
EXCLUDED = frozenset({"keyed_total", "laravel_meta_link"})


class HappyGrasshopperService(Service):
    """Happy Grasshopper under ``/happygrasshopper/v3``: 120 requests per 60 s per key by default.

    Control operation (``POST /_emulator/happygrasshopper/revoke``): ``{"key": ...}``.

    Dialects (the documents say nothing of listings): ``listing``, the shape of a listing page (one of
    `apitoolkit.emulator.core.paging.SHAPES` but ``keyed_total``; by default Laravel's ``data``,
    ``links``, ``meta`` and a ``Link`` header); ``page_size_cap`` (``"7"``: at most 7 contacts a page, whatever
    was asked for); ``ignores_page`` (``"yes"``: every page answers page 1).

    Example:
        >>> from datetime import UTC, datetime
        >>> service = HappyGrasshopperService(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> service.prefix
        '/happygrasshopper/v3'
    """

    name: ClassVar[str] = "happygrasshopper"
    url_map: ClassVar[Map] = URL_MAP
    default_rate_limit: ClassVar[tuple[int, float] | None] = (120, 60.0)
    dialects: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "listing": ("laravel_meta_link", *(shape for shape in SHAPES if shape not in EXCLUDED)),
        "page_size_cap": ("none", "7"),
        "ignores_page": ("no", "yes"),
    }
    backend: HappyGrasshopperBackend

    def __init__(self, *, seed: int, size: str, now: datetime, counts: dict[str, int] | None = None) -> None:
        self.backend = HappyGrasshopperBackend(seed=seed, size=size, now=now, counts=counts)
        self.responses = HappyGrasshopperResponses(self.backend, self.paging)

    def paging(self) -> Paging:
        """How listings are served under the dialects in force."""
        cap = self.reading("page_size_cap")
        return Paging(
            self.reading("listing"), None if cap == "none" else int(cap), self.reading("ignores_page") == "yes"
        )

    @property
    def prefix(self) -> str:
        """``/happygrasshopper/v3``: the API's version follows the name, as in ``api.happygrasshopper.com/v3``."""
        return f"/{self.name}/v3"

    def authenticate(self, request: Request, path: str) -> str:
        """The key of ``Authorization: Bearer <key>``: 401 when missing or unknown, 403 once revoked."""
        scheme, _, key = request.headers.get("Authorization", "").partition(" ")
        key = key.strip()
        if key and scheme.lower() == "bearer" and key in self.backend.revoked:
            raise Forbidden("This API key has been revoked.")
        if scheme.lower() != "bearer" or key != self.backend.api_key:
            raise Unauthenticated("Unauthenticated.")
        return key

    def handle(self, request: Request, endpoint: str, args: dict[str, Any], account: str) -> Response:
        """Dispatch to ``HappyGrasshopperResponses``."""
        return self.responses.dispatch(request, endpoint, args)

    def error_response(self, error: ServiceError) -> Response:
        """``{"message": ...}`` (and ``errors`` on a 422)."""
        return error_response(error)

    def environ(self, base_url: str) -> dict[str, str]:
        """``HAPPYGRASSHOPPER_BASE_URL`` (with ``/v3``) and ``HAPPYGRASSHOPPER_API_KEY``."""
        return {"HAPPYGRASSHOPPER_BASE_URL": base_url, "HAPPYGRASSHOPPER_API_KEY": self.backend.api_key}

    def can_change(self, endpoint: str) -> bool:
        """The contact list takes ``changing_data`` faults."""
        return endpoint == "contacts"

    def change_data(
        self, account: str, endpoint: str, args: dict[str, Any], records: int, *, delete: bool = False
    ) -> None:
        """Insert (or delete) contacts that sort first."""
        (self.backend.delete if delete else self.backend.insert)(records)

    def control(self, operation: str, body: dict[str, Any]) -> Any:
        """``revoke``."""
        if operation == "revoke":
            self.backend.revoke(body["key"])
            return None
        return super().control(operation, body)
