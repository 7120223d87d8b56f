"""Report notebooks run unattended: papermill executes them, nbconvert writes self-contained HTML without code.

Behind ``apitoolkit report`` and ``make demo``. Before any kernel starts, a run checks what it can: the report
names, the parameters (each must be declared in the ``parameters`` cell of a report that runs), the output
directory (writable), and the credentials of every service a report loads (a missing one fails naming its
variable). Each report is executed to a temporary file; a notebook that ran to the end is written to the output
directory as ``NAME.ipynb`` and ``NAME.html`` (each replaced atomically, readable by everyone: mode 0644), so a
failed run never leaves half a report behind. A report that fails leaves its executed notebook, up to and
including the failing cell, as ``NAME.ipynb`` (the error names it) and no HTML: a ``NAME.html`` of an earlier run
is removed, so nothing in the output directory looks current when it is not. Kernels talk to papermill over
IPC sockets in a private temporary directory, not TCP. The notebooks are found in ``APITOOLKIT_NOTEBOOKS`` or else
in the ``notebooks/`` folder of the source tree this package is installed from.

Inside a notebook, `report_setup` (first) and `report_header` (under the loads) make a report say when it was
made, from what data and with which parameters.
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

from apitoolkit.config import resolve_config
from apitoolkit.envvars import emulator_environment, environment
from apitoolkit.exceptions import ApiToolkitError, InvalidArgumentError
from apitoolkit.registry import entry

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "REPORTS",
    "Report",
    "ReportError",
    "describe_sources",
    "notebooks_dir",
    "parse_parameters",
    "report_header",
    "report_parameters",
    "report_setup",
    "run_reports",
]

#: Mode of the files a report run writes: readable by everyone, like any web page.
FILE_MODE = 0o644


@dataclass(frozen=True)
class Report:
    """A report notebook and the services it loads from (names of `apitoolkit.registry.REGISTRY`)."""

    name: str
    services: tuple[str, ...]
    title: str

    def __post_init__(self) -> None:
        for service in self.services:
            entry(service)  # a service the registry does not know fails here, naming the known ones


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report("getting_started", ("itglue",), "Getting started"),
        Report("reputation", ("itglue",), "Documentation reputation"),
        Report("expirations", ("itglue",), "Expirations"),
        Report("activity_logs", ("itglue",), "Activity logs"),
        Report("task_activity", ("hitask", "glasshat"), "Task activity"),
        Report("trends", (), "Trends"),  # reads only the history archive: no API, no credentials
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
        >>> notebooks_dir().name
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


def report_parameters(name: str) -> dict[str, tuple[str, str]]:
    """The parameters a report declares: ``{parameter: (default as written, help comment)}``, in order.

    Read from the notebook's ``parameters`` cell (``papermill.inspect_notebook``); ``apitoolkit report --help``
    lists them.

    Raises:
        InvalidArgumentError: Unknown report, or the notebooks are not found.

    Example:
        >>> report_parameters("expirations")["horizon"]
        ('90', 'days ahead to show')
    """
    import papermill

    if name not in REPORTS:
        raise InvalidArgumentError(f"Unknown report {name}: choose from {', '.join(REPORTS)}.")
    found = papermill.inspect_notebook(str(notebooks_dir() / f"{name}.ipynb"))
    return {key: (str(value.get("default", "")), str(value.get("help", ""))) for key, value in found.items()}


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
    """Raise `ConfigurationError` naming the missing variable of the first service the reports load without it."""
    for service in sorted({s for r in reports for s in r.services}):
        resolve_config(entry(service).name)  # the registry's settings of the service, from the environment


def _write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, FILE_MODE)  # mkstemp makes 0600: a report is for others to read
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _failure(name: str, error: Exception, notebook: Path | None) -> ReportError:
    ename = getattr(error, "ename", type(error).__name__)
    evalue = getattr(error, "evalue", str(error))
    # A notebook's user sets offline mode with the environment, not with a client argument.
    evalue = str(evalue).replace("offline=True", "APITOOLKIT_OFFLINE=1")
    cell = getattr(error, "exec_count", None)
    where = f" in cell [{cell}]" if cell is not None else ""
    kept = (
        f" Open the executed notebook {notebook} to see the cell and its output."
        if notebook is not None
        else " The kernel left no executed notebook."
    )
    return ReportError(f"Report {name!r} failed{where}: {ename}: {evalue.rstrip()}{kept}")


def _keep_failed(executed: Path, name: str, out: Path) -> Path | None:
    """After a failure: the executed notebook (if papermill wrote one) to ``out``, else an older one removed; an
    older ``NAME.html`` removed either way."""
    (out / f"{name}.html").unlink(missing_ok=True)
    target = out / f"{name}.ipynb"
    if not executed.is_file():
        target.unlink(missing_ok=True)
        return None
    _write_atomically(target, executed.read_text(encoding="utf-8"))
    return target


def _kernel_manager_class(sockets: Path) -> type:
    """A kernel manager whose kernel listens on IPC sockets in ``sockets`` and is not interrupted at shutdown.

    Over TCP, ipykernel warns on stderr that it runs "without encryption"; IPC sockets in a private directory
    (mode 0700) are reachable only by this user. jupyter_client interrupts a kernel before shutting it down, and
    an idle kernel then logs "KeyboardInterrupt caught in kernel"; a report's kernel is idle when it is shut
    down, so that interrupt is skipped (an interrupt asked for while running, e.g. on a timeout, is still sent).
    """
    from jupyter_client.manager import AsyncKernelManager

    class ReportKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.ip = str(sockets / "kernel")

        async def _async_interrupt_kernel(self) -> None:
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return ReportKernelManager


@contextmanager
def _maybe_emulator(start: bool, log: Callable[[str], None]) -> Iterator[None]:
    if not start:
        yield
        return
    with emulator_environment(seed=1, size="small") as emulator:
        log(f"Emulator {'already serving' if emulator.reused else 'serving'} on {emulator.url}.")
        yield


def _render(path: Path, name: str, out: Path, parameters: dict[str, Any], kernel: str) -> tuple[Path, Path]:
    import nbformat
    import papermill
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
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
                kernel_manager_class=_kernel_manager_class(Path(work)),
            )
        except (papermill.PapermillExecutionError, DeadKernelError, CellTimeoutError) as error:
            raise _failure(name, error, _keep_failed(executed, name, out)) from None
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
        emulator: Point every service at the built-in emulator (seed 1, small): one already serving on the demo's
            ports, else one started for the run (see `apitoolkit.envvars.emulator_environment`).
        kernel: Jupyter kernel name.
        jobs: Reports rendered at once (each in its own process and kernel).
        log: Where progress lines go.

    Raises:
        InvalidArgumentError: Unknown report or parameter, output directory not writable, notebooks not found.
        ConfigurationError: A service a report loads has no credentials (names the variable).
        ReportError: A notebook failed (names the cell, its error and the executed ``NAME.ipynb`` kept in ``out``,
            one line per failed report; no ``NAME.html`` is left for it); the other reports still run and are
            written.

    Example:
        >>> run_reports(["expirations"], "reports", {"horizon": 60}, emulator=True)  # Jupyter  # doctest: +SKIP
    """
    plan = _plan(names, parameters)
    target = Path(out)
    _check_writable(target)
    path_with_this_python = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    with _maybe_emulator(emulator, log), environment({"PATH": path_with_this_python}):
        _check_credentials([REPORTS[n] for n in plan.names])
        rendered, failures = _render_all(plan, target, kernel, jobs, log)
    rendered.sort(key=lambda r: plan.names.index(r.name))
    if failures:
        raise ReportError("\n".join(failures))
    return rendered


