"""Report notebooks run unattended: papermill executes them, nbconvert writes self-contained HTML without code.

Behind ``apitoolkit report`` and ``make demo``. Before any kernel starts, a run checks what it can: the report
names, the parameters (each must be declared in the ``parameters`` cell of a report that runs), the output
directory (writable), and the credentials of every service a report loads (a missing one fails naming its
variable). Each report is executed to a temporary file; only a notebook that ran to the end is written to the
output directory, as ``NAME.ipynb`` and ``NAME.html`` (each replaced atomically), so a failed run never
leaves half a report behind. The notebooks are found in ``APITOOLKIT_NOTEBOOKS`` or else in the ``notebooks/``
folder of the source tree this package is installed from.
"""

from __future__ import annotations

import ast
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apitoolkit.exceptions import ApiToolkitError, InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["REPORTS", "Report", "ReportError", "describe_sources", "notebooks_dir", "parse_parameters", "run_reports"]


@dataclass(frozen=True)
class Report:
    """A report notebook and the services it loads from."""

    name: str
    services: tuple[str, ...]
    title: str


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report("getting_started", ("itglue",), "Getting started"),
        Report("reputation", ("itglue",), "Documentation reputation"),
        Report("expirations", ("itglue",), "Expirations"),
        Report("activity_logs", ("itglue",), "Activity logs"),
        Report("task_activity", ("hitask", "glasshat"), "Task activity"),
    )
}


class ReportError(ApiToolkitError):
    """A report notebook failed; the message names the report, the cell and the error it raised."""


@dataclass(frozen=True)
class Rendered:
    """A report written to disk: its executed notebook, its HTML, and how long it took."""

    name: str
    notebook: Path
    html: Path
    seconds: float


def notebooks_dir() -> Path:
    """Where the report notebooks are: ``APITOOLKIT_NOTEBOOKS``, else ``notebooks/`` beside the package.

    Example:
        >>> notebooks_dir().name  # doctest: +SKIP
        'notebooks'
    """
    configured = os.environ.get("APITOOLKIT_NOTEBOOKS", "").strip()
    folder = Path(configured) if configured else Path(__file__).resolve().parent.parent / "notebooks"
    if not (folder / "reputation.ipynb").is_file():
        raise InvalidArgumentError(
            f"The report notebooks are not in {folder}: set APITOOLKIT_NOTEBOOKS to the folder that holds them "
            "(the repository's notebooks/)."
        )
    return folder


def parse_parameters(pairs: Sequence[str]) -> dict[str, Any]:
    """``["key=value", ...]`` to a dict; values are Python literals when they parse as one, else text.

    Example:
        >>> parse_parameters(["horizon=60", "organization=Acme Ltd", "interactive=False", "roles=['Editor']"])
        {'horizon': 60, 'organization': 'Acme Ltd', 'interactive': False, 'roles': ['Editor']}
    """
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, raw = pair.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise InvalidArgumentError(f"Parameter {pair!r} is not key=value: write it as -p horizon=60.")
        try:
            out[key] = ast.literal_eval(raw.strip())
        except (ValueError, SyntaxError):
            out[key] = raw.strip()
    return out


def _declared(path: Path) -> set[str]:
    import papermill

    return set(papermill.inspect_notebook(str(path)))


def _check_writable(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".write-check-"):
            pass
    except OSError as error:
        raise InvalidArgumentError(
            f"Cannot write reports to {out} ({error.strerror or error}): choose another --out directory."
        ) from None


def _check_credentials(reports: Sequence[Report]) -> None:
    from apitoolkit.config import resolve_config

    for service in sorted({s for r in reports for s in r.services}):
        resolve_config(service)  # raises ConfigurationError naming the missing variable


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _failure(name: str, error: Exception) -> ReportError:
    ename = getattr(error, "ename", type(error).__name__)
    evalue = getattr(error, "evalue", str(error))
    cell = getattr(error, "exec_count", None)
    where = f" in cell [{cell}]" if cell is not None else ""
    return ReportError(f"Report {name!r} failed{where}: {ename}: {evalue}")


@contextmanager
def _maybe_emulator(start: bool, log: Callable[[str], None]) -> Iterator[None]:
    if not start:
        yield
        return
    from apitoolkit.demo import emulator_port, environment
    from apitoolkit.emulator import EmulatorServer

    with EmulatorServer(port=emulator_port(), seed=1, size="small") as emulator:
        log(f"Emulator serving on {emulator.url}.")
        with environment(emulator.environ()):
            yield


def _render(path: Path, name: str, out: Path, parameters: dict[str, Any], kernel: str) -> tuple[Path, Path]:
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    with tempfile.TemporaryDirectory(prefix=f"apitoolkit-report-{name}-") as work:
        executed = Path(work) / f"{name}.ipynb"
        try:
            papermill.execute_notebook(
                str(path),
                str(executed),
                parameters=parameters,
                kernel_name=kernel,
                progress_bar=False,
                cwd=str(out),
            )
        except papermill.PapermillExecutionError as error:
            raise _failure(name, error) from None
        notebook = nbformat.read(executed, as_version=4)
        exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
        html, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": REPORTS[name].title}})
        target_notebook, target_html = out / f"{name}.ipynb", out / f"{name}.html"
        _write_atomically(target_notebook, executed.read_text(encoding="utf-8"))
        _write_atomically(target_html, html)
    return target_notebook, target_html


