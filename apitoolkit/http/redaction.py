"""Credential names and the functions that keep credentials out of URLs, headers, caches, messages and logs."""

from __future__ import annotations

import functools
import itertools
import logging
import re
import string
import threading
from collections.abc import Callable, Iterable, MutableMapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "MIN_SECRET_LENGTH",
    "REDACTED",
    "SENSITIVE_NAMES",
    "RedactingFilter",
    "cache_ignored_parameters",
    "canonicalize_headers",
    "is_sensitive",
    "redact_body",
    "redact_logs",
    "redact_text",
    "redact_url",
    "register_secrets",
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


#: Secrets shorter than this are left alone: replacing every "abc" or "400" in a message would mangle ordinary
#: words, numbers and status codes (and the gaps would point at the secret), while a credential that short
#: protects nothing anyway.
MIN_SECRET_LENGTH = 4

_ALNUM = frozenset(string.ascii_letters + string.digits)
_UNRESERVED = _ALNUM | frozenset("-._")
_JSON_ESCAPES = {'"': '\\"', "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: What HTML-safe JSON encoders (Go, Django, PHP's JSON_HEX_*) and every HTML escaper rewrite.
_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;"}


def _raw(char: str) -> frozenset[str]:
    """``char`` as sent, or as a decoder that ignores ``+`` leaves it: a space may be ``+``."""
    return frozenset({" ", "+"} if char == " " else {char})


def _percent(char: str) -> frozenset[str]:
    """``char`` in a URL or form: raw (any ``safe``), ``%XX`` in either hex case, and ``+`` or ``%20`` for space."""
    if char in _UNRESERVED:
        return frozenset({char})
    escaped = "".join(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    kept = {" ", "+"} if char == " " else set() if char == "%" else {char}  # a raw "%" would prefix "%25"
    return frozenset({escaped, escaped.lower(), *kept})


def _json(char: str) -> frozenset[str]:
    """``char`` inside a JSON string: raw (``ensure_ascii=False``), short escape, ``\\uXXXX`` in either hex case."""
    if char in _ALNUM:
        return frozenset({char})
    point = ord(char)
    out = {char} if char not in '"\\' and point >= 0x20 else set()
    if char in _JSON_ESCAPES:
        out.add(_JSON_ESCAPES[char])
    if point < 0x20 or point > 0x7E or char in _HTML_SPECIAL:
        high, low = divmod(point - 0x10000, 0x400)
        units = [point] if point < 0x10000 else [0xD800 + high, 0xDC00 + low]
        out |= {"".join(f"\\u{u:04x}" for u in units), "".join(f"\\u{u:04X}" for u in units)}
    return frozenset(out)


def _html(char: str) -> frozenset[str]:
    """``char`` in an HTML page: raw (except ``&``), named entity, decimal and hex character references."""
    point = ord(char)
    if char not in _HTML_SPECIAL and point <= 0x7E:
        return frozenset({char})
    out = {f"&#{point};", f"&#{point:03d};", f"&#x{point:x};", f"&#x{point:X};"}
    if char in _HTML_SPECIAL:
        out.add(_HTML_SPECIAL[char])
    if char != "&":  # a raw "&" would prefix every entity
        out.add(char)
    return frozenset(out)


#: Where an echoed secret turns up, as chains of encodings applied in order: raw (or form-decoded but for the
#: ``+``); in a URL, a form, or a URL encoded again (``%2540``); in a JSON string, or a JSON string inside a
#: JSON string; in an HTML page (also a JSON document or a URL shown on one); a raw query string quoted in JSON.
#: Base64 is left out on purpose: messages do not carry it, and its spellings depend on the bytes around the
#: secret.
_CHAINS: tuple[tuple[Callable[[str], frozenset[str]], ...], ...] = (
    (_raw,),
    (_percent,),
    (_percent, _percent),
    (_json,),
    (_json, _json),
    (_html,),
    (_json, _html),
    (_percent, _html),
    (_percent, _json),
)


@functools.lru_cache(maxsize=4096)
def _group(char: str, chain: int) -> tuple[str, int]:
    """A regex matching every spelling of ``char`` under one chain, and the length of the shortest spelling.

    Each encoder gives a character spellings none of which is a prefix of another (hence no raw ``%`` among
    the percent spellings, no raw ``&`` among the HTML ones), so at most one alternative matches at any place
    and a search never backtracks into a character: each place of the text costs at most one pass over the
    pattern, whatever the secret.
    """
    spellings = {char}
    for encode in _CHAINS[chain]:
        spellings = {"".join(parts) for s in spellings for parts in itertools.product(*map(encode, s))}
    ordered = sorted(spellings, key=lambda s: (-len(s), s))
    if len(ordered) == 1:
        return re.escape(ordered[0]), len(ordered[0])
    return "(?:" + "|".join(map(re.escape, ordered)) + ")", len(ordered[-1])


def _anchor(secret: str) -> str:
    """The longest run of ASCII letters and digits in ``secret``: every encoding leaves those as they are."""
    return max(re.findall(r"[A-Za-z0-9]+", secret), key=len, default="")


@functools.lru_cache(maxsize=256)
def _plan(secrets: tuple[str, ...] | frozenset[str]) -> tuple[tuple[str, str], ...]:
    """``(anchor, secret)`` pairs, longest secret first: a text without a secret's anchor cannot hold it."""
    kept = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
    return tuple((_anchor(s), s) for s in sorted(kept, key=lambda s: (-len(s), s)))


@functools.lru_cache(maxsize=256)
def _pattern(secrets: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation of every spelling of every secret, longest first, so a longer match wins at a position."""
    branches: dict[str, int] = {}
    for secret in secrets:
        for chain in range(len(_CHAINS)):
            groups = [_group(char, chain) for char in secret]
            branches.setdefault("".join(g for g, _ in groups), sum(n for _, n in groups))
    return re.compile("|".join(sorted(branches, key=lambda b: -branches[b])))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret in ``text`` with ``REDACTED``, however a server echoed it.

    Every spelling counts: raw; percent-encoded (``quote`` with or without ``safe='/'``, ``quote_plus`` and
    form encoding, ``+`` or ``%20`` for space, either hex case, encoded twice as in ``%2540``); JSON-escaped
    (``ensure_ascii`` either way, ``\\uXXXX`` in either case, ``\\/``, escaped twice); HTML-escaped
    (``&amp;``, ``&#39;``, ``&#x27;``, ``&quot;``); partly escaped forms of each. Secrets shorter than
    `MIN_SECRET_LENGTH` are left alone (see there). The patterns are built once per set of secrets and a text
    that lacks each secret's longest run of letters and digits is returned without running them, so the
    common case costs a few substring tests.

    Example:
        >>> scrub("key s3cret refused", ["s3cret"])
        'key REDACTED refused'
        >>> scrub('password=p%40ss+word%26Secret%231 {"p": "p@ss word&amp;Secret#1"}', ["p@ss word&Secret#1"])
        'password=REDACTED {"p": "REDACTED"}'
    """
    key = secrets if isinstance(secrets, frozenset) else tuple(secrets)
    present = [secret for anchor, secret in _plan(key) if anchor in text]
    if not present:
        return text
    return _pattern(tuple(present)).sub(REDACTED, text)


_registered: frozenset[str] = frozenset()
#: The registered values that are secrets in a stored body too (not a login, which is the user's own e-mail).
_stored: frozenset[str] = frozenset()
_registry_lock = threading.Lock()


def register_secrets(values: Iterable[str | None], *, logs_only: bool = False) -> None:
    """Have `RedactingFilter` take these values, in every spelling `scrub` knows, out of every log record.

    Clients call it with their credentials when they are built, and with each session id they obtain. Values
    stay registered for the life of the process (a past session id is still a secret); None, empty and short
    values are ignored. Thread-safe; registering a known value again costs a set comparison.

    Example:
        >>> register_secrets(["p@ss word&Secret#1", None])
        >>> record = logging.makeLogRecord({"msg": "echo: %s", "args": ("p%40ss+word%26Secret%231",)})
        >>> RedactingFilter().filter(record), record.getMessage()
        (True, 'echo: REDACTED')
    """
    global _registered, _stored
    new = {v for v in values if v and len(v) >= MIN_SECRET_LENGTH}
    if new <= _registered and (logs_only or new <= _stored):
        return
    with _registry_lock:
        _registered = _registered | new
        if not logs_only:
            _stored = _stored | new


def redact_body(data: bytes) -> bytes:
    """``data`` with every registered secret (`register_secrets`, not ``logs_only``) replaced by ``REDACTED``.

    For what the HTTP cache stores: a server may echo a key into a page (a ``next_page_url`` carrying
    ``apikey=``). Costs one substring test per secret when none is there (~0.07 ms for a 400 KB page); only a
    body holding one is decoded and scrubbed.

    Example:
        >>> register_secrets(["s3cret-key-0042"])
        >>> redact_body(b'{"next": "https://x/c?apikey=s3cret-key-0042&page=2"}')
        b'{"next": "https://x/c?apikey=REDACTED&page=2"}'
    """
    secrets = _stored
    if not data or not secrets:
        return data
    present = [secret for anchor, secret in _plan(secrets) if anchor.encode() in data]
    if not present:
        return data
    return scrub(data.decode("utf-8", "surrogateescape"), present).encode("utf-8", "surrogateescape")


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
    """Takes credentials out of log records: credential query parameters by name, registered secrets by value.

    urllib3 and requests-cache log request URLs; a server's answer quoted in a log line may echo a password in
    any encoding, so every value passed to `register_secrets` is scrubbed too, from the message, the formatted
    traceback and the stack. With nothing registered that part costs one truth test.

    Example:
        >>> record = logging.makeLogRecord({"msg": "GET %s", "args": ("/x?apikey=s3cret",)})
        >>> RedactingFilter().filter(record), record.getMessage()
        (True, 'GET /x?apikey=REDACTED')
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message (and traceback) when it holds a credential; never drops a record."""
        secrets = _registered
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        redacted = _redact_log_text(message, secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[0] is not None and not record.exc_text:
            # Formatter.format writes exc_text only when it is empty: fill it in, but only when that hides something.
            traceback = _TRACEBACKS.formatException(record.exc_info)
            if _redact_log_text(traceback, secrets) != traceback:
                record.exc_text = traceback
        for name in ("exc_text", "stack_info"):
            text = getattr(record, name, None)
            if text:
                setattr(record, name, _redact_log_text(text, secrets))
        return True


def _redact_log_text(text: str, secrets: frozenset[str]) -> str:
    text = redact_text(text)
    return scrub(text, secrets) if secrets else text


_TRACEBACKS = logging.Formatter()
_FILTER = RedactingFilter()


def redact_logs(prefixes: Iterable[str] = ("urllib3", "requests_cache", "apitoolkit")) -> None:
    """Add `RedactingFilter` to every logger of the libraries that log request URLs, and our own (idempotent).

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
