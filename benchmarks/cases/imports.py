"""Case ``import``: wall time of ``python -c "import apitoolkit"``; apitoolkit.frames for information."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from benchmarks.harness import Case, Contender, Target, median_seconds


def python_c(code: str) -> Callable[[], subprocess.CompletedProcess[bytes]]:
    """Run ``python -c code`` in a fresh interpreter; the worker's peak RSS then is the child's."""
    return lambda: subprocess.run([sys.executable, "-c", code], check=True)


def build(records: int) -> Case:
    """The case (``records`` is not used)."""
    target = f"{__name__}:python_c"
    return Case(
        name="import",
        contenders=[
            Contender("import apitoolkit", target, {"code": "import apitoolkit"}),
            Contender("import apitoolkit.frames", target, {"code": "import apitoolkit.frames"}),
        ],
        targets=[Target("import apitoolkit: wall time", median_seconds("import apitoolkit"), "<", 0.5, unit=" s")],
    )
