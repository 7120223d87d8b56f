"""The transport under every session: a response's bytes read off the socket, within a deadline and a size limit."""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import http.client
import io
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import DEFAULT_POOLBLOCK, HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPResponse, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError

from apitoolkit.config import DEFAULT_MAX_BODY_SIZE

if TYPE_CHECKING:
    from urllib3._base_connection import BaseHTTPConnection

__all__ = ["ResponseTimeout", "ResponseTooLarge", "WholeBodyAdapter"]

#: Decoded bytes asked for per read when a body must be counted as it is decompressed: large enough that a
#: normal page takes one or two reads, small enough that a compression bomb is stopped a read past the limit.
_READ_SIZE = 1 << 20


class ResponseTimeout(requests.exceptions.Timeout):
    """The whole response (connect, status line, headers and body) took longer than the request's ``timeout``.

    A `requests.exceptions.Timeout`, so code that retries timeouts retries this one too.
    """


class ResponseTooLarge(requests.exceptions.RequestException):
    """The body is larger than ``max_body_size``: by its ``Content-Length``, or once decompressed.

    A plain `requests.exceptions.RequestException`, not a ``ContentDecodingError``: the body may be perfectly
    well encoded (or not encoded at all), and asking again returns the same oversized body, so it must not
    land among the transport errors that are retried.
    """


class _Deadline:
    """One response's deadline: the connection carrying it, and whether the watchdog cut it short."""

    __slots__ = ("conn", "expires_at", "finished", "fired", "sock", "started", "timeout")

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.started = time.monotonic()
        self.expires_at = self.started + timeout
        self.conn: _DeadlineConnection | None = None
        #: The connection's socket when last seen: http.client drops ``conn.sock`` as soon as the headers say
        #: ``Connection: close``, while the response goes on reading from the same socket.
        self.sock: socket.socket | None = None
        self.fired = False
        self.finished = False

    def error(self, request: requests.PreparedRequest, body_bytes: int | None) -> ResponseTimeout:
        """The error to raise once the deadline cut the response; ``body_bytes`` is None before the headers."""
        if body_bytes is None:
            sent = "no complete status line and headers"
        else:
            sent = f"the headers and {body_bytes} byte{'' if body_bytes == 1 else 's'} of the body"
        elapsed = time.monotonic() - self.started
        return ResponseTimeout(
            f"the response was not complete within timeout={_format_seconds(self.timeout)} s (the server sent "
            f"{sent} in {elapsed:.1f} s); pass a larger timeout= if the service is slow but alive",
            request=request,
        )


