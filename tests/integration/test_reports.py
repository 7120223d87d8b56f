"""Report notebooks executed by papermill against the running emulator, and the HTML they leave."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest

from apitoolkit.emulator import EmulatorServer
from apitoolkit.exceptions import ConfigurationError, InvalidArgumentError
from apitoolkit.reports import REPORTS, ReportError, run_reports

pytestmark = pytest.mark.slow

SECRET_NAMES = ("ITGLUE_API_KEY", "HITASK_API_KEY", "HITASK_PASSWORD", "GLASSHAT_API_KEY", "HAPPYGRASSHOPPER_API_KEY")


@pytest.fixture
def environment(emulator: EmulatorServer, history_archive: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = emulator.environ()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APITOOLKIT_ARCHIVE", history_archive)  # the trends report reads weeks of history
    return env


def test_run_reports__every_report_renders_figures_without_code_tracebacks_or_secrets(
    environment: dict[str, str], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    rendered = run_reports(None, tmp_path / "out", {"interactive": False}, log=lambda line: None)
    assert [r.name for r in rendered] == list(REPORTS)
    kernels = capfd.readouterr().err  # the kernels' stderr: inherited by the workers and their kernels
    assert "without encryption" not in kernels and "KeyboardInterrupt" not in kernels, kernels
    assert "[IPKernelApp]" not in kernels, kernels
    for report in rendered:
        html = report.html.read_text(encoding="utf-8")
        assert report.notebook.is_file()
        assert stat.S_IMODE(report.html.stat().st_mode) == 0o644, report.name
        assert stat.S_IMODE(report.notebook.stat().st_mode) == 0o644, report.name
        assert html.count("data:image/png;base64") >= 1, f"{report.name}: no figure"
        shown = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)  # the page, not the template's code
        assert "Traceback" not in shown and "Error" not in shown and "Warning" not in shown, report.name
        assert "import apitoolkit" not in html  # no code cells
        assert "As of " in html and "Sources:" in html and "Parameters:" in html  # when, from where, with what
        for name in SECRET_NAMES:
            assert environment[name] not in html, f"{report.name} shows {name}"
            assert environment[name] not in report.notebook.read_text(encoding="utf-8")


def test_run_reports__warm_cache_renders_while_the_api_is_down(
    environment: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    run_reports(["expirations"], tmp_path / "first", {"interactive": False}, log=lambda line: None)
    emulator.app.faults.add("server_error", rate=1.0, service="itglue", status=503)
    (again,) = run_reports(["expirations"], tmp_path / "second", {"interactive": False}, log=lambda line: None)
    html = again.html.read_text(encoding="utf-8")
    assert "from the cache" in html and "data:image/png;base64" in html


def test_run_reports__a_stale_report_says_so_once_without_a_warning_box(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API unreachable and the cached copy expired: the header's one bold sentence, no stderr box."""
    from apitoolkit.itglue import ITGlueClient, load_expirations

    with EmulatorServer(port=0, seed=1, size="small") as gone:
        env = gone.environ()
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        load_expirations(client=ITGlueClient(expire_after=0.01))  # cached, and expired at once
    # The server has stopped: its port refuses, so the report's loader falls back to the expired copy.
    (report,) = run_reports(["expirations"], tmp_path / "out", {"interactive": False}, log=lambda line: None)
    html = report.html.read_text(encoding="utf-8")
    assert "stale: the API could not be reached" in html
    shown = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)  # the page, not the template's CSS
    assert "StaleDataWarning" not in shown and 'data-mime-type="application/vnd.jupyter.stderr"' not in shown
    assert "data:image/png;base64" in shown


def test_run_reports__a_failing_cell_is_named_and_leaves_its_notebook_not_html(
    environment: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "activity_logs.html").write_text("<p>last week's report</p>")  # must not look current after a failure
    failed = r"'activity_logs' failed in cell \[\d+\]: InvalidArgumentError: .*Mars"
    with pytest.raises(ReportError, match=failed) as info:
        run_reports(
            ["activity_logs", "expirations"], out, {"tz": "Mars/Olympus", "interactive": False}, log=lambda line: None
        )
    assert f"Open the executed notebook {out / 'activity_logs.ipynb'} to see" in str(info.value)
    assert not (out / "activity_logs.html").exists()
    assert "Mars/Olympus" in _error_outputs(out / "activity_logs.ipynb")
    assert stat.S_IMODE((out / "activity_logs.ipynb").stat().st_mode) == 0o644
    assert (out / "expirations.html").is_file()  # the other report still ran


