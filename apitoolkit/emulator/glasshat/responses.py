"""Thin Glasshat handlers: read the parameters, ask the account, answer JSON objects (lists from cached bytes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from werkzeug.wrappers import Request, Response

from apitoolkit.emulator.core.paging import Paging, listing_response
from apitoolkit.emulator.core.records import RecordStore
from apitoolkit.emulator.glasshat.exceptions import GlasshatError
from apitoolkit.emulator.glasshat.models import GlasshatAccount, GlasshatBackend
from apitoolkit.emulator.glasshat.urls import LIST_ENDPOINTS

JSON = "application/json"
DEFAULT_PER_PAGE = 100
MAX_PER_PAGE = 500


def request_params(request: Request) -> dict[str, Any]:
    """The parameters of a request: the query string, then (POST) a form body or a JSON object body.

    Raises:
        GlasshatError: ``invalid_parameter`` for a body that is not a JSON object.

    Example:
        >>> request_params(Request.from_values("/x?apikey=k&page=2"))
        {'apikey': 'k', 'page': '2'}
    """
    params: dict[str, Any] = dict(request.args.items())
    if request.method == "POST":
        params.update(request.form.items())
        if request.is_json or request.get_data()[:1] == b"{":
            try:
                body = orjson.loads(request.get_data())
            except orjson.JSONDecodeError:
                body = None
            if not isinstance(body, dict):
                raise GlasshatError("invalid_parameter", "The body must be a JSON object.")
            params.update(body)
    return params


class GlasshatResponses:
    """One handler per endpoint of ``URL_MAP``.

    Example:
        >>> from datetime import UTC, datetime
        >>> from werkzeug.test import EnvironBuilder
        >>> from werkzeug.wrappers import Request
        >>> from apitoolkit.emulator.glasshat.models import GlasshatBackend
        >>> backend = GlasshatBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> request = Request(EnvironBuilder(path="/account/0/clients").get_environ())
        >>> GlasshatResponses(backend).dispatch(request, "clients", {}, backend.api_key).get_data()[:12]
        b'{"clients":['
    """

    def __init__(self, backend: GlasshatBackend, paging: Callable[[], Paging] | None = None) -> None:
        self.backend = backend
        self.paging = paging or (lambda: Paging("keyed_total"))

    def dispatch(self, request: Request, endpoint: str, args: dict[str, Any], account: str) -> Response:
        """Call the handler named ``endpoint`` for the account of key ``account``."""
        handler = getattr(self, endpoint)
        params = request_params(request)
        if endpoint in LIST_ENDPOINTS:
            args = {**args, "request": request}
        response: Response = handler(params, self.backend.accounts[account], **args)
        return response

    def clients(self, params: dict[str, Any], account: GlasshatAccount, request: Request) -> Response:
        """``GET /account/0/clients``."""
        return self._page(request, params, "clients", account.clients, account.clients.ids())

    def projects(self, params: dict[str, Any], account: GlasshatAccount, request: Request, client_id: str) -> Response:
        """``GET /client/{client_id}/projects``."""
        return self._page(request, params, "projects", account.projects, account.client_projects(_id(client_id)))

    def tasks(self, params: dict[str, Any], account: GlasshatAccount, request: Request, project_id: str) -> Response:
        """``GET /project/{project_id}/tasks``."""
        return self._page(request, params, "tasks", account.tasks, account.project_tasks(_id(project_id)))

    def task(self, params: dict[str, Any], account: GlasshatAccount, task_id: str) -> Response:
        """``GET /task/{task_id}/get``."""
        id_ = _id(task_id)
        if id_ not in account.tasks:
            raise GlasshatError("no_task", f"Action ID {task_id} not found.")
        return Response(b'{"task":' + account.tasks.json(id_) + b"}", content_type=JSON)

    def update_task(self, params: dict[str, Any], account: GlasshatAccount, task_id: str) -> Response:
        """``POST /task/{task_id}/update`` with ``status``, ``priority`` and/or ``title``."""
        changes = {name: params[name] for name in ("status", "priority", "title") if name in params}
        if not changes:
            raise GlasshatError("invalid_parameter", "Give status, priority or title to update.")
        if "priority" in changes:
            changes["priority"] = _integer(changes["priority"], "priority")
        for name in ("status", "title"):
            if name in changes and not isinstance(changes[name], str):
                raise GlasshatError("invalid_parameter", f"{name} must be a string.")
        task = account.update_task(_id(task_id), **changes)
        return _json({"task": task})

    def create_client(self, params: dict[str, Any], account: GlasshatAccount) -> Response:
        """``POST /account/0/clients/create`` with ``name``."""
        return _json({"client": account.create_client(_text(params, "name"))})

    def create_project(self, params: dict[str, Any], account: GlasshatAccount, client_id: str) -> Response:
        """``POST /client/{client_id}/projects/create`` with ``name`` and ``domain`` (optional)."""
        name = _text(params, "name")
        domain = _text(params, "domain") if params.get("domain") is not None else None
        return _json({"project": account.create_project(_id(client_id), name, domain)})

    def _page(self, request: Request, params: dict[str, Any], key: str, store: RecordStore, ids: list[int]) -> Response:
        """One page of a listing, in the shape the ``listing`` dialect gives (`listing_response`)."""
        page = _integer(params.get("page", 1), "page")
        per_page = _integer(params.get("per_page", DEFAULT_PER_PAGE), "per_page")
        if page < 1:
            raise GlasshatError("invalid_parameter", "page must be 1 or more.")
        if not 1 <= per_page <= MAX_PER_PAGE:
            raise GlasshatError("invalid_parameter", f"per_page must be from 1 to {MAX_PER_PAGE}.")
        paging = self.paging()
        return listing_response(
            request, ids, store.json_many, page=page, per_page=per_page, paging=paging, key=key, hidden={"apikey"}
        )


def _id(raw: str) -> int:
    """A path id; anything but digits is an id no record has."""
    return int(raw) if raw.isascii() and raw.isdigit() else -1


def _integer(value: Any, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.strip().isascii():
        return int(value)
    raise GlasshatError("invalid_parameter", f"{name} must be an integer.")


def _text(params: dict[str, Any], name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str) or not value.strip():
        raise GlasshatError("invalid_parameter", f"{name} is required.")
    return value


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), content_type=JSON)
