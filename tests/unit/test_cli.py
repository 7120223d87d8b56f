"""The apitoolkit command line: parsing, help, clear errors, fetch's arguments and files, the cache commands."""

from __future__ import annotations

import argparse
import dataclasses
import io
import re
import socket
import sys
import types
from pathlib import Path

import pytest

from apitoolkit.cli import build_parser, main
from apitoolkit.cli._common import UsageError
from apitoolkit.cli.emulator import ITGLUE_COUNTS, emulator_server
from apitoolkit.cli.loader_call import filter_value
from apitoolkit.registry import REGISTRY, Resource, load_object


def _subparser(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    """The parser of the subcommand ``names`` (e.g. ``"cache", "clear"``) inside ``parser``."""
    for name in names:
        (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction) and name in a.choices]
        parser = sub._name_parser_map[name]
    return parser


#: What the command must not import just to parse its arguments or print its help.
HEAVY = {"pandas", "numpy", "pyarrow", "requests", "matplotlib"}


def test_cli__emulator_defaults() -> None:
    args = build_parser().parse_args(["emulator"])
    assert (args.port, args.host, args.seed, args.size, args.latency) == (8765, "127.0.0.1", 1, "small", 0.0)


def test_cli__emulator_count_options_parse_and_default_to_the_size() -> None:
    args = build_parser().parse_args(["emulator", "--users", "7", "--metric-days", "2", "--logs", "0"])
    assert (args.users, args.metric_days, args.logs) == (7, 2, 0)
    assert (args.organizations, args.expirations) == (None, None)


def test_cli__emulator_count_options_are_the_emulator_counts() -> None:
    from apitoolkit.emulator.itglue.data import COUNT_NAMES

    assert tuple(ITGLUE_COUNTS) == COUNT_NAMES


@pytest.mark.parametrize("value", ["-1", "1.5", "many", ""])
def test_cli__emulator_count_must_be_a_whole_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["emulator", "--users", value])
    assert "is not a count" in capsys.readouterr().err


def test_cli__emulator_gets_the_counts_over_the_size() -> None:
    options = ["emulator", "--size", "small", "--users", "5", "--logs", "9", "--expirations", "0", "--latency", "0.01"]
    server = emulator_server(build_parser().parse_args(options))
    backend = server.app.itglue
    tables = backend.accounts[backend.api_key].tables
    assert {key: len(tables[key]) for key in ("organizations", "users", "logs", "expirations")} == {
        "organizations": 12,
        "users": 5,
        "logs": 9,
        "expirations": 0,
    }
    assert server.app.latency == 0.01


def test_cli__emulator_counts_that_do_not_fit_are_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["emulator", "--port", "0", "--users", "0", "--logs", "5"]) == 2
    assert "logs need at least one user" in capsys.readouterr().err


def test_cli__no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "emulator" in capsys.readouterr().out


def test_cli__unknown_size_is_refused() -> None:
    with pytest.raises(SystemExit):
        main(["emulator", "--size", "huge"])


def test_cli__emulator_port_in_use_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["emulator", "--port", str(taken.getsockname()[1])]) == 1
    assert "choose another --port" in capsys.readouterr().err


@pytest.mark.slow
def test_demo__summary_and_every_report_then_a_rerun_from_cache(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**__import__("os").environ, "APITOOLKIT_CACHE": str(tmp_path / "cache"), "APITOOLKIT_PROGRESS": "0"}
    command = [sys.executable, "-m", "apitoolkit", "demo", "--port", "0", "--out", str(tmp_path / "reports")]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    for expected in ("users", "logs (30 days)", "Top reputations", "Expirations due in the next 30 days"):
        assert expected in first.stdout
    assert "from network" in first.stdout
    printed = first.stdout + first.stderr
    assert "[IPKernelApp]" not in printed and "Warning" not in printed and "WARNING" not in printed, printed
    assert "itg-emulator" not in first.stdout  # the emulator's key is not printed by the demo
    for name in ("getting_started", "reputation", "expirations", "activity_logs", "task_activity"):
        assert str(tmp_path / "reports" / f"{name}.html") in first.stdout
        assert (tmp_path / "reports" / f"{name}.html").stat().st_size > 10_000


def test_cli__help_imports_no_heavy_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from apitoolkit.cli import build_parser; build_parser(); "
        "heavy = [m for m in ('pandas', 'pyarrow', 'requests') if m in sys.modules]; assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("argv", [["--help"], ["fetch", "--help"], ["cache", "clear", "--help"], ["emulator", "-h"]])
def test_cli__help_of_the_command_imports_no_heavy_module(argv: list[str]) -> None:
    import subprocess

    command = [sys.executable, "-X", "importtime", "-m", "apitoolkit", *argv]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert "usage: apitoolkit" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "apitoolkit.cli.fetch" in imported  # the trace is complete
    heavy = {name for name in imported if name.split(".")[0] in HEAVY}
    assert not heavy, sorted(heavy)


