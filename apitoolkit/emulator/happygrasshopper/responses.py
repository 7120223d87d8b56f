"""Thin Happy Grasshopper handlers: validate the query, search, answer a Laravel-style page or one contact.

A page by default: ``{"data": [...], "links": {"first", "last", "prev", "next"}, "meta": {"current_page", "from",
"last_page", "path", "per_page", "to", "total"}}``, plus an RFC 8288 ``Link`` header (``first``, ``last``,
``prev``, ``next``); the ``listing`` dialect serves the other shapes of
`apitoolkit.emulator.core.paging`. Links keep every other query parameter and replace ``page``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.wrappers import Request, Response

from apitoolkit.emulator.core.paging import Paging, listing_response
from apitoolkit.emulator.happygrasshopper.exceptions import NotFound, ValidationError
from apitoolkit.emulator.happygrasshopper.models import SEARCH_FIELDS, HappyGrasshopperBackend

JSON = "application/json"
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
PAGING = ("page", "per_page")


class HappyGrasshopperResponses:
    """One handler per endpoint of ``URL_MAP``.

    Example:
        >>> from datetime import UTC, datetime
        >>> from werkzeug.test import EnvironBuilder
        >>> from werkzeug.wrappers import Request
        >>> from apitoolkit.emulator.happygrasshopper.models import HappyGrasshopperBackend
        >>> backend = HappyGrasshopperBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> request = Request(EnvironBuilder(path="/contacts").get_environ())
        >>> HappyGrasshopperResponses(backend).dispatch(request, "contacts", {}).get_data()[:9]
        b'{"data":['
    """

    def __init__(self, backend: HappyGrasshopperBackend, paging: Callable[[], Paging] | None = None) -> None:
        self.backend = backend
        self.paging = paging or (lambda: Paging("laravel_meta_link"))

    def dispatch(self, request: Request, endpoint: str, args: dict[str, Any]) -> Response:
        """Call the handler named ``endpoint``."""
        response: Response = getattr(self, endpoint)(request, **args)
        return response

    def contacts(self, request: Request) -> Response:
        """``GET /contacts``: search parameters combined with OR, ``page`` and ``per_page``."""
        errors = {
            name: [f"The {name} parameter is not supported."]
            for name in request.args
            if name not in (*SEARCH_FIELDS, *PAGING)
        }
        page = _number(request, "page", 1, None, errors)
        per_page = _number(request, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE, errors)
        if errors:
            raise ValidationError(errors)
        ids = self.backend.search(
            (name, value) for name, value in request.args.items(multi=True) if name in SEARCH_FIELDS
        )
        return listing_response(
            request, ids, self.backend.contacts.json_many, page=page, per_page=per_page, paging=self.paging()
        )

    def contact(self, request: Request, id: str) -> Response:
        """``GET /contacts/{id}``."""
        id_ = int(id) if id.isascii() and id.isdigit() else -1
        if id_ not in self.backend.contacts:
            raise NotFound("Not found.")
        return Response(b'{"data":' + self.backend.contacts.json(id_) + b"}", content_type=JSON)


def _number(request: Request, name: str, default: int, maximum: int | None, errors: dict[str, list[str]]) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    label = name.replace("_", " ")
    if not (raw.isascii() and raw.isdigit()):
        errors[name] = [f"The {label} field must be an integer."]
    elif int(raw) < 1:
        errors[name] = [f"The {label} field must be at least 1."]
    elif maximum is not None and int(raw) > maximum:
        errors[name] = [f"The {label} field must not be greater than {maximum}."]
    else:
        return int(raw)
    return default
