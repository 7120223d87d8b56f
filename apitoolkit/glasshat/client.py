"""The Glasshat client: the ``apikey`` licence key on every request, errors as a named ``errors`` object.

Glasshat documents an overview only (``/account/0/clients``, ``/task/{task_id}/get``, POST for changes, the
``errors`` names and their statuses). The client follows those conventions; the paths of projects and tasks
and the ``page``/``per_page`` pagination are the emulator's choices, written down in
`apitoolkit.emulator.glasshat`. The documents give neither the shape of a listing nor how it pages, so a
listing may be a bare array, ``{"data": [...]}``, ``{"clients": [...]}`` (and the like) or a Laravel paginator
(`FlexiblePaginator` reads its end); the client hands every listing page to the flattener as today's
``{"clients": [...]}`` (``projects``, ``tasks``: the last part of the path), rewriting pages of other shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

import orjson

from apitoolkit.exceptions import OFFLINE_HINT
from apitoolkit.http.client import BaseClient, ClientOptions, configure, count_objects
from apitoolkit.http.paginators import Page, RequestSpec, listing_records

__all__ = ["GlasshatClient"]

#: The listings, each named by the last part of its path and keeping its records under that name today.
LISTING_KEYS = ("clients", "projects", "tasks")
#: Where a listing may keep its records (else the body is a bare array); ``task`` is one task's answer.
RECORD_KEYS = ("data", *LISTING_KEYS)


class GlasshatClient(BaseClient):
    """A client for one Glasshat licence.

    Args:
        api_key: The 32-character licence key; default ``GLASSHAT_API_KEY``.
        base_url: The API root; default ``GLASSHAT_BASE_URL``, else ``https://api.glasshat.com`` (our choice:
            the documents name no server).
        session, cache, offline, rate_limit, max_workers, timeout, retry, expire_after: As for every client.

    Example:
        >>> client = GlasshatClient(api_key="0123456789abcdef0123456789abcdef", cache="off")
        >>> client.auth_params()  # the key travels as a query parameter
        {'apikey': '0123456789abcdef0123456789abcdef'}
    """

    records_key: ClassVar[str | None] = None
    expire_after_defaults: ClassVar[Mapping[str, float]] = {"default": 3600.0, "tasks": 900.0}

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(**configure("glasshat", {"api_key": api_key}, options, base_url=base_url))

    def auth_params(self) -> dict[str, str]:
        """The licence key, as Glasshat wants it: a query parameter."""
        return {"apikey": self.config.credentials["api_key"]}

    def parse_page(self, body: bytes) -> tuple[Any, int | None]:
        """A listing (bare array, or a list under one of ``RECORD_KEYS``), one ``task``, or an error document."""
        payload = orjson.loads(body)
        records = listing_records(payload, RECORD_KEYS)
        if records is not None:
            return payload, count_objects(records)
        if isinstance(payload, dict) and isinstance(payload.get("task"), dict):
            return payload, 1
        if self.error_from_body(payload) is None:
            raise ValueError(f"neither a JSON array nor an object with one of {', '.join(RECORD_KEYS)}")
        return payload, 0

    def reshape(self, spec: RequestSpec, page: Page) -> Page:
        """A listing page of another shape gets the ``content`` of today's shape.

        ``GET account/0/clients`` answered ``[...]``, ``{"data": [...]}`` or a Laravel page has the ``content``
        ``{"clients": [...]}`` (the flattener's input); the ``payload`` stays what the server sent.

        Example:
            >>> import tempfile
            >>> from apitoolkit.emulator import mock_emulator
            >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:
            ...     client = GlasshatClient(emu.app.glasshat.api_key, base_url=emu.base_url("glasshat"), cache=cache)
            ...     page = client.request("GET", RequestSpec("account/0/clients"))
            >>> page.content[:12]
            b'{"clients":['
        """
        key = spec.path.rstrip("/").rsplit("/", 1)[-1]
        records = listing_records(page.payload, RECORD_KEYS)
        keyed = isinstance(page.payload, dict) and page.payload.get(key) is records
        if key in LISTING_KEYS and records is not None and not keyed:
            page.content = orjson.dumps({key: records})
        return page

    def error_from_body(self, payload: Any) -> tuple[str | None, str | None] | None:
        """``{"errors": {"no_license": "..."}}``: the first name and its message."""
        if isinstance(payload, dict) and isinstance(payload.get("errors"), dict) and payload["errors"]:
            name, message = next(iter(payload["errors"].items()))
            return str(name), str(message)
        return None

    def hint(self, status: int | None) -> str:
        """Glasshat's meaning of its statuses."""
        if status == 403:
            return "Glasshat refused the licence key: check GLASSHAT_API_KEY (invalid, expired or disabled)."
        if status == 402:
            return "The Glasshat account allowance is exceeded: contact Glasshat support about an upgrade."
        if status == 409:
            return "An item with that name exists already: use another name."
        if status is None:
            return f"The service or the network failed: try again later. {self.unreachable_hint()}"
        return super().hint(status)

    def unreachable_hint(self) -> str:
        """Glasshat names no server: the default base URL is a guess, so say which variable sets it."""
        return (
            "Set GLASSHAT_BASE_URL to your Glasshat API server (the documents name none; the default is our guess). "
            + OFFLINE_HINT
        )