def _error_outputs(path: Path) -> str:
    import nbformat

    notebook = nbformat.read(path, as_version=4)
    return "\n".join(
        f"{o.ename}: {o.evalue}"
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if o.output_type == "error"
    )


def test_run_reports__a_wrong_key_or_an_empty_cache_offline_leaves_the_executed_notebook(
    environment: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    monkeypatch.setenv("ITGLUE_API_KEY", "itg-wrong-key-5c1d")
    with pytest.raises(ReportError, match=r"'expirations' failed in cell \[\d+\]: PermissionDeniedError") as info:
        run_reports(["expirations"], out, {"interactive": False}, log=lambda line: None)
    assert str(out / "expirations.ipynb") in str(info.value)
    assert "PermissionDeniedError" in _error_outputs(out / "expirations.ipynb")
    assert "itg-wrong-key-5c1d" not in (out / "expirations.ipynb").read_text(encoding="utf-8")
    monkeypatch.setenv("ITGLUE_API_KEY", environment["ITGLUE_API_KEY"])
    monkeypatch.setenv("APITOOLKIT_OFFLINE", "1")
    offline = r"'getting_started' failed in cell \[\d+\]: OfflineError: .*not in the cache"
    with pytest.raises(ReportError, match=offline):
        run_reports(["getting_started"], out, log=lambda line: None)
    assert "OfflineError" in _error_outputs(out / "getting_started.ipynb")
    assert sorted(p.name for p in out.iterdir()) == ["expirations.ipynb", "getting_started.ipynb"]


def test_run_reports__missing_credentials_fail_before_any_kernel(
    emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ITGLUE_BASE_URL", emulator.environ()["ITGLUE_BASE_URL"])
    with pytest.raises(ConfigurationError, match="ITGLUE_API_KEY"):
        run_reports(["reputation"], tmp_path / "out", log=lambda line: None)
    assert not list((tmp_path / "out").glob("*.html"))


def test_run_reports__bad_names_parameters_and_directories(environment: dict[str, str], tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="Unknown report weekly.*choose from getting_started"):
        run_reports(["weekly"], tmp_path)
    with pytest.raises(InvalidArgumentError, match="Unknown parameter colour .*take .*horizon"):
        run_reports(["expirations"], tmp_path, {"colour": "red"})
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InvalidArgumentError, match="Cannot write reports to .*a-file/out.*--out"):
        run_reports(["expirations"], blocker / "out")


def test_notebooks__committed_without_outputs_and_with_a_parameters_cell() -> None:
    import nbformat

    folder = Path(__file__).resolve().parents[2] / "notebooks"
    for name in REPORTS:
        notebook = nbformat.read(folder / f"{name}.ipynb", as_version=4)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert all(not c.outputs and c.execution_count is None for c in code), name
        assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1, name
        assert notebook.metadata["kernelspec"]["name"] == "python3"
        assert "os.environ[" not in "".join(c.source for c in code)  # credentials only via the loaders


def test_report_command__exit_codes_and_the_emulator_option(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    import apitoolkit.emulator.core.server
    from apitoolkit.cli import main

    with socket.create_server(("127.0.0.1", 0)) as probe:  # not 8765: another emulator may serve there
        monkeypatch.setattr(apitoolkit.emulator.core.server, "PORTS", (probe.getsockname()[1],))
    assert main(["report", "weekly", "--out", str(tmp_path)]) == 2
    assert "Unknown report weekly" in capfd.readouterr().err
    assert main(["report", "expirations", "--out", str(tmp_path / "r"), "-p", "nonsense"]) == 2
    assert "is not key=value" in capfd.readouterr().err
    code = main(["report", "expirations", "--emulator", "--out", str(tmp_path / "r"), "-p", "interactive=False"])
    err = capfd.readouterr().err  # ours, the workers' and the kernels'
    assert code == 0, err
    assert f"Emulator serving on http://127.0.0.1:{apitoolkit.emulator.core.server.PORTS[0]}." in err
    assert "without encryption" not in err and "KeyboardInterrupt" not in err and "[IPKernelApp]" not in err, err
    assert (tmp_path / "r" / "expirations.html").stat().st_size > 10_000
    code = main(["report", "activity_logs", "--emulator", "--out", str(tmp_path / "r"), "-p", "tz='Mars/Olympus'"])
    assert code == 1
    err = capfd.readouterr().err
    assert "'activity_logs' failed in cell" in err and str(tmp_path / "r" / "activity_logs.ipynb") in err