def _timed_render(path: Path, name: str, out: Path, parameters: dict[str, Any], kernel: str) -> Rendered:
    started = time.perf_counter()
    notebook, html = _render(path, name, out, parameters, kernel)
    return Rendered(name, notebook, html, time.perf_counter() - started)


def run_reports(
    names: Sequence[str] | None,
    out: str | os.PathLike[str],
    parameters: Mapping[str, Any] | None = None,
    *,
    emulator: bool = False,
    kernel: str = "python3",
    jobs: int = 2,
    log: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> list[Rendered]:
    """Execute report notebooks with papermill and write each as an executed notebook and code-free HTML.

    Args:
        names: Reports to run (see `REPORTS`); None or empty runs all of them.
        out: Output directory (created).
        parameters: Values for the notebooks' ``parameters`` cells; each must be declared by a report that runs
            and is passed to the reports that declare it.
        emulator: Start the built-in emulator for the run and point every service at it.
        kernel: Jupyter kernel name.
        jobs: Reports rendered at once (each in its own process and kernel).
        log: Where progress lines go.

    Raises:
        InvalidArgumentError: Unknown report or parameter, output directory not writable, notebooks not found.
        ConfigurationError: A service a report loads has no credentials (names the variable).
        ReportError: A notebook failed (names the cell and its error, one line per failed report); the other
            reports still run and are written.

    Example:
        >>> run_reports(["expirations"], "reports", {"horizon": 60}, emulator=True)  # doctest: +SKIP
    """
    chosen = list(names) if names else list(REPORTS)
    unknown = [n for n in chosen if n not in REPORTS]
    if unknown:
        raise InvalidArgumentError(f"Unknown report {', '.join(unknown)}: choose from {', '.join(REPORTS)}.")
    folder = notebooks_dir()
    given = dict(parameters or {})
    declared = {name: _declared(folder / f"{name}.ipynb") for name in chosen}
    stray = sorted(set(given) - set().union(*declared.values()))
    if stray:
        accepted = sorted(set().union(*declared.values()))
        raise InvalidArgumentError(
            f"Unknown parameter {', '.join(stray)} for {', '.join(chosen)}: these reports take {', '.join(accepted)}."
        )
    target = Path(out)
    _check_writable(target)
    rendered: list[Rendered] = []
    path_with_this_python = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    from apitoolkit.demo import environment

    with _maybe_emulator(emulator, log), environment({"PATH": path_with_this_python}):
        _check_credentials([REPORTS[n] for n in chosen])
        failures: list[str] = []
        # Most of a report's time is its kernel starting and importing; two at a time use two cores. Spawned
        # (not forked) workers: the parent may be serving the emulator from threads.
        workers = max(1, min(jobs, len(chosen)))
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = {
                pool.submit(
                    _timed_render,
                    folder / f"{name}.ipynb",
                    name,
                    target,
                    {k: v for k, v in given.items() if k in declared[name]},
                    kernel,
                ): name
                for name in chosen
            }
            for future in as_completed(futures):
                name = futures[future]
                try:
                    rendered.append(future.result())
                except ReportError as error:  # the others still run: one broken report must not cost the rest
                    failures.append(str(error))
                    log(f"  {name:16s} FAILED")
                    continue
                log(f"  {name:16s} {rendered[-1].seconds:6.1f} s  {rendered[-1].html}")
    rendered.sort(key=lambda r: chosen.index(r.name))
    if failures:
        raise ReportError("\n".join(failures))
    return rendered


def describe_sources(**frames: pd.DataFrame) -> str:
    """One Markdown line saying where each loaded frame came from, for the top of a report.

    Example:
        >>> import pandas as pd
        >>> users = pd.DataFrame({"id": [1]}); users.attrs["apitoolkit"] = {"source": "frame-cache"}
        >>> describe_sources(users=users)
        'Data: users: 1 rows from the cache.'
    """
    words = {
        "network": "from the API",
        "http-cache": "from the HTTP cache",
        "frame-cache": "from the cache",
        "delta": "synced with the API (changes only)",
        "stale-cache": "**from an expired cached copy: the API could not be reached**",
    }
    parts = []
    for label, frame in frames.items():
        info = frame.attrs.get("apitoolkit") if isinstance(frame.attrs.get("apitoolkit"), dict) else {}
        source = words.get(str(info.get("source")), "from an unknown source")
        stored = f" (stored {info['stored_at']})" if info.get("stored_at") else ""
        parts.append(f"{label.replace('_', ' ')}: {len(frame):,} rows {source}{stored}")
    return "Data: " + "; ".join(parts) + "."
