"""Misbehaving HTTP servers on 127.0.0.1 for transport tests: raw sockets, a thread per connection, bounded in time.

A `HostileServer` reads each request's head and hands the connection to a handler ``(conn, request_bytes)``
that writes whatever it likes; the factories below build the usual handlers. Everything stops by itself: at
``stop()`` (the context manager calls it), when the client goes away, or after the server's ``lifetime``.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

__all__ = [
    "Handler",
    "HostileServer",
    "announce_length",
    "brotli_bomb",
    "brotli_bytes",
    "deflate_bomb",
    "encoded_body",
    "gzip_bomb",
    "respond",
    "route",
    "self_signed_tls",
    "trickle_body",
    "trickle_headers",
    "zlib_bomb",
]

#: Writes one response to ``conn`` for the request whose head (request line and headers) is ``request``.
Handler = Callable[[socket.socket, bytes], None]


class HostileServer:
    """A raw-socket HTTP/1.1 server on 127.0.0.1 that answers every request with ``handler(conn, request)``.

    Connections are kept alive (the next request is read once the handler returns) until the client or the
    handler closes them. ``connections`` and ``requests`` count what arrived.

    Args:
        handler: Writes each response.
        lifetime: Seconds after which the server refuses new connections and drops the open ones.
        tls: Serve HTTPS with this server-side context (`self_signed_tls` makes one).

    Example:
        >>> with HostileServer(trickle_body(byte_every=0.5)) as server:  # doctest: +SKIP
        ...     requests.get(server.url + "/users", timeout=2)
    """

    def __init__(self, handler: Handler, *, lifetime: float = 30.0, tls: ssl.SSLContext | None = None) -> None:
        self.handler = handler
        self.lifetime = lifetime
        self.tls = tls
        self.connections = 0
        self.requests = 0
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._ends_at = 0.0

    @property
    def port(self) -> int:
        assert self._listener is not None, "start the server first"
        return int(self._listener.getsockname()[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (``https`` with ``tls``), without a trailing slash."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        """Listen on a free port and accept connections in a daemon thread."""
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._ends_at = time.monotonic() + self.lifetime
        self._spawn(self._accept)
        return self

    def stop(self) -> None:
        """Stop accepting, cut every open connection, and wait (briefly) for the threads."""
        self._stopped.set()
        self._cut_open()
        for thread in self._threads:
            thread.join(timeout=2.0)
        if self._listener is not None:
            self._listener.close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name=f"hostile-{target.__name__}")
        self._threads.append(thread)
        thread.start()

    def _cut_open(self) -> None:
        with self._lock:
            open_now = list(self._open)
        for conn in open_now:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopped.is_set() and time.monotonic() < self._ends_at:
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self.connections += 1
                self._open.add(conn)
            self._spawn(self._serve, conn)
        self._cut_open()  # the lifetime is over (or the server stopped)

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(max(self._ends_at - time.monotonic(), 0.01))
        pending = b""
        try:
            if self.tls is not None:
                plain, conn = conn, self.tls.wrap_socket(conn, server_side=True)
                with self._lock:
                    self._open.discard(plain)
                    self._open.add(conn)
            while not self._stopped.is_set():
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                head, pending = pending.split(b"\r\n\r\n", 1)
                with self._lock:
                    self.requests += 1
                self.handler(conn, head + b"\r\n\r\n")
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(conn)
            conn.close()


def self_signed_tls(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a fresh self-signed certificate for 127.0.0.1, and the certificate's path.

    Pass the path as ``verify=`` to the client. Needs the ``openssl`` command.
    """
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context, cert


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{name}: {value}" for name, value in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _path(request: bytes) -> str:
    return request.split(b" ", 2)[1].decode("latin-1")


def _framed(body: bytes, framing: str, headers: dict[str, str]) -> tuple[dict[str, str], list[bytes]]:
    """Headers and the pieces to send for ``body`` framed by ``length``, ``chunked`` (one chunk) or ``close``."""
    if framing == "length":
        return {**headers, "Content-Length": str(len(body))}, [body]
    if framing == "chunked":
        return {**headers, "Transfer-Encoding": "chunked"}, [b"%x\r\n" % len(body), body, b"\r\n0\r\n\r\n"]
    if framing == "close":
        return {**headers, "Connection": "close"}, [body]
    raise ValueError(f"unknown framing {framing!r}: use length, chunked or close")


def _end(conn: socket.socket, framing: str) -> None:
    if framing == "close":
        conn.shutdown(socket.SHUT_WR)