def test_fetch__defaults() -> None:
    args = build_parser().parse_args(["fetch", "users", "--out", "users.parquet"])
    assert (args.resource, args.service, args.out) == ("users", "itglue", Path("users.parquet"))
    assert (args.start, args.end, args.filters, args.refresh, args.offline) == (None, None, [], False, False)


def test_fetch__filters_are_parsed_as_key_value_pairs() -> None:
    args = build_parser().parse_args(["fetch", "users", "--out", "u.csv", "--filter", "id=1", "--filter", "name=A=B"])
    assert args.filters == [("id", "1"), ("name", "A=B")]


@pytest.mark.parametrize("argv", [["--filter", "id"], ["--filter", "=1"], ["--service", "jira"], []])
def test_fetch__parser_refuses_bad_arguments(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    out = [] if not argv else ["--out", "u.csv"]
    with pytest.raises(SystemExit) as exit_info:
        main(["fetch", "users", *out, *argv])
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_fetch__resources_are_the_public_loaders() -> None:
    import importlib
    import inspect

    for service, entry in REGISTRY.items():
        module = importlib.import_module(f"apitoolkit.{service}")
        loaders = {name.removeprefix("load_") for name in module.__all__ if name.startswith("load_")}
        assert {resource.name for resource in entry.resources} == loaders - {"resource"}, service
        assert entry.client_class().__name__ in module.__all__
        for resource in entry.resources:
            assert load_object(resource.loader) is getattr(module, f"load_{resource.name}")
            takes_range = "start" in inspect.signature(load_object(resource.loader)).parameters
            assert resource.date_range == takes_range, (service, resource.name)


def _choices(parser: argparse.ArgumentParser, dest: str) -> tuple[str, ...]:
    (action,) = [a for a in parser._actions if a.dest == dest]
    return tuple(action.choices or ())


def test_fetch__services_and_resources_are_those_of_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = dataclasses.replace(REGISTRY["glasshat"], resources=(Resource("things", "fake_service:load_things"),))
    monkeypatch.setitem(REGISTRY, "fake", fake)
    parser = build_parser()
    fetch = _subparser(parser, "fetch")
    assert _choices(fetch, "service") == ("itglue", "hitask", "glasshat", "happygrasshopper", "fake")
    assert _choices(_subparser(parser, "cache", "clear"), "service") == _choices(fetch, "service")
    epilog = fetch.epilog or ""
    for service, entry in REGISTRY.items():
        assert f"{service}: {', '.join(r.name for r in entry.resources)}" in epilog
    assert epilog.endswith("; fake: things")


def test_fetch__loads_with_the_registry_client_and_loader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    calls: list[dict[str, object]] = []

    class FakeClient:
        def __init__(self, *, offline: bool | None = None) -> None:
            self.offline = offline

    def load_things(client: object = None, *, refresh: bool = False, color: str = "red") -> pd.DataFrame:
        calls.append({"client": client, "refresh": refresh, "color": color})
        return pd.DataFrame({"id": [1, 2], "color": [color, color]})

    module = types.ModuleType("fake_service")
    module.FakeClient = FakeClient  # type: ignore[attr-defined]
    module.load_things = load_things  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_service", module)
    resources = (Resource("things", "fake_service:load_things"),)
    fake = dataclasses.replace(REGISTRY["glasshat"], client="fake_service:FakeClient", resources=resources)
    monkeypatch.setitem(REGISTRY, "fake", fake)
    out = tmp_path / "things.csv"
    assert main(["fetch", "things", "--service", "fake", "--out", str(out), "--filter", "color=blue", "--offline"]) == 0
    (call,) = calls
    assert isinstance(call["client"], FakeClient) and call["client"].offline is True
    assert (call["refresh"], call["color"]) == (False, "blue")
    assert out.read_text().splitlines() == ["id,color", "1,blue", "2,blue"]
    assert capsys.readouterr().err == f"apitoolkit fetch: 2 rows, 2 columns written to {out} (from unknown)\n"
    assert main(["fetch", "thing", "--service", "fake", "--out", str(out)]) == 2
    assert "unknown fake resource 'thing' (did you mean 'things'?)" in capsys.readouterr().err


def test_fetch__missing_credentials_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "users", "--out", str(tmp_path / "out" / "u.parquet")]) == 1
    assert "ITGLUE_API_KEY" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def testfilter_value__ints_lists_and_text() -> None:
    assert filter_value("organization_id", ["123"], None) == 123
    assert filter_value("user_id", ["1,2", "3"], None) == [1, 2, 3]
    assert filter_value("name", ["Ana Díaz"], None) == "Ana Díaz"
    assert filter_value("phone", ["0123", "-5", "²", "1.5"], None) == ["0123", -5, "²", "1.5"]


def testfilter_value__booleans_for_boolean_arguments() -> None:
    import inspect

    from apitoolkit.hitask import load_items

    param = inspect.signature(load_items).parameters["include_completed"]
    assert filter_value("include_completed", ["False"], param) is False
    assert filter_value("include_completed", ["yes"], param) is True
    with pytest.raises(UsageError, match="true or false"):
        filter_value("include_completed", ["maybe"], param)


