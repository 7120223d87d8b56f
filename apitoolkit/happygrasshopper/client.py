"""The Happy Grasshopper client: ``Authorization: Bearer`` key, JSON bodies, ISO 8601 UTC dates.

The documents do not say how lists page. The client reads ``page``/``per_page`` listings and knows where
they end from Laravel's ``meta.last_page`` (the style the documents' own format suggests), else from an RFC
8288 ``Link: rel="next"`` header, else from a page shorter than asked for (`PageNumberPaginator`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

from apitoolkit.http.client import BaseClient, ClientOptions, configure

__all__ = ["HappyGrasshopperClient"]


class HappyGrasshopperClient(BaseClient):
    """A client for one Happy Grasshopper API key.

    Args:
        api_key: The key; default ``HAPPYGRASSHOPPER_API_KEY``.
        base_url: The API root; default ``HAPPYGRASSHOPPER_BASE_URL``, else ``https://api.happygrasshopper.com/v3``.
        session, cache, offline, rate_limit, max_workers, timeout, retry, expire_after: As for every client.

    Example:
        >>> client = HappyGrasshopperClient()  # doctest: +SKIP  (key from HAPPYGRASSHOPPER_API_KEY)
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