def respond(
    body: bytes = b'{"data": []}',
    *,
    status: str = "200 OK",
    headers: dict[str, str] | None = None,
    framing: str = "length",
) -> Handler:
    """A well-behaved answer: ``body`` framed by ``length`` (kept alive), ``chunked`` or ``close``."""

    def handler(conn: socket.socket, request: bytes) -> None:
        head, pieces = _framed(body, framing, {"Content-Type": "application/json", **(headers or {})})
        conn.sendall(_head(status, head) + b"".join(pieces))
        _end(conn, framing)

    return handler


def route(routes: dict[str, Handler], default: Handler | None = None) -> Handler:
    """Dispatch on the request path (query string included); unknown paths get a 404 (or ``default``)."""
    fallback = default or respond(b'{"errors": []}', status="404 Not Found")

    def handler(conn: socket.socket, request: bytes) -> None:
        routes.get(_path(request), fallback)(conn, request)

    return handler


def trickle_body(
    byte_every: float = 0.5, *, body: bytes = b'{"data": [{"id": "1"}, {"id": "2"}]}', framing: str = "length"
) -> Handler:
    """Send the headers at once, then the body one byte every ``byte_every`` seconds.

    ``framing`` is ``length`` (``Content-Length``), ``chunked`` (one chunk per byte) or ``close`` (no length:
    the body ends when the server closes).
    """

    def handler(conn: socket.socket, request: bytes) -> None:
        headers, _ = _framed(body, framing, {"Content-Type": "application/json"})
        conn.sendall(_head("200 OK", headers))
        for i in range(len(body)):
            time.sleep(byte_every)
            byte = body[i : i + 1]
            conn.sendall(b"1\r\n" + byte + b"\r\n" if framing == "chunked" else byte)
        if framing == "chunked":
            conn.sendall(b"0\r\n\r\n")
        _end(conn, framing)

    return handler


def trickle_headers(byte_every: float = 0.5, *, body: bytes = b'{"data": []}') -> Handler:
    """Send the status line and headers one byte every ``byte_every`` seconds, then the body at once."""

    def handler(conn: socket.socket, request: bytes) -> None:
        headers, pieces = _framed(body, "length", {"Content-Type": "application/json", "X-Padding": "." * 40})
        for byte in _head("200 OK", headers):
            conn.sendall(bytes([byte]))
            time.sleep(byte_every)
        conn.sendall(b"".join(pieces))

    return handler


def announce_length(length: int) -> Handler:
    """Announce ``Content-Length: length`` and send nothing more (the connection stays open until the client leaves)."""

    def handler(conn: socket.socket, request: bytes) -> None:
        conn.sendall(_head("200 OK", {"Content-Type": "application/json", "Content-Length": str(length)}))

    return handler


def encoded_body(encoded: bytes, encoding: str, *, framing: str = "length") -> Handler:
    """Send ``encoded`` (already compressed) with ``Content-Encoding: encoding``."""

    def handler(conn: socket.socket, request: bytes) -> None:
        headers, pieces = _framed(encoded, framing, {"Content-Type": "application/json", "Content-Encoding": encoding})
        conn.sendall(_head("200 OK", headers))
        for piece in pieces:
            conn.sendall(piece)
        _end(conn, framing)

    return handler


def _zeros(size: int) -> Iterator[bytes]:
    block = bytes(1 << 20)
    for start in range(0, size, len(block)):
        yield block[: min(len(block), size - start)]


@functools.lru_cache(maxsize=8)
def zlib_bomb(decoded_size: int, wbits: int) -> bytes:
    """``decoded_size`` zero bytes compressed by zlib (``wbits`` 31: gzip, 15: zlib/deflate), built in 1 MiB steps."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return b"".join(compressor.compress(block) for block in _zeros(decoded_size)) + compressor.flush()


@functools.lru_cache(maxsize=4)
def brotli_bytes(decoded_size: int) -> bytes:
    """``decoded_size`` zero bytes compressed by brotli (needs the ``brotli`` package)."""
    import brotli

    compressor = brotli.Compressor(quality=5)
    return b"".join(compressor.process(block) for block in _zeros(decoded_size)) + compressor.finish()


def gzip_bomb(decoded_size: int, *, framing: str = "length") -> Handler:
    """A small gzip body (``Content-Encoding: gzip``) that expands to ``decoded_size`` bytes."""
    return encoded_body(zlib_bomb(decoded_size, 31), "gzip", framing=framing)


def deflate_bomb(decoded_size: int, *, framing: str = "length") -> Handler:
    """A small zlib-wrapped deflate body (``Content-Encoding: deflate``) that expands to ``decoded_size`` bytes."""
    return encoded_body(zlib_bomb(decoded_size, 15), "deflate", framing=framing)


def brotli_bomb(decoded_size: int, *, framing: str = "length") -> Handler:
    """A small brotli body (``Content-Encoding: br``) that expands to ``decoded_size`` bytes."""
    return encoded_body(brotli_bytes(decoded_size), "br", framing=framing)
