"""Runs one contender (or a case's setup) in this fresh process and prints its measurement as one JSON line.

Usage: ``python -m benchmarks.worker module:prepare '{"kwargs": ...}'`` or
``python -m benchmarks.worker --setup module:function '{...}'``. Imports only the standard library itself.
"""

from __future__ import annotations

import gc
import importlib
import json
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

MARKER = "BENCHMARK-RESULT "


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _current_rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux 4.0+), so the peak read after the work is the work's own."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
        return True
    except OSError:
        return False


def _peak_rss() -> int:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    own = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return max(own, children)


def describe(result: Any) -> dict[str, int | None]:
    """Rows and deep memory of a DataFrame; for an Arrow table of pages, the records in its ``data`` lists."""
    if hasattr(result, "memory_usage") and hasattr(result, "columns"):
        return {"rows": len(result), "result_bytes": int(result.memory_usage(deep=True).sum())}
    if hasattr(result, "num_rows") and hasattr(result, "nbytes"):
        rows = result.num_rows
        if "data" in result.column_names:
            import pyarrow.compute as pc

            rows = int(pc.sum(pc.list_value_length(result.column("data"))).as_py() or 0)
        return {"rows": rows, "result_bytes": int(result.nbytes)}
    return {"rows": None, "result_bytes": None}


def measure(target: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """Prepare (untimed), then time the work alone and read the RSS figures."""
    work = _resolve(target)(**kwargs)
    gc.collect()
    baseline = _current_rss()
    # Without the reset, a setup that peaked higher than the work would hide the work's own peak.
    _reset_peak()
    started = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - started
    peak = _peak_rss()
    return {"seconds": seconds, "peak_rss": peak, "baseline_rss": baseline, **describe(result)}


def main(argv: list[str]) -> int:
    """Entry point; see the module docstring."""
    if argv and argv[0] == "--setup":
        _resolve(argv[1])(**json.loads(argv[2]))
        print(MARKER + json.dumps({"setup": argv[1]}))
        return 0
    report = measure(argv[0], json.loads(argv[1]))
    print(MARKER + json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
