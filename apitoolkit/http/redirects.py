"""Redirects stay on the API's own origin: one to another scheme, host or port is refused, never followed.

requests drops only ``Authorization`` when a redirect leaves its host; IT Glue's ``x-api-key``, Happy
Grasshopper's Bearer key (in ``Authorization``, but also any key a service sends in the query, like Glasshat's
``apikey``) would travel with the request to wherever ``Location`` points. Rather than guess which headers and
parameters to strip, the session refuses every cross-origin hop: the user learns the service moved and sets
its ``*_BASE_URL``. Same-origin redirects (a trailing slash, a renamed path) are followed as before.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from apitoolkit.exceptions import RedirectError
from apitoolkit.http.redaction import redact_url

__all__ = ["SameOriginRedirects", "origin"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """``(scheme, host, port)`` of a URL, the port made explicit.

    Example:
        >>> origin("https://API.example.com/v1?x=1")
        ('https', 'api.example.com', 443)
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    return scheme, (parts.hostname or "").lower(), port if port is not None else _DEFAULT_PORTS.get(scheme)


class SameOriginRedirects:
    """A `requests.Session` mixin: every redirect hop must keep the origin of the request it answers."""

    def rebuild_auth(self, prepared_request: requests.PreparedRequest, response: requests.Response) -> None:
        """Refuse a hop to another origin before anything is sent there; otherwise requests' own rule."""
        target = prepared_request.url or ""
        source = response.request.url or ""
        if origin(target) != origin(source):
            raise RedirectError(
                f"{response.status_code} redirect from {redact_url(source)} to {redact_url(target)}, another "
                "scheme, host or port: not followed, so no credential leaves the configured server. If the service "
                "has moved, set its base URL (base_url= or the *_BASE_URL variable) to the new address.",
                status=response.status_code,
                url=redact_url(source),
            )
        super().rebuild_auth(prepared_request, response)  # type: ignore[misc]
