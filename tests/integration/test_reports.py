"""Report notebooks executed by papermill against the running emulator, and the HTML they leave."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from apitoolkit.exceptions import ConfigurationError, InvalidArgumentError
from apitoolkit.reports import REPORTS, ReportError, run_reports

pytestmark = pytest.mark.slow

SECRET_NAMES = ("ITGLUE_API_KEY", "HITASK_API_KEY", "HITASK_PASSWORD", "GLASSHAT_API_KEY", "HAPPYGRASSHOPPER_API_KEY")


@pytest.fixture
def environment(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = emulator.environ()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_run_reports__every_report_renders_figures_without_code_tracebacks_or_secrets(environment, tmp_path) -> None:
    rendered = run_reports(None, tmp_path / "out", {"interactive": False}, log=lambda line: None)
    assert [r.name for r in rendered] == list(REPORTS)
    for report in rendered:
        html = report.html.read_text(encoding="utf-8")
        assert report.notebook.is_file()
        assert html.count("data:image/png;base64") >= 1, f"{report.name}: no figure"
        shown = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)  # the page, not the template's code
        assert "Traceback" not in shown and "Error" not in shown and "Warning" not in shown, report.name
        assert "import apitoolkit" not in html  # no code cells
        assert "Data: " in html  # says where the data came from
        for name in SECRET_NAMES:
            assert environment[name] not in html, f"{report.name} shows {name}"
            assert environment[name] not in report.notebook.read_text(encoding="utf-8")


def test_run_reports__warm_cache_renders_while_the_api_is_down(environment, emulator, tmp_path) -> None:
    run_reports(["expirations"], tmp_path / "first", {"interactive": False}, log=lambda line: None)
    emulator.app.faults.add("server_error", rate=1.0, service="itglue", status=503)
    (again,) = run_reports(["expirations"], tmp_path / "second", {"interactive": False}, log=lambda line: None)
    html = again.html.read_text(encoding="utf-8")
    assert "from the cache" in html and "data:image/png;base64" in html


def test_run_reports__a_failing_cell_is_named_and_leaves_no_html(environment, tmp_path) -> None:
    out = tmp_path / "out"
    with pytest.raises(ReportError, match=r"'activity_logs' failed in cell \[\d+\]: InvalidArgumentError: .*Mars"):
        run_reports(["activity_logs", "expirations"], out, {"tz": "Mars/Olympus", "interactive": False},
                    log=lambda line: None)
    assert not (out / "activity_logs.html").exists()
    assert (out / "expirations.html").is_file()  # the other report still ran


def test_run_reports__missing_credentials_fail_before_any_kernel(emulator, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ITGLUE_BASE_URL", emulator.environ()["ITGLUE_BASE_URL"])
    with pytest.raises(ConfigurationError, match="ITGLUE_API_KEY"):
        run_reports(["reputation"], tmp_path / "out", log=lambda line: None)
    assert not list((tmp_path / "out").glob("*.html"))


def test_run_reports__bad_names_parameters_and_directories(environment, tmp_path) -> None:
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


def test_report_command__exit_codes_and_the_emulator_option(tmp_path, capsys) -> None:
    from apitoolkit.cli import main

    assert main(["report", "weekly", "--out", str(tmp_path)]) == 2
    assert "Unknown report weekly" in capsys.readouterr().err
    assert main(["report", "expirations", "--out", str(tmp_path / "r"), "-p", "nonsense"]) == 2
    assert "is not key=value" in capsys.readouterr().err
    code = main(["report", "expirations", "--emulator", "--out", str(tmp_path / "r"), "-p", "interactive=False"])
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "r" / "expirations.html").stat().st_size > 10_000
    code = main(["report", "activity_logs", "--emulator", "--out", str(tmp_path / "r"), "-p", "tz='Mars/Olympus'"])
    assert code == 1
    assert "'activity_logs' failed in cell" in capsys.readouterr().err
