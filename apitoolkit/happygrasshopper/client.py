"""The Happy Grasshopper client: ``Authorization: Bearer`` key, JSON bodies, ISO 8601 UTC dates.

The documents give neither the shape of a listing nor how it pages. The client reads ``page``/``per_page``
listings that are a bare array, ``{"data": [...]}`` or a Laravel paginator (API resource ``meta``/``links``,
length-aware or simple), and knows where they end from ``last_page``, a ``total``, a next link
(``links.next``, ``next_page_url``, an RFC 8288 ``Link: rel="next"`` header), else from a page shorter than
asked for (`FlexiblePaginator`). Every listing page reaches the flattener as ``{"data": [...]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

import orjson

from apitoolkit.http.client import BaseClient, ClientOptions, configure, count_objects
from apitoolkit.http.paginators import Page, RequestSpec, listing_records

__all__ = ["HappyGrasshopperClient"]


class HappyGrasshopperClient(BaseClient):
    """A client for one Happy Grasshopper API key.

    Args:
        api_key: The key; default ``HAPPYGRASSHOPPER_API_KEY``.
        base_url: The API root; default ``HAPPYGRASSHOPPER_BASE_URL``, else ``https://api.happygrasshopper.com/v3``.
        session, cache, offline, rate_limit, max_workers, timeout, retry, expire_after: As for every client.

    Example:
        >>> client = HappyGrasshopperClient(api_key="hg-key", cache="off")
        >>> client.auth_headers()["Authorization"]
        'Bearer hg-key'
    """

    records_key: ClassVar[str | None] = "data"
    expire_after_defaults: ClassVar[Mapping[str, float]] = {"default": 3600.0}

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(**configure("happygrasshopper", {"api_key": api_key}, options, base_url=base_url))

    def auth_headers(self) -> dict[str, str]:
        """The key as a Bearer token."""
        return {"Authorization": f"Bearer {self.config.credentials['api_key']}", "Accept": "application/json"}

    def parse_page(self, body: bytes) -> tuple[Any, int | None]:
        """A listing (bare array or ``data`` list), one record (``data`` object or bare), or an error document."""
        payload = orjson.loads(body)
        records = listing_records(payload)
        if records is not None:
            return payload, count_objects(records)
        if self.error_from_body(payload) is not None:
            return payload, 0
        if isinstance(payload, dict) and (isinstance(payload.get("data"), dict) or "id" in payload):
            return payload, 1
        raise ValueError("neither a JSON array nor an object with a 'data' list")

    def reshape(self, spec: RequestSpec, page: Page) -> Page:
        """A listing page's ``content`` is its records as ``{"data": [...]}``, whatever its shape.

        Example:
            >>> import tempfile
            >>> from apitoolkit.emulator import mock_emulator
            >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:
            ...     key, url = emu.app.happygrasshopper.api_key, emu.base_url("happygrasshopper")
            ...     client = HappyGrasshopperClient(key, base_url=url, cache=cache)
            ...     page = client.request("GET", RequestSpec("contacts"))
            >>> page.content[:9]
            b'{"data":['
        """
        if isinstance(page.payload, list):
            page.content = orjson.dumps({"data": page.payload})
        return page

    def error_from_body(self, payload: Any) -> tuple[str | None, str | None] | None:
        """``{"message": ..., "errors": {field: [reasons]}}`` (a body without ``data``)."""
        if isinstance(payload, dict) and "message" in payload and "data" not in payload:
            errors = payload.get("errors")
            detail = str(payload["message"])
            if isinstance(errors, dict) and errors:
                field, reasons = next(iter(errors.items()))
                detail += f" ({field}: {reasons[0] if isinstance(reasons, list) and reasons else reasons})"
            return None, detail
        return None

    def hint(self, status: int | None) -> str:
        """Happy Grasshopper's meaning of its statuses."""
        if status == 401:
            return "Check HAPPYGRASSHOPPER_API_KEY."
        if status == 403:
            return (
                "Happy Grasshopper refused the key: it may have been revoked or the account cancelled; "
                "generate a new key under Account Settings > Integrations and set HAPPYGRASSHOPPER_API_KEY."
            )
        if status == 422:
            return "Check the search parameters: first_name, last_name, email, phone, company, status, tag."
        return super().hint(status)
