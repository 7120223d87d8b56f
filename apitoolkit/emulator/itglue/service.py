"""The IT Glue service of the emulator: ``x-api-key`` auth, routes, JSON:API errors, changing data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from apitoolkit.emulator.core.service import Service, ServiceError
from apitoolkit.emulator.itglue.exceptions import Forbidden, Unauthorized, error_response
from apitoolkit.emulator.itglue.models import ITGlueBackend
from apitoolkit.emulator.itglue.responses import LIST_RESOURCES, ITGlueResponses
from apitoolkit.emulator.itglue.urls import URL_MAP


class ITGlueService(Service):
    """IT Glue under ``/itglue``: 3000 requests per 300 s per key by default.

    Dialects (`EmulatorApp.configure`), the first reading being the default:

    - ``wrong_key_status``: ``403`` (the reference: "an incorrect key will result in an HTTP 403 error") or
      ``401`` (the emulator's former answer, and what many APIs send).
    - ``nested_route_filters``: ``ignore`` (the knowledge base: "filtering in nested relationship routes is not
      possible"; ``filter[...]`` is validated, then has no effect) or ``apply``.
    - ``logs_cap`` (``/logs`` serves at most 5 pages; the reference does not say what ``meta`` then reports):
      ``total_pages_beyond`` (the true ``total-pages``; pages past 5 are refused), ``total_pages_capped``
      (``total-pages`` at most 5, ``next-page`` null on page 5, ``total-count`` true) or ``no_count`` (as
      ``total_pages_capped``, and no ``total-count``).

    Control operation (``POST /_emulator/itglue/<operation>``): ``add_account``
    (``{"api_key": ..., "seed": n, <counts>}``), an account with its own data, e.g. another size.

    Example:
        >>> from datetime import UTC, datetime
        >>> service = ITGlueService(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> service.environ("http://127.0.0.1:8765/itglue")["ITGLUE_API_KEY"]
        'itg-emulator-key-1'
    """

    name: ClassVar[str] = "itglue"
    url_map: ClassVar[Map] = URL_MAP
    default_rate_limit: ClassVar[tuple[int, float] | None] = (3000, 300.0)
    dialects: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "wrong_key_status": ("403", "401"),
        "nested_route_filters": ("ignore", "apply"),
        "logs_cap": ("total_pages_beyond", "total_pages_capped", "no_count"),
    }
    backend: ITGlueBackend

    def __init__(self, *, seed: int, size: str, now: datetime, counts: dict[str, int] | None = None) -> None:
        self.backend = ITGlueBackend(seed=seed, size=size, now=now, counts=counts)
        self.responses = ITGlueResponses(self.backend, self.reading)

    def authenticate(self, request: Request, path: str) -> str:
        """The key in the ``x-api-key`` header, if it opens an account; else 403 (dialect: 401) on every path."""
        key = request.headers.get("x-api-key", "")
        if key not in self.backend.accounts:
            refusal = Unauthorized if self.reading("wrong_key_status") == "401" else Forbidden
            raise refusal("Missing or unknown API key: send a valid key in the x-api-key header.")
        return key

    def handle(self, request: Request, endpoint: str, args: dict[str, Any], account: str) -> Response:
        """Dispatch to ``ITGlueResponses``."""
        return self.responses.dispatch(request, endpoint, args, account)

    def error_response(self, error: ServiceError) -> Response:
        """A JSON:API errors document."""
        return error_response(error)

    def environ(self, base_url: str) -> dict[str, str]:
        """``ITGLUE_BASE_URL`` and ``ITGLUE_API_KEY`` of the default account."""
        return {"ITGLUE_BASE_URL": base_url, "ITGLUE_API_KEY": self.backend.api_key}

    def can_change(self, endpoint: str) -> bool:
        """List endpoints take ``changing_data`` faults."""
        return endpoint in LIST_RESOURCES

    def change_data(
        self, account: str, endpoint: str, args: dict[str, Any], records: int, *, delete: bool = False
    ) -> None:
        """Insert (or delete) records sorting first in the listed resource (in the organization of a nested route)."""
        raw = args.get("organization_id")
        organization = int(raw) if raw and raw.isdigit() else None
        change = self.backend.accounts[account].delete if delete else self.backend.accounts[account].insert
        change(LIST_RESOURCES[endpoint], records, organization)

    def advance(self, now: datetime) -> None:
        """Every account lives on until ``now`` (see `apitoolkit.emulator.itglue.clock`)."""
        self.backend.advance(now)

    def control(self, operation: str, body: dict[str, Any]) -> Any:
        """``add_account``: ``{"api_key": ..., "seed": n, "users": n, ...}`` (counts as in `Counts`)."""
        if operation == "add_account":
            api_key = body.pop("api_key")
            self.backend.add_account(api_key, **body)
            return None
        return super().control(operation, body)
