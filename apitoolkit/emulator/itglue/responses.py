"""Thin IT Glue handlers: parse the request, ask the account, render JSON:API documents from cached bytes.

List documents carry ``meta`` (current/next/prev page, total pages and count, ``filters: {}``) and
``links`` (self, first, prev, next, last; ``null`` when absent). As in the API reference's example,
``links.last`` disagrees with ``meta.total-pages``: the emulator computes it as if ``page[size]`` were 1,
plus one. Drive paging from ``meta``.

Nested relationship routes (``organizations/:id/relationships/expirations``) validate ``filter[...]`` and, by
default, ignore it, as the knowledge base says real servers do (dialect ``nested_route_filters=apply``
applies it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import numpy as np
import orjson
from werkzeug.wrappers import Request, Response

from apitoolkit.emulator.itglue.exceptions import JSON_API, BadRequest, NotFound, UnprocessableEntity
from apitoolkit.emulator.itglue.models import ITGlueAccount, ITGlueBackend
from apitoolkit.emulator.itglue.query import ListQuery, Resource, parse_list_query, select
from apitoolkit.emulator.itglue.resources import EXPIRATIONS, LOGS, ORGANIZATIONS, USER_METRICS, USERS

LIST_RESOURCES: dict[str, Resource] = {
    "users": USERS,
    "user_metrics": USER_METRICS,
    "logs": LOGS,
    "expirations": EXPIRATIONS,
    "organization_expirations": EXPIRATIONS,
    "organizations": ORGANIZATIONS,
}
"""List endpoints and the resource each one lists (where ``changing_data`` faults apply)."""


class ITGlueResponses:
    """One handler per endpoint of ``URL_MAP``; ``reading`` tells the dialect in force (`Service.reading`).

    Example:
        >>> from datetime import UTC, datetime
        >>> from werkzeug.test import EnvironBuilder
        >>> from werkzeug.wrappers import Request
        >>> backend = ITGlueBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> responses = ITGlueResponses(backend, reading=lambda name: "")  # the default reading of every dialect
        >>> request = Request(EnvironBuilder(path="/users").get_environ())
        >>> responses.dispatch(request, "users", {}, backend.api_key).status_code
        200
    """

    def __init__(self, backend: ITGlueBackend, reading: Callable[[str], str]) -> None:
        self.backend = backend
        self.reading = reading

    def dispatch(self, request: Request, endpoint: str, args: dict[str, Any], account: str) -> Response:
        """Call the handler named ``endpoint`` for the account of key ``account``."""
        handler = getattr(self, endpoint)
        response: Response = handler(request, self.backend.accounts[account], **args)
        return response

    def users(self, request: Request, account: ITGlueAccount) -> Response:
        """``GET /users``."""
        return _list(request, account, USERS)

    def user(self, request: Request, account: ITGlueAccount, id: str) -> Response:
        """``GET /users/:id``."""
        return _show(request, account, USERS, id)

    def user_metrics(self, request: Request, account: ITGlueAccount) -> Response:
        """``GET /user_metrics``: ``filter[date]`` ranges of at most a week."""
        return _list(request, account, USER_METRICS)

    def logs(self, request: Request, account: ITGlueAccount) -> Response:
        """``GET /logs``: the last 30 days, at most 5 pages (``meta`` as the ``logs_cap`` dialect says)."""
        return _list(request, account, LOGS, page_cap_meta=self.reading("logs_cap"))

    def expirations(self, request: Request, account: ITGlueAccount) -> Response:
        """``GET /expirations``."""
        return _list(request, account, EXPIRATIONS)

    def expiration(self, request: Request, account: ITGlueAccount, id: str) -> Response:
        """``GET /expirations/:id``."""
        return _show(request, account, EXPIRATIONS, id)

    def organization_expirations(self, request: Request, account: ITGlueAccount, organization_id: str) -> Response:
        """``GET /organizations/:organization_id/relationships/expirations``."""
        organization = _organization(account, organization_id)
        nested_filters = self.reading("nested_route_filters") == "apply"
        return _list(request, account, EXPIRATIONS, ("organization_id", (organization,)), filters=nested_filters)

    def organization_expiration(
        self, request: Request, account: ITGlueAccount, organization_id: str, id: str
    ) -> Response:
        """``GET /organizations/:organization_id/relationships/expirations/:id``."""
        return _show(request, account, EXPIRATIONS, id, _organization(account, organization_id))

    def organizations(self, request: Request, account: ITGlueAccount) -> Response:
        """``GET /organizations`` (``include`` is accepted and ignored)."""
        return _list(request, account, ORGANIZATIONS)

    def organization(self, request: Request, account: ITGlueAccount, id: str) -> Response:
        """``GET /organizations/:id``."""
        return _show(request, account, ORGANIZATIONS, id)


def _list(
    request: Request,
    account: ITGlueAccount,
    resource: Resource,
    scope: tuple[str, Any] | None = None,
    *,
    filters: bool = True,
    page_cap_meta: str = "total_pages_beyond",
) -> Response:
    query = parse_list_query(request.args, resource)
    if not filters:
        query = replace(query, filters=())
    if resource.max_page is not None and query.number > resource.max_page:
        raise UnprocessableEntity(
            f"page[number] must be between 1 and {resource.max_page} (inclusive) for {resource.type}: "
            "use a larger page[size], or filter[created_at] with sort=created_at to walk further."
        )
    if scope is not None:
        query = query.scoped(*scope)
    table = account.tables[resource.key]
    order = select(table, resource, query)
    start = (query.number - 1) * query.size
    rows = table.json(order[start : start + query.size])
    total = len(order)
    pages = -(-total // query.size)
    meta: dict[str, Any] = {
        "current-page": query.number,
        "next-page": query.number + 1 if query.number < pages else None,
        "prev-page": query.number - 1 if query.number > 1 else None,
        "total-pages": pages,
        "total-count": total,
        "filters": {},
    }
    if page_cap_meta != "total_pages_beyond" and resource.max_page is not None and pages >= resource.max_page:
        meta["total-pages"] = resource.max_page
        meta["next-page"] = query.number + 1 if query.number < resource.max_page else None
    if page_cap_meta == "no_count":
        del meta["total-count"]
    links = {
        "self": _link(request, query, query.number),
        "first": _link(request, query, 1),
        "prev": None if meta["prev-page"] is None else _link(request, query, query.number - 1),
        "next": None if meta["next-page"] is None else _link(request, query, query.number + 1),
        "last": _link(request, query, total + 1),
    }
    body = b'{"data":[' + b",".join(rows) + b'],"meta":' + orjson.dumps(meta) + b',"links":'
    return Response(body + orjson.dumps(links) + b"}", content_type=JSON_API)


def _show(
    request: Request,
    account: ITGlueAccount,
    resource: Resource,
    raw_id: str,
    organization_id: int | None = None,
) -> Response:
    unknown = set(request.args) - resource.params
    if unknown:
        raise BadRequest(f"Unknown query parameter '{sorted(unknown)[0]}' for one {resource.type} record.")
    table = account.tables[resource.key]
    id_ = _integer(raw_id)
    row = None if id_ is None else table.find(id_)
    if row is None or (organization_id is not None and table.columns["organization-id"][row] != organization_id):
        raise NotFound(f"No {resource.type} record with id {raw_id}.")
    return Response(b'{"data":' + table.json(np.array([row]))[0] + b"}", content_type=JSON_API)


def _organization(account: ITGlueAccount, raw_id: str) -> int:
    organization = _integer(raw_id)
    if organization is None or account.tables["organizations"].find(organization) is None:
        raise NotFound(f"No organization with id {raw_id}: use an organization id of this account.")
    return organization


def _integer(raw_id: str) -> int | None:
    return int(raw_id) if raw_id.isascii() and raw_id.isdigit() else None


def _link(request: Request, query: ListQuery, number: int) -> str:
    others = [(key, value) for key, value in request.args.items(multi=True) if not key.startswith("page[")]
    return f"{request.base_url}?{urlencode([('page[number]', number), ('page[size]', query.size), *others])}"
