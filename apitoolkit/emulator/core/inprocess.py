"""In-process mode: requests to the emulator's URL are answered by the WSGI app directly, without a socket.

While a ``mock_emulator`` is active, ``requests.adapters.HTTPAdapter.send`` is patched: a request to
``http://emulator.invalid`` (any ``requests.Session``, subclasses such as requests-cache's
``CachedSession`` included) is run through the app and answered with a real ``requests.Response``
whose ``raw`` is a urllib3 ``HTTPResponse``; every other URL goes to the network as usual. Faults behave
as on the real server: ``truncated`` "short" raises ``ChunkedEncodingError`` when the body is read, and a
delay longer than the request's read timeout raises ``ReadTimeout`` after that timeout.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from io import BytesIO
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, Unpack
from unittest import mock
from urllib.parse import urlsplit

from requests import PreparedRequest, Response, exceptions
from requests.adapters import HTTPAdapter
from urllib3 import HTTPHeaderDict, HTTPResponse
from urllib3.util import Timeout
from werkzeug.test import EnvironBuilder, run_wsgi_app

from apitoolkit.emulator.core.app import READ_TIMEOUT_KEY, AppOptions, ClientTimeout, EmulatorApp

P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_routes: dict[str, EmulatorApp] = {}
_original_send: Callable[..., Response] | None = None


class mock_emulator:
    """The emulator without a socket, as a context manager or a decorator.

    Args:
        app: The app to serve; by default a new ``EmulatorApp(**options)``.
        **options: ``EmulatorApp`` arguments (``seed``, ``size``, ``now``, per-service counts) when ``app`` is None.

    As a decorator, each call starts from the seed state (``app.reset()``) and runs with ``environ()`` set
    in ``os.environ``.

    Example:
        >>> import requests
        >>> with mock_emulator(seed=1, size="small") as emu:
        ...     response = requests.get(f"{emu.base_url('itglue')}/users",
        ...                             headers={"x-api-key": emu.app.itglue.api_key})
        >>> response.status_code
        200
    """

    def __init__(self, app: EmulatorApp | None = None, **options: Unpack[AppOptions]) -> None:
        if app is not None and options:
            raise TypeError("pass either app= or EmulatorApp options, not both")
        self.app = app if app is not None else EmulatorApp(**options)
        self._url: str | None = None

    @property
    def url(self) -> str:
        """The root URL requests are intercepted for, e.g. ``http://emulator.invalid``."""
        if self._url is None:
            raise RuntimeError("the in-process emulator is not active: use it as a context manager or decorator")
        return self._url

    def base_url(self, service: str) -> str:
        """The base URL of one service, e.g. ``http://emulator.invalid/itglue``."""
        return f"{self.url}{self.app.services[service].prefix}"

    def environ(self) -> dict[str, str]:
        """Environment variables pointing clients at the in-process emulator."""
        return self.app.environ(self.url)

    @property
    def now(self) -> datetime:
        """The emulator's clock (`EmulatorApp.now`)."""
        return self.app.now

    def advance(self, by: timedelta | float) -> datetime:
        """Move the emulator's clock forward by a ``timedelta`` or a number of days; returns the new now.

        See `EmulatorApp.advance` (ValueError for a span that is not positive or not finite).

        Example:
            >>> from datetime import UTC, datetime
            >>> emu = mock_emulator(seed=1, now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> emu.advance(2).date().isoformat()
            '2025-01-03'
        """
        return self.app.advance(by)

    def start(self) -> mock_emulator:
        """Start intercepting requests to ``url``; returns self."""
        global _original_send
        with _lock:
            if self._url is None:
                number = 1
                while _root(self._host(number)) in _routes:
                    number += 1
                self._url = self._host(number)
                if not _routes:
                    _original_send = HTTPAdapter.send
                    HTTPAdapter.send = _send  # type: ignore[method-assign, assignment]
                _routes[_root(self._url)] = self.app
        return self

    def stop(self) -> None:
        """Stop intercepting; the last active emulator restores ``HTTPAdapter.send``."""
        global _original_send
        with _lock:
            if self._url is None:
                return
            del _routes[_root(self._url)]
            self._url = None
            if not _routes and _original_send is not None:
                HTTPAdapter.send = _original_send  # type: ignore[method-assign]
                _original_send = None

    def __enter__(self) -> mock_emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __call__(self, func: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            self.app.reset()
            with self, mock.patch.dict(os.environ, self.environ()):
                return func(*args, **kwargs)

        return wrapper

    @staticmethod
    def _host(number: int) -> str:
        return "http://emulator.invalid" if number == 1 else f"http://emulator-{number}.invalid"


def _root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _send(
    adapter: HTTPAdapter,
    request: PreparedRequest,
    stream: bool = False,
    timeout: Any = None,
    verify: bool | str = True,
    cert: Any = None,
    proxies: Any = None,
) -> Response:
    app = _routes.get(_root(request.url or ""))
    if app is None:
        assert _original_send is not None
        return _original_send(
            adapter, request, stream=stream, timeout=timeout, verify=verify, cert=cert, proxies=proxies
        )
    return _serve(app, adapter, request, _read_timeout(timeout))


def _serve(app: EmulatorApp, adapter: HTTPAdapter, request: PreparedRequest, timeout: float | None) -> Response:
    parts = urlsplit(request.url or "")
    body = request.body
    data = (
        body.encode() if isinstance(body, str) else body if isinstance(body, bytes) or body is None else b"".join(body)
    )
    builder = EnvironBuilder(
        method=request.method or "GET",
        base_url=f"{parts.scheme}://{parts.netloc}",
        path=parts.path,
        query_string=parts.query,
        headers=list(request.headers.items()),
        data=data,
    )
    environ = builder.get_environ()
    builder.close()
    read_timeout = environ[READ_TIMEOUT_KEY] = None if timeout is None else ClientTimeout(timeout)
    app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    try:
        content = b"".join(app_iter)
    finally:
        getattr(app_iter, "close", lambda: None)()
    if read_timeout is not None and read_timeout.expired:
        raise exceptions.ReadTimeout(f"Read timed out (in-process emulator, read timeout={timeout})", request=request)
    code, _, reason = status.partition(" ")
    raw = HTTPResponse(
        body=BytesIO(content),
        headers=HTTPHeaderDict(headers.to_wsgi_list()),
        status=int(code),
        reason=reason,
        preload_content=False,
        request_method=request.method,
        request_url=request.url,
        enforce_content_length=True,
    )
    return adapter.build_response(request, raw)


def _read_timeout(timeout: Any) -> float | None:
    if isinstance(timeout, tuple):
        timeout = timeout[1]
    elif isinstance(timeout, Timeout):
        timeout = timeout.read_timeout
    return float(timeout) if isinstance(timeout, int | float) else None
