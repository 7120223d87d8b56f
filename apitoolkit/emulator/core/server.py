"""EmulatorServer: the emulator served over HTTP on loopback by a threaded werkzeug server in the background."""

from __future__ import annotations

import logging
import socket
import threading
from types import TracebackType
from typing import Any, Unpack

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from apitoolkit.emulator.core.app import AppOptions, EmulatorApp

_log = logging.getLogger("apitoolkit.emulator")


class _QuietHandler(WSGIRequestHandler):
    """Logs to ``apitoolkit.emulator`` at DEBUG, paths without their query (it may hold credentials)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        _log.debug("%s %s %s", self.command, self.path.split("?", 1)[0], code)

    def log(self, type: str, message: str, *args: Any) -> None:
        _log.debug("%s: %s", type, message % args)


class EmulatorServer:
    """The emulator on ``http://127.0.0.1:PORT``, served from a background thread.

    Args:
        port: The port; 0 picks a free one.
        app: The app to serve; by default a new ``EmulatorApp(**options)``.
        host: The interface to bind; loopback unless you mean otherwise.
        **options: ``EmulatorApp`` arguments (``seed``, ``size``, ``now``, per-service counts) when ``app`` is None.

    Example:
        >>> with EmulatorServer(port=0, seed=1, size="small") as emu:  # doctest: +SKIP
        ...     requests.get(f"{emu.base_url('itglue')}/users", headers={"x-api-key": emu.app.itglue.api_key})
    """

    def __init__(
        self,
        port: int = 0,
        app: EmulatorApp | None = None,
        *,
        host: str = "127.0.0.1",
        **options: Unpack[AppOptions],
    ) -> None:
        if app is not None and options:
            raise TypeError("pass either app= or EmulatorApp options, not both")
        self.app = app if app is not None else EmulatorApp(**options)
        self.host = host
        self.port = port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        where = self.url if self._server is not None else "stopped"
        return f"<EmulatorServer {where}>"

    @property
    def url(self) -> str:
        """The root URL, e.g. ``http://127.0.0.1:8765``."""
        if self._server is None:
            raise RuntimeError("the emulator server is not running: call start() or use it as a context manager")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.port}"

    def base_url(self, service: str) -> str:
        """The base URL of one service, e.g. ``http://127.0.0.1:8765/itglue``."""
        return f"{self.url}{self.app.services[service].prefix}"

    def environ(self) -> dict[str, str]:
        """Environment variables pointing clients of every service at this server (``ITGLUE_BASE_URL``, ...)."""
        return self.app.environ(self.url)

    def start(self) -> EmulatorServer:
        """Bind and serve in a daemon thread; returns self (a no-op when already running).

        Raises:
            OSError: The port is taken or the host cannot be bound.
        """
        if self._server is None:
            family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
            with socket.create_server((self.host, self.port), family=family, backlog=128) as listener:
                server = make_server(
                    self.host, self.port, self.app, threaded=True, request_handler=_QuietHandler, fd=listener.fileno()
                )
            thread = threading.Thread(
                target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="apitoolkit-emulator", daemon=True
            )
            thread.start()
            self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving, join the thread and free the port (a no-op when stopped)."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.shutdown()
        thread.join()
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
