"""The registry of benchmark cases: name -> ``build(records) -> Case``, in the order they run by default."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.cases import flatten, hitask, imports, itglue, reports, scaling, warm, widgets
from benchmarks.harness import Case

CASES: dict[str, Callable[[int], Case]] = {
    "flatten": flatten.build,
    "warm": warm.build,
    "import": imports.build,
    "itglue": itglue.build,
    "hitask": hitask.build,
    "reports": reports.build,
    "widgets": widgets.build,
    "scaling": scaling.build,
}