def testfilter_value__empty_value_is_refused() -> None:
    with pytest.raises(UsageError, match="empty value"):
        filter_value("user_id", ["1,"], None)


def test_cache_info__empty_and_off(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache", "info"]) == 0
    assert "is empty" in capsys.readouterr().out
    assert main(["cache", "info", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    monkeypatch.setenv("APITOOLKIT_CACHE", "off")
    assert main(["cache", "info"]) == 0
    assert "Caching is off" in capsys.readouterr().out


def test_cache_info__a_bad_setting_exits_1(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("APITOOLKIT_CACHE", "redis://localhost")
    assert main(["cache", "info"]) == 1
    assert "APITOOLKIT_CACHE" in capsys.readouterr().err


def test_cache__needs_an_action(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["cache"])
    assert exit_info.value.code == 2


def test_cache_clear__without_yes_and_without_a_terminal_refuses(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    held = cache_dir / "http" / "itglue-abc.sqlite"
    held.parent.mkdir(parents=True)
    held.write_bytes(b"x" * 10)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["cache", "clear"]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert held.exists()


def test_cache_clear__asks_in_a_terminal(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    held = cache_dir / "http" / "itglue-abc.sqlite"
    held.parent.mkdir(parents=True)
    held.write_bytes(b"x" * 10)
    monkeypatch.setattr("sys.stdin", _Terminal("n\n"))
    assert main(["cache", "clear"]) == 1
    assert "Nothing removed" in capsys.readouterr().out and held.exists()
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))
    assert main(["cache", "clear"]) == 0
    out = capsys.readouterr().out
    assert "Delete every service's data" in out and "removed itglue http cache of account abc" in out
    assert "Freed 10 B" in out and not held.exists()


def test_cache_clear__nothing_to_remove(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cache", "clear", "--service", "glasshat", "--yes"]) == 0
    assert "holds no glasshat data" in capsys.readouterr().out


class _Terminal(io.StringIO):
    """Standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def testfilter_value__an_escaped_comma_stays_inside_the_value() -> None:
    assert filter_value("name", ["Kub\\, Reynolds and Gibson"], None) == "Kub, Reynolds and Gibson"
    assert filter_value("name", ["Kub\\, Reynolds,Acme"], None) == ["Kub, Reynolds", "Acme"]


def test_cli__version(capsys: pytest.CaptureFixture[str]) -> None:
    import apitoolkit

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"apitoolkit {apitoolkit.__version__}\n"


@pytest.mark.parametrize("command", ["emulator", "demo"])
def test_cli__every_option_of_the_emulator_and_demo_shows_its_default(command: str) -> None:
    options = [a for a in _subparser(build_parser(), command)._actions if a.option_strings and a.dest != "help"]
    assert options
    for action in options:
        assert "(default" in (action.help or ""), action.option_strings
        if action.default is not None:
            shown = "reports/" if command == "demo" and action.dest == "out" else str(action.default)
            assert shown.rstrip("0").rstrip(".") in (action.help or ""), action.option_strings  # 0.0 is shown as 0


def test_cli__report_help_lists_every_report_with_its_parameters_and_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from apitoolkit.reports import REPORTS, report_parameters

    with pytest.raises(SystemExit) as done:
        main(["report", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "usage: apitoolkit report" in out and "reports and their parameters (-p KEY=VALUE):" in out
    for name, report in REPORTS.items():
        assert f"  {name}: {report.title}\n" in out
        for key, (default, what) in report_parameters(name).items():
            assert re.search(rf"^    {re.escape(f'{key}={default}')} +{re.escape(what)}$", out, flags=re.M), key
    listing = out.split("reports and their parameters", 1)[1]
    assert "horizon=90" in listing.split("  expirations:", 1)[1].split("  activity_logs:", 1)[0]


def test_cli__report_help_is_read_only_when_asked_for() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from apitoolkit.cli import main; "
        "import contextlib, io\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()): main(['fetch', '--help'])\n"
        "assert 'papermill' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_fetch__messages_name_the_offline_option_not_the_argument(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib
    import warnings

    from apitoolkit.exceptions import ServerError, StaleDataWarning

    def failing(**kwargs: object) -> None:
        warnings.warn("users: stale; cached data stays usable with offline=True.", StaleDataWarning, stacklevel=1)
        raise ServerError(
            "IT Glue 503. The service or the network failed: try again later; cached data stays "
            "usable with offline=True."
        )

    monkeypatch.setenv("ITGLUE_API_KEY", "itg-test")
    monkeypatch.setenv("ITGLUE_BASE_URL", "http://127.0.0.1:9")
    module, name = REGISTRY["itglue"].resource("users").loader.split(":")
    monkeypatch.setattr(importlib.import_module(module), name, failing)
    assert main(["fetch", "users", "--out", str(tmp_path / "u.csv")]) == 1
    err = capsys.readouterr().err
    assert "offline=True" not in err
    assert err.count("usable with --offline.") == 2, err
