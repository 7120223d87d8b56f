"""The error tree: every failure apitoolkit raises, each saying what to do next.

```text
ApiToolkitError
├── ConfigurationError          a missing or invalid setting (names the variable to set)
│   └── InvalidArgumentError        a bad argument, caught before any request: to a loader (unknown filter,
│                                   start after end, bad date or id) or a client (max_workers="6", timeout=-1)
├── OfflineError                offline mode and the data is not in the cache
├── CacheError                  a cache or snapshot could not be read or written
├── PaginationError             the API's paging went round in circles or contradicted itself
│   └── ListingChangedError         records were added or deleted while a listing was paged, again and again
├── ResponseFormatError         a 200 response whose body is not the JSON we expect (not retried)
├── ArchiveError                the history archive could not be read or written (nothing was written)
│   ├── ArchiveLocationError        not a location, not writable, no such bucket, credentials refused
│   ├── ArchiveCorruptError         a table at the location is damaged or not one of the archive's
│   ├── UnknownArchiveResourceError the archive does not hold that service/resource
│   └── ArchiveQueryError           SQL over the archive failed (names the views it has)
└── ApiError                    the API answered with an error or could not be reached
    ├── RetriableError          worth trying again later (raised once attempts are used up)
    │   ├── RateLimitedError        429 Too Many Requests
    │   ├── ServerError             5xx
    │   ├── InvalidResponseError    HTML error page, truncated or unparseable body
    │   └── TransportError          connection refused or dropped, timeout (no status); "could not connect to
    │                               HOST" at once when the server has never answered
    └── FatalError              retrying cannot help
        ├── AuthenticationError     401 (wrong or missing credentials)
        ├── PermissionDeniedError   403 (and 402: no licence)
        ├── NotFoundError           404
        ├── ConflictError           409
        ├── RedirectError           a redirect off the configured base URL (refused: it would carry credentials)
        └── InvalidRequestError     400, 422 and other 4xx (unknown filter, refused date range)
```

Warnings (``UserWarning`` subclasses, not errors: the call went on and returned data) live here too:

```text
UserWarning
├── StaleDataWarning            the API could not be reached: a loader returned its cached copy past its
│                               expiry, saying when it was stored
├── CacheWarning                a cache file was damaged or of another layout: moved aside or replaced, and
│                               its data fetched again
├── SchemaDriftWarning          values without the documented type were coerced or set missing
├── DuplicateRecordsWarning     the same record came back on more than one page; the extra copies were dropped
├── SyncWarning                 a Hitask incremental sync fell back to a full reload (the message says why)
├── ArchiveGapWarning           the archive has a hole the API can no longer fill (IT Glue keeps 30 days of logs)
└── MissingFontWarning          a plot label has characters no installed font can draw (names the package)
```

Every `ApiError` carries the service, the HTTP status (or None), the service's own error code and message
when the body had one, and the request URL with credentials removed. Messages never contain a secret.
"""

from __future__ import annotations

__all__ = [
    "ApiError",
    "ApiToolkitError",
    "ArchiveCorruptError",
    "ArchiveError",
    "ArchiveGapWarning",
    "ArchiveLocationError",
    "ArchiveQueryError",
    "AuthenticationError",
    "CacheError",
    "CacheWarning",
    "ConfigurationError",
    "ConflictError",
    "DuplicateRecordsWarning",
    "FatalError",
    "InvalidArgumentError",
    "InvalidRequestError",
    "InvalidResponseError",
    "ListingChangedError",
    "MissingFontWarning",
    "NotFoundError",
    "OfflineError",
    "PaginationError",
    "PermissionDeniedError",
    "RateLimitedError",
    "RedirectError",
    "ResponseFormatError",
    "RetriableError",
    "SchemaDriftWarning",
    "ServerError",
    "StaleDataWarning",
    "SyncWarning",
    "TransportError",
    "UnknownArchiveResourceError",
]

#: How a user reaches the cached data when the API cannot be reached, in the words they can type (used in
#: messages; not an exception, so not in ``__all__``).
OFFLINE_HINT = "Cached data stays usable offline: set APITOOLKIT_OFFLINE=1 (or --offline on the command line)."


class ApiToolkitError(Exception):
    """Base class of every error apitoolkit raises."""


class ConfigurationError(ApiToolkitError, ValueError):
    """A setting is missing or invalid; the message names the argument or environment variable to set."""


