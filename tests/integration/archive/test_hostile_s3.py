"""An S3 endpoint that misbehaves in ways moto never does: 500 pages, 200s with garbage, redirects elsewhere.

Every archive call fails with an `ArchiveLocationError` naming the location, in bounded time, without the secret
key in its message; nothing is written.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pandas as pd
import pytest

from apitoolkit.archive import Archive
from apitoolkit.exceptions import ArchiveLocationError

SECRET = "hostile-s3-secret-5f1c9e"


class _Hostile(BaseHTTPRequestHandler):
    """Answers every request the same bad way (`mode`)."""

    mode: ClassVar[str] = "500"

    def handle(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up on a bad answer
            super().handle()

    def _answer(self) -> None:
        if self.mode == "500":
            body, status = b"<html><body><h1>Internal Server Error</h1></body></html>", 500
        elif self.mode == "garbage":
            body, status = b"\x00\xffthis is not XML <<<", 200
        else:
            body, status = b"", 307
        self.send_response(status)
        if self.mode == "redirect":
            self.send_header("Location", "http://127.0.0.1:9/stolen")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = _answer

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def hostile_s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_Hostile]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_port}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAHOSTILETEST")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    try:
        yield _Hostile
    finally:
        server.shutdown()
        server.server_close()


LOGS = pd.DataFrame({"id": pd.array([1], "Int64"), "created_at": pd.to_datetime(["2026-11-02 09:00"], utc=True)})
CALLS: dict[str, Callable[[Archive], Any]] = {
    "write": lambda a: a.write("itglue", "logs", LOGS),
    "scan": lambda a: a.scan("itglue", "logs"),
    "sql": lambda a: a.sql("SELECT count(*) FROM itglue_logs"),
    "info": lambda a: a.info(),
}


#: Every call against a 500 and a redirect; against garbage (30 s each: deltalake's bounded retries) a writer and a
#: reader (sql and info read as scan does).
CASES = [(mode, call) for mode in ("500", "redirect") for call in CALLS] + [("garbage", "write"), ("garbage", "scan")]


@pytest.mark.slow
@pytest.mark.parametrize(("mode", "call"), CASES)
def test_hostile_s3__each_call_fails_typed_bounded_and_without_the_secret(
    hostile_s3: type[_Hostile], mode: str, call: str
) -> None:
    hostile_s3.mode = mode
    archive = Archive("s3://history-bucket/archive")
    began = time.monotonic()
    with pytest.raises(ArchiveLocationError) as caught:
        CALLS[call](archive)
    assert time.monotonic() - began < 90  # deltalake's retries are bounded (S3_BOUNDS), not minutes
    message = str(caught.value)
    assert "s3://history-bucket/archive" in message and SECRET not in message and SECRET not in repr(archive)
