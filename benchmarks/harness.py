"""Runs benchmark cases: every contender in its own fresh process, in alternation, summarised over rounds.

A case is a name, a list of contenders, an optional one-time setup and the targets it is judged by. A
contender names a *prepare* function as ``"module:function"`` plus JSON-able keyword arguments. The worker
(`benchmarks.worker`) imports the module in a fresh interpreter, calls ``prepare(**kwargs)`` (imports and
data loading happen here, untimed) which returns a zero-argument callable: the work. The worker times that
call alone and reports its wall time, the peak RSS of the process (and of any child it waited for), the RSS
before the work (so ``peak - baseline`` is what the work added; an upper bound when setup peaked higher),
and the rows and deep memory of the result.

To add a case:

1. Write a module in ``benchmarks/cases/`` with one prepare function per contender. Import heavy libraries
   inside the prepare function, so each contender pays only for its own imports and none leak into others.
2. Give it ``build(records: int) -> Case`` returning the contenders, an optional ``setup`` target (run once,
   in a fresh process, before the rounds: write fixtures under ``benchmarks/.work/``) and `Target`s.
3. Register ``build`` in ``benchmarks/cases/__init__.py``.

A case that needs a server sets ``service`` to a command (the built-in emulator, say): the harness starts it
once before the rounds, passes the ``export NAME=value`` lines it prints to every worker's environment,
reads ``GET stats_url(env)`` after each run into that run's ``extra`` (so targets can check what the server
saw, such as the rate limit), and stops it at the end.

A contender that must run in another environment (a competing library in its own venv) sets ``python`` to
that interpreter; the repository root is put on its ``PYTHONPATH`` so the worker module is importable there.
"""

from __future__ import annotations

import json
import operator
import os
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from benchmarks.worker import MARKER

ROOT = Path(__file__).resolve().parent.parent
RUN_TIMEOUT = 1800

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Contender:
    """One way of doing the work: ``target`` is ``"module:prepare_function"``, called with ``kwargs``."""

    name: str
    target: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    python: str = sys.executable


@dataclass(frozen=True)
class Stats:
    """One contender's measurements over all rounds."""

    contender: str
    seconds: list[float]
    peak_rss: list[int]
    baseline_rss: list[int]
    rows: int | None
    result_bytes: int | None
    extra: list[dict[str, Any]] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median wall time of the work, in seconds."""
        return statistics.median(self.seconds)

    @property
    def peak_rss_median(self) -> float:
        """Median peak RSS of the process, in bytes."""
        return statistics.median(self.peak_rss)

    @property
    def increase_median(self) -> float:
        """Median RSS the work added over the baseline (after imports and data load), in bytes."""
        return statistics.median(p - b for p, b in zip(self.peak_rss, self.baseline_rss, strict=True))


@dataclass(frozen=True)
class Target:
    """A goal: ``measure(stats by contender)`` compared with ``threshold`` by ``op``; ``unit`` for display."""

    label: str
    measure: Callable[[dict[str, Stats]], float]
    op: Literal["<", "<=", ">", ">="]
    threshold: float
    unit: str = "x"

    def check(self, stats: dict[str, Stats]) -> tuple[float, bool]:
        """The measured value and whether it meets the target."""
        value = self.measure(stats)
        return value, _OPERATORS[self.op](value, self.threshold)


def ratio(numerator: str, denominator: str) -> Callable[[dict[str, Stats]], float]:
    """A target measure: median time of contender ``numerator`` over that of ``denominator``."""
    return lambda stats: stats[numerator].median / stats[denominator].median


def median_seconds(contender: str) -> Callable[[dict[str, Stats]], float]:
    """A target measure: a contender's median time in seconds."""
    return lambda stats: stats[contender].median


@dataclass(frozen=True)
class Case:
    """Contenders compared on the same work, a one-time ``setup`` (``"module:function"``) and targets."""

    name: str
    contenders: list[Contender]
    setup: str | None = None
    setup_kwargs: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    service: list[str] | None = None
    stats_url: Callable[[dict[str, str]], str] | None = None


@dataclass(frozen=True)
class CaseResult:
    """A case's statistics per contender and its targets' outcomes (label, value, passed)."""

    case: Case
    stats: dict[str, Stats]
    outcomes: list[tuple[Target, float, bool]]


def _worker(python: str, args: Sequence[str], extra_env: dict[str, str] | None = None) -> dict[str, Any]:
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, **(extra_env or {}), "PYTHONPATH": path}
    proc = subprocess.run(
        [python, "-m", "benchmarks.worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        what = " ".join(args[:2])
        raise RuntimeError(f"worker {what} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    lines = [line for line in proc.stdout.splitlines() if line.startswith(MARKER)]
    if not lines:
        raise RuntimeError(f"worker {' '.join(args[:2])} printed no result:\n{proc.stdout[-2000:]}")
    return json.loads(lines[-1][len(MARKER) :])


@contextmanager
def _service(command: list[str] | None, log: Callable[[str], None]) -> Iterator[dict[str, str]]:
    """Start the case's server, wait for its ``export`` lines, yield them as environment; stop it after."""
    if not command:
        yield {}
        return
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    env: dict[str, str] = {}
    try:
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"service {command} exited before it was ready")
            if line.startswith("export "):
                name, _, value = line[len("export ") :].strip().partition("=")
                env[name] = shlex.split(value)[0] if value else ""
            elif env:
                break
        log(f"service ready: {' '.join(command)}")
        yield env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _service_stats(url: Callable[[dict[str, str]], str] | None, env: dict[str, str]) -> dict[str, Any]:
    if url is None:
        return {}
    import urllib.request

    with urllib.request.urlopen(url(env), timeout=30) as response:  # loopback only
        loaded: dict[str, Any] = json.loads(response.read())
        return loaded


def run_case(case: Case, *, rounds: int, log: Callable[[str], None] = print) -> CaseResult:
    """Set up once, then run the contenders in alternation (A B C A B C ...) ``rounds`` times."""
    with _service(case.service, log) as env:
        return _run_rounds(case, rounds=rounds, log=log, env=env)


def _run_rounds(case: Case, *, rounds: int, log: Callable[[str], None], env: dict[str, str]) -> CaseResult:
    if case.setup:
        started = time.perf_counter()
        _worker(sys.executable, ["--setup", case.setup, json.dumps(case.setup_kwargs)], env)
        log(f"[{case.name}] setup {time.perf_counter() - started:.1f} s")
    runs: dict[str, list[dict[str, Any]]] = {c.name: [] for c in case.contenders}
    for round_number in range(1, rounds + 1):
        for contender in case.contenders:
            result = _worker(contender.python, [contender.target, json.dumps(contender.kwargs)], env)
            result["extra"] = _service_stats(case.stats_url, env)
            runs[contender.name].append(result)
            log(
                f"[{case.name}] round {round_number}/{rounds} {contender.name}: {result['seconds']:.3f} s, "
                f"peak {result['peak_rss'] / 2**20:.0f} MB"
            )
    stats = {
        name: Stats(
            contender=name,
            seconds=[r["seconds"] for r in results],
            peak_rss=[r["peak_rss"] for r in results],
            baseline_rss=[r["baseline_rss"] for r in results],
            rows=results[-1]["rows"],
            result_bytes=results[-1]["result_bytes"],
            extra=[r["extra"] for r in results],
        )
        for name, results in runs.items()
    }
    outcomes = [(target, *target.check(stats)) for target in case.targets]
    return CaseResult(case, stats, outcomes)
