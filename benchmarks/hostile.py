"""Hostile-server figures for benchmarks/RELIABILITY.md: time and peak memory of one load per fault.

Each case starts a misbehaving server on 127.0.0.1 in this process (`tests.integration.hostile`) and runs one
IT Glue load against it in a fresh child process, which reports what it raised, how long it took and its peak
resident memory (``ru_maxrss``) beside its resident memory just before the load. A child still running after
``--limit`` seconds is killed, and that is what the row says. ``--tree DIR`` runs the children on another
checkout (an older commit, to measure "before"); the servers always come from this one.

Usage::

    .venv/bin/python -m benchmarks.hostile --rounds 3
    git worktree add /tmp/before 88708c4 && .venv/bin/python -m benchmarks.hostile --tree /tmp/before --rounds 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tests.integration.hostile import (
    Handler,
    HostileServer,
    brotli_bomb,
    deflate_bomb,
    gzip_bomb,
    respond,
    trickle_body,
)

ROOT = Path(__file__).resolve().parent.parent
GiB = 1 << 30

#: The child: one load, then a JSON line with the outcome, seconds and memory.
CHILD = r"""
import json, os, resource, sys, time
from apitoolkit.http.retry import RetryPolicy
from apitoolkit.itglue import ITGlueClient, load_users
options = json.loads(sys.argv[2])
retry = RetryPolicy(max_attempts=options.pop("attempts"), backoff=0.2, max_backoff=0.5, jitter=0.0)
client = ITGlueClient(api_key="k" * 32, base_url=sys.argv[1], retry=retry, **options)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
try:
    load_users(client=client)
    outcome = "a frame"
except BaseException as error:
    outcome = f"{type(error).__name__}: {str(error)[:160]}"
print(json.dumps({"outcome": outcome, "seconds": time.monotonic() - started, "before_kib": before,
                  "peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def lying_meta() -> Handler:
    """Three records, and ``meta`` claiming 999,999 pages."""
    records = ",".join(f'{{"id":"{i}","type":"users","attributes":{{}}}}' for i in (1, 2, 3))
    body = (
        f'{{"data":[{records}],"meta":{{"current-page":1,"next-page":2,"total-pages":999999,"total-count":3}}}}'
    ).encode()
    return respond(body)


def always_503() -> Handler:
    return respond(b'{"errors":[{"status":"503","title":"Unavailable"}]}', status="503 Service Unavailable")


#: name -> (server, client options, what the row is about)
CASES: dict[str, tuple[Callable[[], Handler], dict[str, object], str]] = {
    "lying meta": (lying_meta, {"attempts": 6}, "total-pages 999,999, total-count 3"),
    "trickle": (
        lambda: trickle_body(0.5, body=b'{"data":[' + b" " * 80 + b"]}"),
        {"attempts": 1, "timeout": 5},
        "1 byte every 0.5 s, timeout=5, one attempt",
    ),
    "gzip bomb": (lambda: gzip_bomb(GiB), {"attempts": 6}, "1 MB gzip expanding to 1 GiB"),
    "deflate bomb": (lambda: deflate_bomb(GiB), {"attempts": 6}, "1 MB deflate expanding to 1 GiB"),
    "brotli bomb": (lambda: brotli_bomb(GiB), {"attempts": 6}, "1.6 KB brotli expanding to 1 GiB"),
    "503 forever": (always_503, {"attempts": 10_000, "deadline": 5}, "503 on every attempt, deadline=5"),
}


def run(case: str, tree: Path, limit: float) -> dict[str, object]:
    make, options, _ = CASES[case]
    with HostileServer(make(), lifetime=limit + 30) as server, tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPATH": str(tree), "APITOOLKIT_CACHE": cache, "APITOOLKIT_PROGRESS": "0"}
        if str(tree) != str(ROOT) and "deadline" in options:
            return {"outcome": "(no deadline option)", "seconds": float("nan"), "peak_mib": float("nan")}
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, server.url, json.dumps(options)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tree,
        )
        try:
            stdout, stderr = child.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            peak = _peak_mib(child.pid)  # read before the kill: the process's high-water mark so far
            child.kill()
            child.communicate()
            return {
                "outcome": f"still running at {limit:g} s: killed",
                "seconds": limit,
                "peak_mib": peak,
                "requests": server.requests,
            }
        done = subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if not lines:
            return {
                "outcome": f"child failed: {done.stderr.strip()[-200:]}",
                "seconds": time.monotonic() - started,
                "peak_mib": float("nan"),
                "requests": server.requests,
            }
        figures = json.loads(lines[-1])
        return {
            "outcome": figures["outcome"],
            "seconds": figures["seconds"],
            "peak_mib": (figures["peak_kib"] - figures["before_kib"]) / 1024,
            "requests": server.requests,
        }


def _peak_mib(pid: int) -> float:
    """A running process's peak resident memory (``VmHWM``), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout the loads run on")
    parser.add_argument("--limit", type=float, default=90.0, help="seconds a load may run before it is killed")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="only these cases")
    args = parser.parse_args(argv)
    cases = args.case or list(CASES)
    print(f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, tree {args.tree}")
    print(f"# command: python -m benchmarks.hostile {' '.join(argv if argv is not None else sys.argv[1:])}")
    print("| case | what | outcome | time, median (range) | peak memory added, median (range) | requests |")
    print("|---|---|---|---|---|---|")
    for case in cases:
        rows = [run(case, args.tree.resolve(), args.limit) for _ in range(args.rounds)]
        seconds = [float(r["seconds"]) for r in rows]  # type: ignore[arg-type]
        peaks = [float(r["peak_mib"]) for r in rows]  # type: ignore[arg-type]
        outcome = str(rows[-1]["outcome"]).replace("|", "/")
        print(
            f"| {case} | {CASES[case][2]} | {outcome} | {statistics.median(seconds):.2f} s "
            f"({min(seconds):.2f}–{max(seconds):.2f}) | {statistics.median(peaks):.0f} MiB "
            f"({min(peaks):.0f}–{max(peaks):.0f}) | {rows[-1].get('requests', '?')} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
