"""The IT Glue client: ``x-api-key`` auth, three regional servers, and the documented rate limit."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import ClassVar

import requests

from apitoolkit.config import RateLimit, resolve_config
from apitoolkit.http.jsonapi import JsonApiClient
from apitoolkit.http.retry import RetryPolicy

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
        max_workers: Requests in flight at once (default 4).
        timeout: Seconds to wait for a response.
        retry: The retry policy.
        expire_after: Seconds cached data stays fresh: one number, or per resource (``{"logs": 600}``).

    Example:
        >>> client = ITGlueClient(api_key="...", region="eu")  # doctest: +SKIP
        >>> client.base_url  # doctest: +SKIP
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
        region: str | None = None,
        base_url: str | None = None,
        session: requests.Session | None = None,
        cache: str | os.PathLike[str] | None = None,
        offline: bool | None = None,
        rate_limit: RateLimit | tuple[int, float] | None = None,
        max_workers: int | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        expire_after: float | Mapping[str, float] | None = None,
    ) -> None:
        config = resolve_config(
            "itglue",
            credentials={"api_key": api_key},
            base_url=base_url,
            region=region,
            cache=cache,
            offline=offline,
            rate_limit=rate_limit,
            max_workers=max_workers,
            timeout=timeout,
        )
        super().__init__(config, session=session, retry=retry, expire_after=expire_after)

    def hint(self, status: int | None) -> str:
        """Region-aware advice for refused keys."""
        if status in {401, 403}:
            where = f"the {self.config.region.upper()} server" if self.config.region else self.base_url
            return (
                f"Check ITGLUE_API_KEY, and that the key belongs to {where}: keys work only in their own data "
                "center (set ITGLUE_REGION to us, eu or au)."
            )
        return super().hint(status)
