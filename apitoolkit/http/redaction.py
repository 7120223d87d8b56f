"""Credential names and the functions that keep credentials out of URLs, headers, caches, messages and logs."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, MutableMapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "REDACTED",
    "SENSITIVE_NAMES",
    "RedactingFilter",
    "cache_ignored_parameters",
    "canonicalize_headers",
    "is_sensitive",
    "redact_logs",
    "redact_text",
    "redact_url",
    "scrub",
]

REDACTED = "REDACTED"

#: Header, query and form names that carry credentials, compared case-insensitively with ``-`` and ``_``
#: treated alike.
SENSITIVE_NAMES: frozenset[str] = frozenset(
    {
        "x-api-key",
        "api-key",
        "apikey",
        "api-token",
        "access-token",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "session-id",
        "sessionid",
        "password",
        "passwd",
        "token",
        "secret",
        "client-secret",
        "login",
    }
)


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "-")


def is_sensitive(name: str) -> bool:
    """Whether a header, query or form parameter name carries a credential.

    Example:
        >>> is_sensitive("X-API-Key"), is_sensitive("session_id"), is_sensitive("page[size]")
        (True, True, False)
    """
    return _norm(name) in SENSITIVE_NAMES


def _spellings(name: str) -> set[str]:
    variants = {name, name.replace("-", "_")}
    out: set[str] = set()
    for v in variants:
        out |= {v, v.lower(), v.upper(), v.title(), v.capitalize()}
        if "-" in v:
            out.add("-".join(part[:1].upper() + part[1:] for part in v.split("-")).replace("Api", "API"))
    return out


def cache_ignored_parameters(extra: Iterable[str] = ()) -> list[str]:
    """Every spelling of every credential name, for requests-cache's ``ignored_parameters``.

    requests-cache compares names exactly; the session also lower-cases credential header names before the
    cache sees a request (`canonicalize_headers`), so the two together cover any spelling.

    Example:
        >>> {"x-api-key", "X-API-Key", "apikey", "api_key", "session_id"} <= set(cache_ignored_parameters())
        True
    """
    names: set[str] = set()
    for name in (*SENSITIVE_NAMES, *extra):
        names |= _spellings(name)
    return sorted(names)


def canonicalize_headers(headers: MutableMapping[str, str]) -> None:
    """Rename credential headers to their lower-case spelling, in place (HTTP header names are case-blind).

    Example:
        >>> from requests.structures import CaseInsensitiveDict
        >>> h = CaseInsensitiveDict({"X-API-Key": "k"})
        >>> canonicalize_headers(h); list(h.keys())
        ['x-api-key']
    """
    for name in [n for n in headers if is_sensitive(n) and n != n.lower()]:
        value = headers[name]
        del headers[name]
        headers[name.lower()] = value


def redact_url(url: str | None) -> str:
    """Remove credentials from a URL: user info and credential query parameters become ``REDACTED``.

    Example:
        >>> redact_url("https://u:p@api.example.com/x?apikey=s3cret&page=2")
        'https://api.example.com/x?apikey=REDACTED&page=2'
    """
    if not url:
        return ""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    query = urlencode(
        [(k, REDACTED if is_sensitive(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
        safe="[]*,:",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace every occurrence of each secret (at least 4 characters long) in ``text`` with ``REDACTED``.

    Example:
        >>> scrub("key s3cret refused", ["s3cret"])
        'key REDACTED refused'
    """
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


_QUERY_CREDENTIAL = re.compile(
    r"([?&;](?:" + "|".join(n.replace("-", "[-_]") for n in sorted(SENSITIVE_NAMES)) + r")=)[^&;#\s\"']*",
    re.IGNORECASE,
)


def redact_text(text: str) -> str:
    """Replace the values of credential query parameters in every URL of a text with ``REDACTED``.

    Example:
        >>> redact_text('"GET /clients?apikey=s3cret&page=2 HTTP/1.1" 200')
        '"GET /clients?apikey=REDACTED&page=2 HTTP/1.1" 200'
    """
    return _QUERY_CREDENTIAL.sub(rf"\1{REDACTED}", text)


class RedactingFilter(logging.Filter):
    """Takes credential query parameters out of log records (urllib3 and requests-cache log request URLs).

    Example:
        >>> record = logging.makeLogRecord({"msg": "GET %s", "args": ("/x?apikey=s3cret",)})
        >>> RedactingFilter().filter(record), record.getMessage()
        (True, 'GET /x?apikey=REDACTED')
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message when it holds a credential; never drops a record."""
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


_FILTER = RedactingFilter()


def redact_logs(prefixes: Iterable[str] = ("urllib3", "requests_cache")) -> None:
    """Add `RedactingFilter` to every logger of the libraries that log request URLs (idempotent).

    A filter acts only on its own logger's records, so it goes on each logger that exists under the prefixes;
    clients call this once their session is built, when those modules are loaded.

    Example:
        >>> redact_logs(); _FILTER in logging.getLogger("urllib3.connectionpool").filters
        True
    """
    names = [n for n in list(logging.root.manager.loggerDict) if n.split(".")[0] in set(prefixes)]
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
