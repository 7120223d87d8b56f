"""IT Glue errors that know their status; rendered as JSON:API ``errors`` documents.

```text
ServiceError (core)
 └── ITGlueError
      ├── BadRequest            400  malformed or unknown parameter, filter or sort
      ├── Unauthorized          401  missing or unknown x-api-key (dialect ``wrong_key_status=401``)
      ├── Forbidden             403  missing or unknown x-api-key (the reference: "an incorrect key ... 403")
      ├── NotFound              404  unknown path or id
      └── UnprocessableEntity   422  a rule of the endpoint (logs page cap, week-long metric ranges)
```
"""

from __future__ import annotations

from typing import ClassVar

import orjson
from werkzeug.wrappers import Response

from apitoolkit.emulator.core.service import ServiceError

JSON_API = "application/vnd.api+json"


class ITGlueError(ServiceError):
    """Base of the IT Glue errors."""


class BadRequest(ITGlueError):
    """400: a parameter the endpoint does not know or cannot parse."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad Request"


class Unauthorized(ITGlueError):
    """401: the request carries no valid ``x-api-key``."""

    status: ClassVar[int] = 401
    title: ClassVar[str] = "Unauthorized"


class Forbidden(ITGlueError):
    """403: the request carries no valid ``x-api-key``, as the reference says a wrong key is answered."""

    status: ClassVar[int] = 403
    title: ClassVar[str] = "Forbidden"


class NotFound(ITGlueError):
    """404: no such resource."""

    status: ClassVar[int] = 404
    title: ClassVar[str] = "Not Found"


class UnprocessableEntity(ITGlueError):
    """422: well-formed, but against a rule of the endpoint."""

    status: ClassVar[int] = 422
    title: ClassVar[str] = "Unprocessable Entity"


def error_response(error: ServiceError) -> Response:
    """Render any service error as an IT Glue JSON:API errors document.

    Example:
        >>> error_response(NotFound("No users with id 9.")).get_data()
        b'{"errors":[{"status":"404","title":"Not Found","detail":"No users with id 9."}]}'
    """
    document = {"errors": [{"status": str(error.status_code), "title": error.status_title, "detail": error.detail}]}
    return Response(orjson.dumps(document), status=error.status_code, headers=error.headers, content_type=JSON_API)
