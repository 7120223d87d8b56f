"""Benchmark results as Markdown: the run's context (date, command, commit, machine) and the result tables."""

from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from benchmarks.harness import ROOT, CaseResult

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
_MB = 2**20


def _git(*args: str) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def commit() -> str:
    """Short HEAD commit, or ``uncommitted``; `` (dirty)`` when the tree differs (RESULTS.md aside)."""
    head = _git("rev-parse", "--short", "HEAD") or "uncommitted"
    changes = _git("status", "--porcelain", "--", ".", f":!{RESULTS.relative_to(ROOT)}")
    return f"{head} (dirty)" if changes else head


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return 0.0


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "absent"


def machine() -> str:
    """CPU model, cores, RAM, Python, pandas and pyarrow versions, on one line."""
    return (
        f"{_cpu_model()}, {os.cpu_count()} cores, {_ram_gib():.1f} GiB RAM; "
        f"Python {platform.python_version()}; pandas {_version('pandas')}, pyarrow {_version('pyarrow')}"
    )


def _mb(value: float | None) -> str:
    return "–" if value is None else f"{value / _MB:,.1f}"


def results_table(results: list[CaseResult]) -> str:
    """One row per contender: median and range of the work's time, RSS figures, rows, result memory."""
    lines = [
        "| case | contender | median s | min–max s | peak RSS MB | work +RSS MB | result MB | rows |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        for s in result.stats.values():
            rows = "–" if s.rows is None else f"{s.rows:,}"
            spread = f"{min(s.seconds):.3f}–{max(s.seconds):.3f}"
            memory = f"{_mb(s.peak_rss_median)} | {_mb(s.increase_median)} | {_mb(s.result_bytes)}"
            lines.append(f"| {result.case.name} | {s.contender} | {s.median:.3f} | {spread} | {memory} | {rows} |")
    return "\n".join(lines)


def targets_table(results: list[CaseResult]) -> str:
    """One row per target: the measured value, the goal and PASS or FAIL."""
    lines = ["| case | target | measured | goal | result |", "|---|---|---:|---:|---|"]
    for result in results:
        for target, value, passed in result.outcomes:
            goal = f"{target.op} {target.threshold:g}{target.unit}"
            verdict = "PASS" if passed else "FAIL"
            lines.append(f"| {result.case.name} | {target.label} | {value:.2f}{target.unit} | {goal} | {verdict} |")
    return "\n".join(lines)


def section(results: list[CaseResult], *, rounds: int, records: int) -> str:
    """A dated RESULTS.md section for this run."""
    now = datetime.now(UTC)
    return "\n".join(
        [
            f"## {now:%Y-%m-%d %H:%M} UTC",
            "",
            f"- Command: `{shlex.join(sys.orig_argv)}`",
            f"- Commit: {commit()}",
            f"- Machine: {machine()}",
            f"- Rounds: {rounds}; records: {records:,}",
            "",
            results_table(results),
            "",
            targets_table(results),
            "",
        ]
    )


def append(text: str, path: Path = RESULTS) -> None:
    """Append a section to RESULTS.md."""
    with path.open("a", encoding="utf-8") as out:
        out.write("\n" + text)