class InvalidArgumentError(ConfigurationError):
    """A function or client was given an argument it cannot use; the message says what it accepts.

    Raised before any request is sent. It is a `ConfigurationError` (and a ValueError), so code that catches
    those for a client's invalid settings still catches them now that they are named as bad arguments.
    """


class OfflineError(ApiToolkitError):
    """Offline mode is on and the requested data is not in the cache."""


class CacheError(ApiToolkitError):
    """The cache, a frame snapshot or a sync snapshot could not be read or written."""


class PaginationError(ApiToolkitError):
    """The API's pagination repeated a page token or contradicted itself."""


class ListingChangedError(PaginationError):
    """A listing's record count changed between its pages (records added or deleted meanwhile), on every try."""


class ResponseFormatError(ApiToolkitError):
    """A successful response whose content does not have the documented shape."""


class ArchiveError(ApiToolkitError):
    """The history archive could not be read or written; nothing was written (see `apitoolkit.archive`)."""


class ArchiveLocationError(ArchiveError):
    """The archive location is not usable: not a directory or ``s3://`` URL, not writable, or refused."""


class ArchiveCorruptError(ArchiveError):
    """A table at the archive location is damaged, or is not one the archive wrote."""


class UnknownArchiveResourceError(ArchiveError):
    """The archive does not hold that service and resource (the message lists those it holds)."""


class ArchiveQueryError(ArchiveError):
    """SQL over the archive failed; the message names the views it can use."""


class ApiError(ApiToolkitError):
    """The API answered with an error, or could not be reached.

    Attributes:
        service: Service name (``"itglue"``, ``"hitask"``, ...).
        status: HTTP status code, or None when no response arrived.
        code: The service's own error code or name from the body, when present.
        detail: The service's own error message from the body, when present.
        url: The request URL with every credential removed.
        hint: What the user can do about it.
    """

    def __init__(
        self,
        message: str,
        *,
        service: str = "",
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.service = service
        self.status = status
        self.code = code
        self.detail = detail
        self.url = url
        self.hint = hint
        super().__init__(message)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        kwargs = {
            "service": self.service,
            "status": self.status,
            "code": self.code,
            "detail": self.detail,
            "url": self.url,
            "hint": self.hint,
        }
        return (_rebuild_api_error, (type(self), str(self), kwargs))


def _rebuild_api_error(cls: type[ApiError], message: str, kwargs: dict[str, object]) -> ApiError:
    return cls(message, **kwargs)  # type: ignore[arg-type]


class RetriableError(ApiError):
    """A failure that may pass: raised when the retry budget is used up."""


class RateLimitedError(RetriableError):
    """429 Too Many Requests.

    Attributes:
        retry_after: Seconds the server asked us to wait, when it said so.
    """

    retry_after: float | None = None


class ServerError(RetriableError):
    """The server failed (5xx)."""


class InvalidResponseError(RetriableError):
    """An HTML error page (typically from a proxy), a truncated body, or a body that is not valid JSON."""


class TransportError(RetriableError):
    """The connection failed, was dropped, or timed out; no HTTP status."""


class FatalError(ApiError):
    """A failure that retrying cannot fix."""


class AuthenticationError(FatalError):
    """401: the credentials are missing, wrong or revoked."""


class PermissionDeniedError(FatalError):
    """403 (or 402): the credentials are valid but may not do this."""


class NotFoundError(FatalError):
    """404: the resource or record does not exist."""


class ConflictError(FatalError):
    """409: the request conflicts with the current state of the resource."""


class RedirectError(FatalError):
    """The API redirected to another scheme, host or port than its base URL; apitoolkit does not follow it."""


class InvalidRequestError(FatalError):
    """400, 422 or another 4xx: the API refused the request as sent."""


class StaleDataWarning(UserWarning):
    """The API could not be reached, so a loader returned an expired cached copy (the message says how old)."""


class CacheWarning(UserWarning):
    """A cache file could not be used (damaged, or of another layout) and was moved aside or replaced.

    The load went on without it, fetching again what it held; the message names the file.
    """


class SchemaDriftWarning(UserWarning):
    """Some values did not have the documented type and were coerced or set missing (the message says how many)."""


class DuplicateRecordsWarning(UserWarning):
    """The same record came back on more than one page (data changed while paging); extras were dropped."""


class SyncWarning(UserWarning):
    """Incremental sync fell back to a full reload; the message says why."""


class ArchiveGapWarning(UserWarning):
    """The archive has a gap the API can no longer fill (IT Glue keeps logs for 30 days only)."""


class MissingFontWarning(UserWarning):
    """A label has characters that no installed font can draw: they show as boxes until a font is installed."""