class _Watchdog:
    """One daemon thread that shuts down the socket of every response still running at its deadline.

    Deadlines wait in a heap and the thread sleeps until the earliest. A response that ends in time is only
    marked finished, without waking the thread, and leaves the heap when it reaches the top (or in a sweep once
    half the heap is finished): in steady use the thread wakes about once per timeout, not once per request.
    One lock guards every deadline: a deadline cuts only the connection it owns, and a connection drops its
    owner before it goes back to its pool, so a socket already serving the next request is never cut.
    """

    _wake: threading.Condition
    _heap: list[tuple[float, int, _Deadline]]
    _finished: int
    _order: Iterator[int]
    _thread: threading.Thread | None

    def __init__(self) -> None:
        self.reset()

    def start(self, timeout: float) -> _Deadline:
        """A deadline ``timeout`` seconds from now."""
        deadline = _Deadline(timeout)
        with self._wake:
            heapq.heappush(self._heap, (deadline.expires_at, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="apitoolkit-response-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is deadline:
                self._wake.notify()
        return deadline

    def watch(self, deadline: _Deadline, conn: _DeadlineConnection) -> None:
        """Let ``deadline`` own ``conn``, and cut it at once if the deadline has already passed."""
        with self._wake:
            if deadline.finished:
                return
            previous = conn.response_deadline
            if previous is not None and previous is not deadline and previous.conn is conn:
                previous.conn = None  # never released to its pool: it cannot cut the socket now in use
            deadline.conn, conn.response_deadline = conn, deadline
            deadline.sock = conn.sock or deadline.sock
            if time.monotonic() >= deadline.expires_at:
                self._cut(deadline)

    def release(self, conn: _DeadlineConnection) -> bool:
        """Drop the deadline that owns ``conn``; True if that deadline cut it (it must not be reused)."""
        with self._wake:
            deadline, conn.response_deadline = conn.response_deadline, None
            if deadline is None or deadline.conn is not conn:
                return False
            deadline.conn = None
            return deadline.fired

    def finish(self, deadline: _Deadline) -> bool:
        """The response is complete (or failed): its deadline cuts nothing from now on. True if it did cut."""
        with self._wake:
            if not deadline.finished:
                deadline.finished = True
                self._finished += 1
                if self._finished > 256 and 2 * self._finished > len(self._heap):  # mostly dead weight: sweep
                    self._heap = [entry for entry in self._heap if not entry[2].finished]
                    heapq.heapify(self._heap)
                    self._finished = 0
            deadline.conn = deadline.sock = None  # it may wait in the heap for a while: hold no socket
            return deadline.fired

    def reset(self) -> None:
        """Start empty and without a thread: at creation, and in a forked child (which has neither)."""
        self._wake = threading.Condition(threading.Lock())
        self._heap = []
        self._finished = 0  # finished deadlines still in the heap (about: expired ones count when they finish)
        self._order = itertools.count()
        self._thread = None

    def _run(self) -> None:
        with self._wake:
            while True:
                now = time.monotonic()
                while self._heap and (self._heap[0][2].finished or self._heap[0][0] <= now):
                    deadline = heapq.heappop(self._heap)[2]
                    if deadline.finished:
                        self._finished -= 1
                    elif deadline.conn is not None:
                        self._cut(deadline)
                self._wake.wait(self._heap[0][0] - now if self._heap else None)

    @staticmethod
    def _cut(deadline: _Deadline) -> None:
        # Called with the lock held. The socket is shut down, not closed: a read blocked in another thread
        # returns at once, and the descriptor stays the reading thread's to close. socket.socket.shutdown, not
        # SSLSocket.shutdown, which would also drop the TLS object under the reading thread.
        deadline.fired = True
        sock = (deadline.conn.sock if deadline.conn is not None else None) or deadline.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                socket.socket.shutdown(sock, socket.SHUT_RDWR)


_WATCHDOG = _Watchdog()
os.register_at_fork(after_in_child=_WATCHDOG.reset)

#: The deadline of the request this thread is sending, for the connection that carries it.
_CURRENT_DEADLINE: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar(
    "apitoolkit_response_deadline", default=None
)


def _watch(conn: _DeadlineConnection) -> None:
    deadline = _CURRENT_DEADLINE.get()
    if deadline is not None:
        _WATCHDOG.watch(deadline, conn)


class _DeadlineConnection(HTTPConnection):
    """A urllib3 connection that the deadline of the request it carries may cut (before TLS, and at every request)."""

    response_deadline: _Deadline | None = None

    def connect(self) -> None:
        _watch(self)  # owned before the TLS handshake, so a trickled handshake is cut too
        super().connect()
        _watch(self)  # a deadline that passed while connecting cuts the new socket at once

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self)
        super().request(*args, **kwargs)


class _DeadlineHTTPSConnection(_DeadlineConnection, HTTPSConnection):
    """The TLS variant of `_DeadlineConnection`."""


class _DeadlinePool(HTTPConnectionPool):
    """A pool of `_DeadlineConnection`; a connection that its deadline cut is closed, never reused."""

    ConnectionCls = _DeadlineConnection

    def _put_conn(self, conn: BaseHTTPConnection | None) -> None:
        if isinstance(conn, _DeadlineConnection) and _WATCHDOG.release(conn):
            conn.close()
        super()._put_conn(conn)


class _DeadlineHTTPSPool(_DeadlinePool, HTTPSConnectionPool):
    """The TLS variant of `_DeadlinePool`."""

    ConnectionCls = _DeadlineHTTPSConnection


_POOL_CLASSES: dict[str, type[HTTPConnectionPool]] = {"http": _DeadlinePool, "https": _DeadlineHTTPSPool}


def _format_seconds(seconds: float) -> str:
    """``5``, ``2.5``, ``0.05``: at most one decimal unless the value is smaller than that."""
    return f"{seconds:g}" if seconds < 0.1 else f"{seconds:.1f}".removesuffix(".0")


def _format_size(size: int) -> str:
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size} bytes"


def _partial_length(exc: BaseException) -> int:
    """Bytes of the body that arrived in the read that failed, as far as http.client's IncompleteRead kept them."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, http.client.IncompleteRead) and isinstance(seen.partial, bytes):
            return len(seen.partial)
        seen = seen.__cause__ or seen.__context__
    return 0


def _broken_body_error(exc: Exception, request: requests.PreparedRequest) -> Exception:
    """What requests raises for urllib3's error while reading a body (anything else unchanged)."""
    if isinstance(exc, ProtocolError):
        return requests.exceptions.ChunkedEncodingError(exc, request=request)
    if isinstance(exc, DecodeError):
        return requests.exceptions.ContentDecodingError(exc, request=request)
    if isinstance(exc, ReadTimeoutError):
        return requests.exceptions.ConnectionError(exc, request=request)
    if isinstance(exc, SSLError):
        return requests.exceptions.SSLError(exc, request=request)
    return exc


#: Bytes a redirect's body may hold once decoded: it is read only to be thrown away.
_REDIRECT_BODY_LIMIT = 1024 * 1024


