"""Glasshat errors by their documented names, each with its HTTP status; rendered ``{"errors": {name: message}}``.

```text
ServiceError (core)
 └── GlasshatError(name)
      invalid_parameter 400 · too_many_items 402 · no_license 403 · no_client, no_project, no_task 404 ·
      client_exists, project_exists 409 · too_many_requests 429
```

Our choices where the overview names no error: an unknown endpoint is 404 ``no_endpoint`` ("Endpoint does not
exist."), a wrong method 405 ``invalid_method``, a server fault 5xx ``server_error``.
"""

from __future__ import annotations

from http import HTTPStatus

import orjson
from werkzeug.wrappers import Response

from apitoolkit.emulator.core.service import ServiceError

ERRORS: dict[str, tuple[int, str]] = {
    "invalid_parameter": (400, "Request parameters contain errors."),
    "too_many_items": (402, "Account allowance exceeded. Upgrade to higher price package."),
    "no_license": (403, "API licence key invalid, expired or disabled."),
    "no_client": (404, "Client ID not found."),
    "no_project": (404, "Project ID not found."),
    "no_task": (404, "Action ID not found."),
    "no_endpoint": (404, "Endpoint does not exist."),
    "invalid_method": (405, "Use GET for queries and POST for changes."),
    "client_exists": (409, "Client name exists in the account."),
    "project_exists": (409, "Project name exists in the client."),
    "too_many_requests": (429, "Rate limited, try again later."),
    "server_error": (500, "The server failed to answer; retry later."),
}
"""Every error name, its HTTP status and its default message (the overview's wording)."""


class GlasshatError(ServiceError):
    """An error by its Glasshat name; the status follows from the name.

    Args:
        name: A key of ``ERRORS``.
        message: What went wrong, when more precise than the default.

    Example:
        >>> GlasshatError("no_task").status_code
        404
    """

    def __init__(self, name: str, message: str | None = None) -> None:
        status, default = ERRORS[name]
        super().__init__(message or default, status=status, title=HTTPStatus(status).phrase)
        self.name = name


def error_response(error: ServiceError) -> Response:
    """Render any service error as Glasshat does.

    Example:
        >>> error_response(GlasshatError("no_license")).get_data()
        b'{"errors":{"no_license":"API licence key invalid, expired or disabled."}}'
    """
    if isinstance(error, GlasshatError):
        name, message = error.name, error.detail
    elif error.status_code == 429:
        name, message = "too_many_requests", ERRORS["too_many_requests"][1]
    elif error.status_code in (404, 405):
        name = "no_endpoint" if error.status_code == 404 else "invalid_method"
        message = ERRORS[name][1]
    else:
        name, message = "server_error", ERRORS["server_error"][1]
    return Response(
        orjson.dumps({"errors": {name: message}}),
        status=error.status_code,
        headers=error.headers,
        content_type="application/json",
    )
