"""Hitask errors: an HTTP status and a Hitask response code, rendered ``{"response_status", "error_message"}``.

```text
ServiceError (core)
 └── HitaskError
      ├── BadRequest     400  a mandatory parameter missing (4), malformed (5) or not valid (6)
      ├── Unauthorized   401  invalid API key (8), unknown login (1), wrong password (36), no session (7;
      │                       the ``session_status`` dialect serves it with 200, 400 or 403 instead)
      └── NotFound       404  unknown item (1)
```

Errors the core raises get the code of their status: 429 -> 67 ("You are performing too many API requests
per second"), unknown route 404 -> 1, 405 -> 17, 5xx -> 100 ("Internal error").
"""

from __future__ import annotations

from typing import ClassVar

import orjson
from werkzeug.wrappers import Response

from apitoolkit.emulator.core.service import ServiceError

TOO_MANY_REQUESTS = (67, "You are performing too many API requests per second")
SESSION_NOT_FOUND = (7, "Session not found, please authenticate first")


class HitaskError(ServiceError):
    """Base of the Hitask errors: ``code`` is Hitask's response code.

    Example:
        >>> HitaskError(5, "Invalid data format of delta").code
        5
    """

    def __init__(self, code: int, message: str, *, status: int | None = None) -> None:
        super().__init__(message, status=status)
        self.code = code


class BadRequest(HitaskError):
    """400: a parameter is missing, malformed or not valid."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad Request"


class Unauthorized(HitaskError):
    """401: the API key, login or password is refused, or there is no live session."""

    status: ClassVar[int] = 401
    title: ClassVar[str] = "Unauthorized"


class NotFound(HitaskError):
    """404: no such item."""

    status: ClassVar[int] = 404
    title: ClassVar[str] = "Not Found"


def error_response(error: ServiceError) -> Response:
    """Render any service error as Hitask does.

    Example:
        >>> error_response(NotFound(1, "Item not found")).get_data()
        b'{"response_status":1,"error_message":"Item not found"}'
    """
    if isinstance(error, HitaskError):
        code, message = error.code, error.detail
    elif error.status_code == 429:
        code, message = TOO_MANY_REQUESTS
    elif error.status_code == 404:
        code, message = 1, "Method not found"
    elif error.status_code == 405:
        code, message = 17, error.detail
    else:
        code, message = 100, "Internal error"
    return Response(
        orjson.dumps({"response_status": code, "error_message": message}),
        status=error.status_code,
        headers=error.headers,
        content_type="application/json",
    )