class WholeBodyAdapter(HTTPAdapter):
    """Reads each body whole, within the request's ``timeout`` in all and ``max_body_size`` bytes once decoded.

    Speed: a body with a ``Content-Length`` and no ``Content-Encoding`` is read in one call rather than requests'
    10 KB chunks (we never stream). Every chunk read gives up the GIL and takes it back: while the calling thread
    parses pages, a page worker reading 500 KB in 50 chunks queued for the GIL 50 times. Any other body is read
    1 MiB (decoded) at a time, so it is counted as it is decompressed.

    Deadline: a number ``timeout`` bounds the whole response, from the start of `send` to the last body byte,
    not each socket read (a server trickling a byte every second would otherwise never time out). When it
    passes, a watchdog thread shuts the connection's socket down and `ResponseTimeout` is raised; the
    connection is closed, never reused. A ``(connect, read)`` tuple keeps requests' per-read meaning.

    Size: a body whose ``Content-Length`` exceeds ``max_body_size``, or that grows past it while being
    decompressed, raises `ResponseTooLarge` at once, so a compression bomb costs about ``max_body_size`` of
    memory, not its expanded size.

    HEAD responses are left as requests handles them; a redirect's body (which requests would drain, decoded,
    whatever its size) is read here, at most `_REDIRECT_BODY_LIMIT` bytes of it.
    Other errors are the ones requests raises for a broken body.

    Example:
        >>> from apitoolkit.emulator import EmulatorServer
        >>> session = requests.Session()
        >>> session.mount("http://", WholeBodyAdapter(max_body_size=64 * 1024 * 1024))
        >>> with EmulatorServer(port=0, seed=1) as emu:  # a real server, on loopback
        ...     key = emu.app.itglue.api_key
        ...     session.get(f"{emu.base_url('itglue')}/users", headers={"x-api-key": key}, timeout=30)
        <Response [200]>
    """

    __attrs__ = [*HTTPAdapter.__attrs__, "max_body_size"]  # noqa: RUF012  (pickled, as requests does)

    def __init__(self, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_body_size = max_body_size

    def init_poolmanager(
        self, connections: int, maxsize: int, block: bool = DEFAULT_POOLBLOCK, **pool_kwargs: Any
    ) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOL_CLASSES

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools have connection classes of their own
            manager.pool_classes_by_scheme = _POOL_CLASSES
        return manager

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: float | tuple[float, float] | tuple[float, None] | None = None,
        verify: bool | str = True,
        cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        deadline = None
        if isinstance(timeout, int | float) and not isinstance(timeout, bool) and timeout > 0:
            deadline = _WATCHDOG.start(timeout)
        token = _CURRENT_DEADLINE.set(deadline)
        try:
            return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies)
        except (ResponseTimeout, ResponseTooLarge):
            raise
        except Exception:
            if deadline is not None and _WATCHDOG.finish(deadline):  # cut before the headers were complete
                raise deadline.error(request, None) from None
            raise
        finally:
            _CURRENT_DEADLINE.reset(token)
            if deadline is not None:
                _WATCHDOG.finish(deadline)

    def build_response(self, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        if req.method == "HEAD":
            return response
        # requests drains a redirect's body (decoded, whole) before following it: read it here, with a small limit.
        limit = min(self.max_body_size, _REDIRECT_BODY_LIMIT) if response.is_redirect else self.max_body_size
        deadline = _CURRENT_DEADLINE.get()
        try:
            content = self._read_body(req, resp, limit, redirect=response.is_redirect)
        except ResponseTooLarge:
            response.close()  # the rest of the body is never read: the connection cannot be reused
            raise
        except Exception as exc:
            if deadline is not None and _WATCHDOG.finish(deadline):
                raise deadline.error(req, resp.tell() + _partial_length(exc)) from None
            if response.is_redirect:  # thrown away anyway: as requests does, a body it cannot read is no error
                response.close()  # but the connection, left mid-body, is not reused
                response._content, response._content_consumed = b"", True  # type: ignore[attr-defined]
                return response
            mapped = _broken_body_error(exc, req)
            if mapped is exc:
                raise
            raise mapped from None
        if deadline is not None and _WATCHDOG.finish(deadline):  # a body without a length looks whole once cut
            response.close()
            raise deadline.error(req, resp.tell())
        response._content = content
        response._content_consumed = True  # type: ignore[attr-defined]
        return response

    def _read_body(self, req: requests.PreparedRequest, resp: HTTPResponse, limit: int, *, redirect: bool) -> bytes:
        advice = "; pass a larger max_body_size= if the service really sends pages this big"
        if redirect:
            advice = f" (a redirect's body, read at most {_format_size(limit)} of it: nobody needs more)"
        announced = resp.length_remaining
        if announced is not None and announced > limit:
            raise ResponseTooLarge(
                f"the body is larger than max_body_size={_format_size(limit)} (Content-Length: {announced}){advice}",
                request=req,
            )
        encoding = resp.headers.get("Content-Encoding", "").strip()
        if announced is not None and encoding.lower() in ("", "identity"):
            return resp.read(decode_content=True) or b""  # the fast path: one read of at most `limit` bytes
        body = io.BytesIO()
        while chunk := resp.read(min(_READ_SIZE, limit + 1 - body.tell()), decode_content=True):
            body.write(chunk)
            if body.tell() > limit:
                decompressed = f" once decompressed (Content-Encoding: {encoding})" if encoding else ""
                raise ResponseTooLarge(
                    f"the body is larger than max_body_size={_format_size(limit)}{decompressed}{advice}", request=req
                )
        return body.getvalue()
