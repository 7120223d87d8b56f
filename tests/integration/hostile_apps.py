"""Hostile servers in front of the emulator: WSGI wrappers that lie, redirect or break what the emulator says.

The emulator answers as the documents say; these wrappers change its answers the way a misbehaving server,
proxy or attacker could, while every record still comes from the emulator's data. Serve one with
``EmulatorServer(app=Hostile(EmulatorApp(...)))``: it is a real HTTP server on loopback, like the emulator.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.wrappers import Request, Response

#: ``(request, status, body) -> body`` for every answer of the emulator.
Rewrite = Callable[[Request, int, Any], Any]


@dataclass
class Hostile:
    """Wraps an `EmulatorApp`: optionally redirects requests first, then rewrites the JSON bodies it answers.

    Attributes:
        inner: The emulator app.
        redirect: ``request -> Location or None``; a Location is answered with ``redirect_status`` first.
        moved: A path prefix: every request outside it is redirected into it (same origin, query kept whole),
            and requests inside it reach the emulator without it.
        rewrite: Changes the parsed JSON body of each answer (None leaves it).
        fail: ``request -> status or None``: answer that status (a JSON error) instead of the emulator.
        seen: Every request's path, query string and headers, in arrival order.
    """

    inner: Any
    redirect: Callable[[Request], str | None] | None = None
    redirect_status: int = 302
    moved: str | None = None
    rewrite: Rewrite | None = None
    fail: Callable[[Request], int | None] | None = None
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def services(self) -> Any:
        return self.inner.services

    def environ(self, url: str) -> dict[str, str]:
        return self.inner.environ(url)

    def requests_to(self, fragment: str) -> int:
        """How many requests had ``fragment`` in their path."""
        return sum(fragment in path for path, _, _ in self.seen)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        with self._lock:
            self.seen.append((request.path, request.query_string.decode(), dict(request.headers)))
        location = self.redirect(request) if self.redirect is not None else None
        if self.moved is not None:
            if request.path.startswith(self.moved):
                environ["PATH_INFO"] = environ["PATH_INFO"].removeprefix(self.moved)
                request = Request(environ)
            else:
                location = f"{self.moved}{request.full_path}"
        if location is not None:
            response = Response(b"", status=self.redirect_status, headers={"Location": location})
            return response(environ, start_response)
        status = self.fail(request) if self.fail is not None else None
        if status is not None:
            error = json.dumps({"errors": [{"status": str(status), "title": "Hostile", "detail": "failed"}]})
            return Response(error, status=status, content_type="application/json")(environ, start_response)
        if self.rewrite is None:
            return self.inner(environ, start_response)
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.inner(environ, keep))
        code = int(captured["status"].split()[0])
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in {"content-length", "content-encoding"}]
        try:
            payload = json.loads(body)
        except ValueError:
            payload = None
        if payload is not None:
            # Compact, as the emulator writes it: the client's fast paths see what they would see.
            body = json.dumps(self.rewrite(request, code, payload), separators=(",", ":")).encode()
        response = Response(body, status=captured["status"], headers=headers)
        return response(environ, start_response)


def on_meta(change: Callable[[Request, dict[str, Any]], None]) -> Rewrite:
    """A rewrite that hands ``change`` each JSON:API page (a body with a ``meta`` object) to alter in place."""

    def rewrite(request: Request, status: int, body: Any) -> Any:
        if isinstance(body, dict) and isinstance(body.get("meta"), dict):
            change(request, body)
        return body

    return rewrite


class Recorder:
    """A server that answers 200 ``{"data": []}`` to anything and keeps every request's URL and headers."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, dict[str, str]]] = []
        self.services: dict[str, Any] = {}

    def environ(self, url: str) -> dict[str, str]:
        return {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        self.seen.append((request.url, dict(request.headers)))
        return Response(b'{"data": []}', content_type="application/json")(environ, start_response)
