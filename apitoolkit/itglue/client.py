"""The IT Glue client: ``x-api-key`` auth, three regional servers, and the documented rate limit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Unpack

from apitoolkit.http.client import ClientOptions, configure
from apitoolkit.http.jsonapi import JsonApiClient

__all__ = ["ITGlueClient"]


class ITGlueClient(JsonApiClient):
    """A client for one IT Glue account.

    Args:
        api_key: The API key; default ``ITGLUE_API_KEY``.
        region: ``"us"``, ``"eu"`` or ``"au"``; default ``ITGLUE_REGION``, else ``us``.
        base_url: An explicit server (wins over the region); default ``ITGLUE_BASE_URL``.
        session: A requests session to send everything through (default: the cached, rate-limited one).
        cache: A cache directory or ``"off"``; default ``APITOOLKIT_CACHE``.
        offline: Serve only from the cache; default ``APITOOLKIT_OFFLINE``.
        rate_limit: ``(requests, seconds)``; default the documented 3000 per 300 s.
        max_workers: Requests in flight at once (default 6).
        timeout: Seconds to wait for a response.
        retry: The retry policy.
        expire_after: Seconds cached data stays fresh: one number, or per resource (``{"logs": 600}``).
        lock_timeout: Seconds to wait for another load fetching the same data (default 300).

    Example:
        >>> client = ITGlueClient(api_key="ITG.0123", region="eu", cache="off")
        >>> client.base_url
        'https://api.eu.itglue.com'
    """

    auth_header: ClassVar[str] = "x-api-key"
    expire_after_defaults: ClassVar[Mapping[str, float]] = {
        "default": 3600.0,
        "logs": 900.0,
        "user_metrics": 3600.0,
        "expirations": 6 * 3600.0,
        "organizations": 6 * 3600.0,
    }

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        region: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(**configure("itglue", {"api_key": api_key}, options, base_url=base_url, region=region))

    def hint(self, status: int | None) -> str:
        """Region-aware advice for refused keys: IT Glue answers a wrong key with 403 (the reference), some say 401.

        Example:
            >>> "ITGLUE_REGION" in ITGlueClient(api_key="k", cache="off").hint(403)
            True
        """
        if status in {401, 403}:
            where = f"the {self.config.region.upper()} server" if self.config.region else self.base_url
            also = (
                " If the key is right and not revoked, check that it may read this resource (Password Access is a "
                "setting of each key, under Account > Settings > API Keys)."
            )
            return (
                f"Check ITGLUE_API_KEY, and that the key belongs to {where}: keys work only in their own data "
                f"center (set ITGLUE_REGION to us, eu or au).{also if status == 403 else ''}"
            )
        return super().hint(status)
