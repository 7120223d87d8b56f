"""EmulatorServer: the emulator served over HTTP on loopback by a threaded werkzeug server in the background; and
`shared_emulator`, one on a stable port that a rerun (of the demo, of a report) finds and reuses."""

from __future__ import annotations

import logging
import math
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Unpack

import orjson
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from apitoolkit.emulator.core.app import AppOptions, EmulatorApp

_log = logging.getLogger("apitoolkit.emulator")

#: A shared emulator is served on a fixed port when it can: the base URL is part of the cache namespace, so a
#: fixed URL lets a rerun come from the cache.
DEFAULT_PORT = 8765
#: The ports `shared_emulator` tries, in order: the first that already serves the same emulator (same seed and
#: size) is reused, else the first free one is served on. A rerun picks the same port again, and so the same cache.
PORTS = tuple(range(DEFAULT_PORT, DEFAULT_PORT + 10))
_PROBE_TIMEOUT = 2.0


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
        >>> import requests
        >>> with EmulatorServer(port=0, seed=1, size="small") as emu:  # on loopback
        ...     key = emu.app.itglue.api_key
        ...     response = requests.get(f"{emu.base_url('itglue')}/users", headers={"x-api-key": key})
        >>> response.status_code
        200
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

    @property
    def now(self) -> datetime:
        """The emulator's clock (`EmulatorApp.now`)."""
        return self.app.now

    def advance(self, by: timedelta | float) -> datetime:
        """Move the emulator's clock forward by a ``timedelta`` or a number of days; returns the new now.

        See `EmulatorApp.advance` (ValueError for a span that is not positive or not finite). A separate
        emulator process is advanced over HTTP instead: ``POST /_emulator/clock`` (`SharedEmulator.advance`).
        """
        return self.app.advance(by)

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


@dataclass(frozen=True)
class SharedEmulator:
    """The emulator a run uses: its root URL, the settings that point clients at it, and whether it was running
    already (started by someone else, e.g. ``apitoolkit emulator``)."""

    url: str
    variables: dict[str, str]
    reused: bool

    def environ(self) -> dict[str, str]:
        """Environment variables pointing clients of every service at this emulator (as `EmulatorServer.environ`)."""
        return dict(self.variables)

    def now(self) -> datetime:
        """The emulator's clock, asked over HTTP (``GET /_emulator/clock``).

        Raises:
            RuntimeError: The emulator did not answer with its clock.
        """
        return _clock_time(_get_json(f"{self.url}/_emulator/clock", {}))

    def advance(self, by: timedelta | float) -> datetime:
        """Move the emulator's clock forward over HTTP (``POST /_emulator/clock``); returns the new now.

        Args:
            by: A ``timedelta`` or a number of days.

        Raises:
            ValueError: ``by`` is not positive or not finite.
            RuntimeError: The emulator refused or did not answer.
        """
        days = by.total_seconds() / 86_400 if isinstance(by, timedelta) else by
        if isinstance(days, bool) or not isinstance(days, (int, float)) or not math.isfinite(days) or days <= 0:
            raise ValueError(f"the emulator clock only moves forward: got {by!r}")
        return _clock_time(_post_json(f"{self.url}/_emulator/clock", {"advance_days": days}))


@contextmanager
def shared_emulator(*, seed: int = 1, size: str = "small", port: int | None = None) -> Iterator[SharedEmulator]:
    """The emulator with ``seed`` and ``size`` on a stable port for the block: one already serving, else a new one.

    Without ``port``, `PORTS` are tried in order: a port where an apitoolkit emulator with the same seed and size
    answers is reused (it keeps running afterwards); else the first free port gets a new emulator, stopped after
    the block. Only when all of them are taken by something else does it serve on any free port (and a rerun
    then loads again). A given ``port`` is reused when it serves the same emulator, else served on (0: any port).

    Raises:
        OSError: The given ``port`` is taken by something else.

    Example:
        >>> with shared_emulator(seed=1, size="small", port=0) as emulator:  # port 0: any free port
        ...     emulator.url  # doctest: +ELLIPSIS
        'http://127.0.0.1:...'
    """
    app = EmulatorApp(seed=seed, size=size)
    candidates = PORTS if port is None else (port,) if port else ()
    chosen = 0 if port is None else port
    for candidate in candidates:
        if _same_emulator(candidate, app):
            url = _url(candidate)
            yield SharedEmulator(url, app.environ(url), reused=True)
            return
        if port is None and _listening(candidate) is False:
            chosen = candidate
            break
    with EmulatorServer(port=chosen, app=app) as server:
        yield SharedEmulator(server.url, server.environ(), reused=False)


def _url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(_PROBE_TIMEOUT)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _same_emulator(port: int, app: EmulatorApp) -> bool:
    """Whether an apitoolkit emulator with ``app``'s seed and size answers on ``port``.

    Its health endpoint must name the same services; the IT Glue key of ``app``'s seed must be accepted, and the
    organizations, users and expirations it lists must number as many as ``app`` holds.
    """
    if not _listening(port):
        return False
    health = _get_json(f"{_url(port)}/_emulator/health", {})
    if not isinstance(health, dict) or health.get("status") != "ok" or health.get("services") != sorted(app.services):
        return False
    headers = {"x-api-key": app.environ(_url(port))["ITGLUE_API_KEY"], "accept": "application/vnd.api+json"}
    for resource in ("organizations", "users", "expirations"):
        page = _get_json(f"{_url(port)}/itglue/{resource}?page[size]=1", headers)
        meta = page.get("meta") if isinstance(page, dict) else None
        if not isinstance(meta, dict) or meta.get("total-count") != getattr(app.itglue.default_counts, resource):
            return False
    return True


def _clock_time(answer: object) -> datetime:
    if isinstance(answer, dict) and isinstance(answer.get("error"), str):
        raise RuntimeError(f"the emulator refused: {answer['error']}")
    if not isinstance(answer, dict) or not isinstance(answer.get("now"), str):
        raise RuntimeError(f"the emulator did not answer with its clock ({answer!r}): is it an apitoolkit emulator?")
    return datetime.fromisoformat(answer["now"])


def _post_json(url: str, body: Mapping[str, Any]) -> object:
    """POST JSON to a loopback URL; the JSON answer (an error's too), or None when nothing answers."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(
        url, data=orjson.dumps(body), headers={"content-type": "application/json"}, method="POST"
    )
    try:
        with opener.open(request, timeout=60) as response:
            return orjson.loads(response.read())
    except urllib.error.HTTPError as error:
        try:
            return orjson.loads(error.read())
        except ValueError:
            return None
    except (OSError, ValueError):
        return None


def _get_json(url: str, headers: Mapping[str, str]) -> object:
    """The JSON a loopback URL answers with, or None (no proxy: the emulator is on this machine)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(urllib.request.Request(url, headers=dict(headers)), timeout=_PROBE_TIMEOUT) as response:
            return orjson.loads(response.read())
    except (OSError, ValueError):
        return None
