"""A client base for JSON:API services: records under ``data``, errors as an ``errors`` list, key in a header."""

from __future__ import annotations

from typing import Any, ClassVar

from apitoolkit.http.client import BaseClient

__all__ = ["JsonApiClient", "jsonapi_error"]


def jsonapi_error(payload: Any) -> tuple[str | None, str | None] | None:
    """``(code, message)`` from a JSON:API errors document, else None.

    Example:
        >>> jsonapi_error({"errors": [{"status": "422", "title": "Unprocessable", "detail": "bad date"}]})
        ('422', 'Unprocessable: bad date')
        >>> jsonapi_error({"data": []}) is None
        True
    """
    if not isinstance(payload, dict) or "errors" not in payload:
        return None
    errors = payload["errors"]
    if isinstance(errors, dict):
        errors = [errors]
    if not isinstance(errors, list) or not errors:
        return ("error", str(errors)[:300]) if errors else None
    first = errors[0] if isinstance(errors[0], dict) else {"detail": str(errors[0])}
    code = first.get("code") or first.get("status")
    parts = [str(first[k]) for k in ("title", "detail") if first.get(k)]
    if len(errors) > 1:
        parts.append(f"(+{len(errors) - 1} more)")
    return (str(code) if code is not None else None), (
        ": ".join(parts[:2]) + (" " + parts[2] if len(parts) > 2 else "")
    ) or None


class JsonApiClient(BaseClient):
    """JSON:API conventions; subclasses name the header that carries the key (``auth_header``)."""

    records_key: ClassVar[str | None] = "data"
    auth_header: ClassVar[str] = "x-api-key"

    def auth_headers(self) -> dict[str, str]:
        """The API key header, plus JSON:API's media type."""
        return {self.auth_header: self.config.credentials["api_key"], "Accept": "application/vnd.api+json"}

    def error_from_body(self, payload: Any) -> tuple[str | None, str | None] | None:
        """JSON:API ``errors``."""
        return jsonapi_error(payload)
