"""The Glasshat client: the ``apikey`` licence key on every request, errors as a named ``errors`` object.

Glasshat documents an overview only (``/account/0/clients``, ``/task/{task_id}/get``, POST for changes, the
``errors`` names and their statuses). The client follows those conventions; the paths of projects and tasks
and the ``page``/``per_page`` pagination are the emulator's choices, written down in
`apitoolkit.emulator.glasshat`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

import orjson

from apitoolkit.http.client import BaseClient, ClientOptions, configure, count_objects

__all__ = ["GlasshatClient"]

#: Where each listing keeps its records.
RECORD_KEYS = ("clients", "projects", "tasks", "task")


class GlasshatClient(BaseClient):
    """A client for one Glasshat licence.

    Args:
        api_key: The 32-character licence key; default ``GLASSHAT_API_KEY``.
        base_url: The API root; default ``GLASSHAT_BASE_URL``, else ``https://api.glasshat.com`` (our choice:
            the documents name no server).
        session, cache, offline, rate_limit, max_workers, timeout, retry, expire_after: As for every client.

    Example:
        >>> client = GlasshatClient()  # doctest: +SKIP  (key from GLASSHAT_API_KEY)
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
        """A JSON object holding one of the listing keys (or an error document)."""
        payload = orjson.loads(body)
        if not isinstance(payload, dict):
            raise ValueError("not a JSON object")
        for key in RECORD_KEYS:
            value = payload.get(key)
            if isinstance(value, list):
                return payload, count_objects(value)
            if isinstance(value, dict):
                return payload, 1
        if self.error_from_body(payload) is None:
            raise ValueError(f"none of {', '.join(RECORD_KEYS)} in the body")
        return payload, 0

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
        return super().hint(status)
