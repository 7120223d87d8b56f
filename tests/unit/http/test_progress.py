"""Progress bars: on when asked, off in papermill and CI, automatic in Jupyter and terminals."""

from __future__ import annotations

import sys

import pytest

from apitoolkit.http import progress


def test_wants_progress__explicit_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    assert progress.wants_progress(True, 1) is True
    monkeypatch.setenv("APITOOLKIT_PROGRESS", "1")
    assert progress.wants_progress(False, 100) is False


def test_wants_progress__short_loads_never(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APITOOLKIT_PROGRESS", "1")
    assert progress.wants_progress(None, progress.MIN_PAGES - 1) is False
    assert progress.wants_progress(None, progress.MIN_PAGES) is True


def test_wants_progress__kernel_without_jupyter_server_is_papermill(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APITOOLKIT_PROGRESS")
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    assert progress.wants_progress(None, 50) is False
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/u/report.ipynb")
    assert progress.wants_progress(None, 50) is True


def test_wants_progress__not_a_tty_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("APITOOLKIT_PROGRESS")
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    monkeypatch.setattr(sys, "stderr", open("/dev/null", "w"))  # noqa: SIM115
    assert progress.wants_progress(None, 50) is False
