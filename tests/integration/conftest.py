"""Fixtures for the integration suites: a real loopback HTTP server that tests program per request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytest_httpserver import HTTPServer


@pytest.fixture
def server() -> Iterator[HTTPServer]:
    """A threaded HTTP server on 127.0.0.1 (a free port), stopped after the test."""
    srv = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    srv.start()
    yield srv
    srv.clear()
    if srv.is_running():
        srv.stop()


@pytest.fixture(scope="session")
def history_archive(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A history archive of 8 simulated weeks (the demo's own builder), once per session: for the trends report."""
    import io

    from apitoolkit.demo import build_demo_archive

    where = tmp_path_factory.mktemp("history") / "archive"
    return build_demo_archive(where, weeks=8, out=io.StringIO()).location