@dataclass(frozen=True)
class _Plan:
    """What a report run renders, checked before any kernel starts: the reports, and the parameters of each."""

    names: list[str]
    folder: Path
    parameters: dict[str, dict[str, Any]]


def _plan(names: Sequence[str] | None, parameters: Mapping[str, Any] | None) -> _Plan:
    """The reports to run (all for none) and the parameters each declares, or `InvalidArgumentError` naming the
    unknown reports or parameters."""
    chosen = list(names) if names else list(REPORTS)
    unknown = [n for n in chosen if n not in REPORTS]
    if unknown:
        raise InvalidArgumentError(f"Unknown report {', '.join(unknown)}: choose from {', '.join(REPORTS)}.")
    folder = notebooks_dir()
    given = dict(parameters or {})
    declared = {name: _declared(folder / f"{name}.ipynb") for name in chosen}
    accepted = set().union(*declared.values())
    stray = sorted(set(given) - accepted)
    if stray:
        raise InvalidArgumentError(
            f"Unknown parameter {', '.join(stray)} for {', '.join(chosen)}: these reports take "
            f"{', '.join(sorted(accepted))}."
        )
    each = {name: {k: v for k, v in given.items() if k in declared[name]} for name in chosen}
    return _Plan(chosen, folder, each)


def _render_all(
    plan: _Plan, out: Path, kernel: str, jobs: int, log: Callable[[str], None]
) -> tuple[list[Rendered], list[str]]:
    """Render every report of ``plan``, ``jobs`` at a time: those written, and the failure of each that was not."""
    rendered: list[Rendered] = []
    failures: list[str] = []
    # Most of a report's time is its kernel starting and importing; two at a time use two cores. Spawned (not
    # forked) workers: the parent may be serving the emulator from threads.
    workers = max(1, min(jobs, len(plan.names)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {
            pool.submit(_timed_render, plan.folder / f"{name}.ipynb", name, out, plan.parameters[name], kernel): name
            for name in plan.names
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
    return rendered, failures


#: Where a loaded frame came from (``attrs["apitoolkit"]["source"]``, see `apitoolkit.load_source`), in words.
SOURCE_WORDS = {
    "network": "from the API",
    "http-cache": "from the HTTP cache",
    "frame-cache": "from the cache",
    "delta": "synced with the API (changes only)",
    "stale-cache": "**from an expired cached copy: the API could not be reached**",
    "archive": "from the archive",
}


def _info(frame: pd.DataFrame) -> dict[str, Any]:
    info = frame.attrs.get("apitoolkit")
    return info if isinstance(info, dict) else {}


def describe_sources(**frames: pd.DataFrame) -> str:
    """One Markdown line saying where each loaded frame came from, for the top of a report.

    Example:
        >>> import pandas as pd
        >>> users = pd.DataFrame({"id": [1]}); users.attrs["apitoolkit"] = {"source": "frame-cache"}
        >>> describe_sources(users=users)
        'Data: users: 1 rows from the cache.'
    """
    parts = []
    for label, frame in frames.items():
        info = _info(frame)
        source = SOURCE_WORDS.get(str(info.get("source")), "from an unknown source")
        stored = f" (stored {info['stored_at']})" if info.get("stored_at") else ""
        parts.append(f"{label.replace('_', ' ')}: {len(frame):,} rows {source}{stored}")
    return "Data: " + "; ".join(parts) + "."


def _minute(value: Any) -> str:
    """A time as ``2026-12-04 20:31 UTC``; text that is not a time is returned as it is."""
    import pandas as pd

    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return str(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return f"{stamp:%Y-%m-%d %H:%M} UTC"


def _freshness(info: dict[str, Any]) -> str:
    source = str(info.get("source"))
    stored = f" stored {_minute(info['stored_at'])}" if info.get("stored_at") else ""
    if source in {"network", "delta"}:
        return f"{SOURCE_WORDS[source]}, fresh"
    if source == "stale-cache":
        copy = f" from {_minute(info['stored_at'])}" if info.get("stored_at") else ""
        return f"**stale: the API could not be reached, cached copy{copy}**"
    if source in SOURCE_WORDS:
        return f"{SOURCE_WORDS[source]}{stored}"
    return "from an unknown source"


def _escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "\\`*_[]<>|" else c for c in text)


def _shown(value: Any) -> str:
    from datetime import date

    if value is None:
        return "default"
    return _escape(str(value) if isinstance(value, str | date) else repr(value))


def report_header(*, parameters: Mapping[str, Any], now: Any = None, **frames: pd.DataFrame) -> str:
    """The first lines of a report, in Markdown: when it was made, from what data, with which parameters.

    The first line is the as-of time (``now``, default the current time, in UTC to the minute). Then one line per
    frame (keyword name, rows, where it came from and how fresh: fresh from the API, from the cache (with the
    time it was stored when known), from the history archive, or in bold a stale copy because the API could not
    be reached), then every parameter with its value (None shown as "default").

    Args:
        parameters: The report's parameters, e.g. ``{"horizon": horizon, "organization": organization}``.
        now: The as-of time (a Timestamp, datetime or ISO text; naive means UTC).
        **frames: The loaded frames, by the name the report gives them (``hitask_items`` reads "hitask items").

    Example:
        >>> import pandas as pd
        >>> users = pd.DataFrame({"id": [1, 2]}); users.attrs["apitoolkit"] = {"source": "network"}
        >>> print(report_header(parameters={"horizon": 90, "organization": None}, now="2026-12-04 20:31",
        ...                     users=users))
        As of 2026-12-04 20:31 UTC.
        <BLANKLINE>
        Sources:
        <BLANKLINE>
        - users: 2 rows from the API, fresh
        <BLANKLINE>
        Parameters: horizon=90, organization=default.
    """
    import pandas as pd

    lines = [f"As of {_minute(pd.Timestamp.now(tz='UTC') if now is None else now)}.", "", "Sources:", ""]
    for label, frame in frames.items():
        rows = f"{len(frame):,} row{'' if len(frame) == 1 else 's'}"
        lines.append(f"- {label.replace('_', ' ')}: {rows} {_freshness(_info(frame))}")
    if not frames:
        lines.append("- none")
    shown = ", ".join(f"{key}={_shown(value)}" for key, value in parameters.items())
    lines += ["", f"Parameters: {shown or 'none'}."]
    return "\n".join(lines)


def report_setup() -> None:
    """Set up a report notebook's kernel; call it once, first, in every report notebook.

    Sets the pandas display options of the reports (12 columns, 160 characters wide) and hides the warnings
    whose news `report_header` already gives in one sentence: `apitoolkit.StaleDataWarning` (the header says
    the copy is stale) and matplotlib's per-glyph "Glyph ... missing from font" warnings (the plot style draws
    names with a fallback font, or warns once naming the font package to install).

    Example:
        >>> import warnings
        >>> import pandas as pd
        >>> with warnings.catch_warnings(), pd.option_context("display.max_columns", 0, "display.width", 80):
        ...     report_setup()  # outside a notebook, keep what it changes to the block
        ...     pd.get_option("display.width")
        160
    """
    import warnings

    import pandas as pd

    from apitoolkit.exceptions import StaleDataWarning

    pd.set_option("display.max_columns", 12)
    pd.set_option("display.width", 160)
    warnings.filterwarnings("ignore", category=StaleDataWarning)
    warnings.filterwarnings("ignore", message="Glyph .* missing from font")
