"""Happy Grasshopper errors, rendered the Laravel way: ``{"message": ...}``, plus ``errors`` on a 422.

```text
ServiceError (core)
 └── HappyGrasshopperError
      ├── Unauthenticated   401  "Unauthenticated."
      ├── Forbidden         403  "This API key has been revoked."
      ├── NotFound          404  "Not found."
      └── ValidationError   422  {"message": first error, "errors": {parameter: [messages]}}
```

Errors the core raises get Laravel's messages: 429 "Too Many Attempts.", unknown route "Not found.",
5xx "Server Error.".
"""

from __future__ import annotations

from typing import ClassVar

import orjson
from werkzeug.wrappers import Response

from apitoolkit.emulator.core.service import ServiceError


class HappyGrasshopperError(ServiceError):
    """Base of the Happy Grasshopper errors; ``detail`` is the ``message``."""


class Unauthenticated(HappyGrasshopperError):
    """401: no valid bearer key."""

    status: ClassVar[int] = 401
    title: ClassVar[str] = "Unauthorized"


class Forbidden(HappyGrasshopperError):
    """403: the key was revoked."""

    status: ClassVar[int] = 403
    title: ClassVar[str] = "Forbidden"


class NotFound(HappyGrasshopperError):
    """404: no such resource."""

    status: ClassVar[int] = 404
    title: ClassVar[str] = "Not Found"


class ValidationError(HappyGrasshopperError):
    """422: invalid query parameters, each with its messages.

    Example:
        >>> ValidationError({"colour": ["The colour parameter is not supported."]}).detail
        'The colour parameter is not supported.'
    """

    status: ClassVar[int] = 422
    title: ClassVar[str] = "Unprocessable Content"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        messages = [message for found in errors.values() for message in found]
        more = len(messages) - 1
        suffix = f" (and {more} more error{'s' if more > 1 else ''})" if more else ""
        super().__init__(messages[0] + suffix)
        self.errors = errors


def error_response(error: ServiceError) -> Response:
    """Render any service error as Happy Grasshopper does.

    Example:
        >>> error_response(NotFound("Not found.")).get_data()
        b'{"message":"Not found."}'
    """
    if isinstance(error, HappyGrasshopperError):
        message = error.detail
    elif error.status_code == 429:
        message = "Too Many Attempts."
    elif error.status_code == 404:
        message = "Not found."
    elif error.status_code == 405:
        message = error.detail
    else:
        message = "Server Error."
    document: dict[str, object] = {"message": message}
    if isinstance(error, ValidationError):
        document["errors"] = error.errors
    return Response(
        orjson.dumps(document), status=error.status_code, headers=error.headers, content_type="application/json"
    )
