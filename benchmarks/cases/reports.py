"""Case ``reports``: ``apitoolkit report`` rendering all five report notebooks, with a cold and a warm cache.

The emulator (small) runs in its own process. ``cold`` starts from an empty cache, so every load goes to the
emulator; ``warm`` renders once untimed into the same cache and then again: what a scheduled rerun costs.
Both run `run_reports` (papermill, one kernel per notebook, then nbconvert HTML), as ``apitoolkit report`` does.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Case, Contender

PARAMETERS = {"interactive": False}


def _render(cache: str) -> Any:
    from apitoolkit.reports import run_reports

    os.environ["APITOOLKIT_CACHE"] = cache
    out = tempfile.mkdtemp(prefix="bench-reports-")
    return run_reports(None, out, PARAMETERS, log=lambda line: None)


def cold() -> Callable[[], Any]:
    """Every report from an empty cache."""
    cache = tempfile.mkdtemp(prefix="bench-reports-cache-")
    return lambda: _render(cache)


def warm() -> Callable[[], Any]:
    """Every report again, after one untimed render filled the cache."""
    cache = tempfile.mkdtemp(prefix="bench-reports-cache-")
    _render(cache)
    return lambda: _render(cache)


def build(records: int) -> Case:
    """The case; ``records`` is not used (the emulator's small data set)."""
    module = "benchmarks.cases.reports"
    return Case(
        name="reports",
        contenders=[Contender("cold", f"{module}:cold"), Contender("warm", f"{module}:warm")],
        service=[sys.executable, "-m", "apitoolkit", "emulator", "--port", "0", "--size", "small"],
    )
