"""The apitoolkit command line: parsing, help, clear errors, fetch's arguments and files, the cache commands."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from apitoolkit.cli import (
    _CLIENTS,
    _ITGLUE_COUNTS,
    _RESOURCES,
    _emulator_server,
    _filter_value,
    _json_nested,
    _size_text,
    _UsageError,
    _write_frame,
    build_parser,
    main,
)


def test_cli__emulator_defaults() -> None:
    args = build_parser().parse_args(["emulator"])
    assert (args.port, args.host, args.seed, args.size, args.latency) == (8765, "127.0.0.1", 1, "small", 0.0)


def test_cli__emulator_count_options_parse_and_default_to_the_size() -> None:
    args = build_parser().parse_args(["emulator", "--users", "7", "--metric-days", "2", "--logs", "0"])
    assert (args.users, args.metric_days, args.logs) == (7, 2, 0)
    assert (args.organizations, args.expirations) == (None, None)


def test_cli__emulator_count_options_are_the_emulator_counts() -> None:
    from apitoolkit.emulator.itglue.data import COUNT_NAMES

    assert tuple(_ITGLUE_COUNTS) == COUNT_NAMES


@pytest.mark.parametrize("value", ["-1", "1.5", "many", ""])
def test_cli__emulator_count_must_be_a_whole_number(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["emulator", "--users", value])
    assert "is not a count" in capsys.readouterr().err


def test_cli__emulator_gets_the_counts_over_the_size() -> None:
    options = ["emulator", "--size", "small", "--users", "5", "--logs", "9", "--expirations", "0", "--latency", "0.01"]
    server = _emulator_server(build_parser().parse_args(options))
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
def test_demo__summary_and_every_report_then_a_rerun_from_cache(tmp_path) -> None:
    import subprocess
    import sys

    env = {**__import__("os").environ, "APITOOLKIT_CACHE": str(tmp_path / "cache"), "APITOOLKIT_PROGRESS": "0"}
    command = [sys.executable, "-m", "apitoolkit", "demo", "--port", "0", "--out", str(tmp_path / "reports")]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    for expected in ("users", "logs (30 days)", "Top reputations", "Expirations due in the next 30 days"):
        assert expected in first.stdout
    assert "from network" in first.stdout
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

    for service, resources in _RESOURCES.items():
        module = importlib.import_module(f"apitoolkit.{service}")
        loaders = {name.removeprefix("load_") for name in module.__all__ if name.startswith("load_")}
        assert set(resources) == loaders - {"resource"}, service
        assert _CLIENTS[service] in module.__all__


def test_fetch__missing_credentials_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "users", "--out", str(tmp_path / "out" / "u.parquet")]) == 1
    assert "ITGLUE_API_KEY" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_filter_value__ints_lists_and_text() -> None:
    assert _filter_value("organization_id", ["123"], None) == 123
    assert _filter_value("user_id", ["1,2", "3"], None) == [1, 2, 3]
    assert _filter_value("name", ["Ana Díaz"], None) == "Ana Díaz"
    assert _filter_value("phone", ["0123", "-5", "²", "1.5"], None) == ["0123", -5, "²", "1.5"]


def test_filter_value__booleans_for_boolean_arguments() -> None:
    import inspect

    from apitoolkit.hitask import load_items

    param = inspect.signature(load_items).parameters["include_completed"]
    assert _filter_value("include_completed", ["False"], param) is False
    assert _filter_value("include_completed", ["yes"], param) is True
    with pytest.raises(_UsageError, match="true or false"):
        _filter_value("include_completed", ["maybe"], param)


def test_filter_value__empty_value_is_refused() -> None:
    with pytest.raises(_UsageError, match="empty value"):
        _filter_value("user_id", ["1,"], None)


def test_json_nested__lists_and_structs_become_json_text() -> None:
    import pandas as pd
    import pyarrow as pa

    frame = pd.DataFrame(
        {
            "id": [1, 2],
            "tags": pd.array([["a", "é"], None], pd.ArrowDtype(pa.list_(pa.string()))),
            "who": pd.array([[{"id": 7}], []], pd.ArrowDtype(pa.list_(pa.struct([("id", pa.int64())])))),
            "raw": [[1, 2], None],
        }
    )
    out = _json_nested(frame)
    assert out["tags"].tolist() == ['["a","é"]', None]
    assert out["who"].tolist() == ['[{"id":7}]', "[]"]
    assert out["raw"].tolist() == ["[1,2]", None]
    assert out["id"].tolist() == [1, 2]
    assert isinstance(frame["tags"].dtype, pd.ArrowDtype)  # the input is left alone


def test_write_frame__creates_the_directory_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame({"id": pd.array([1, None], "Int64")})
    frame.attrs["apitoolkit"] = {"source": "network"}
    target = tmp_path / "a" / "b" / "ids.parquet"
    _write_frame(frame, target)
    assert list(target.parent.iterdir()) == [target]
    back = pd.read_parquet(target)
    pd.testing.assert_frame_equal(back, frame)
    assert back.attrs == {}


def test_write_frame__list_columns_read_back_with_pandas(tmp_path: Path) -> None:
    import pandas as pd
    import pyarrow as pa

    frame = pd.DataFrame(
        {
            "id": pd.array([1, None], "Int64"),
            "tags": pd.array([["a"], None], pd.ArrowDtype(pa.list_(pa.string()))),
            "who": pd.array([[7, 8], []], pd.ArrowDtype(pa.list_(pa.int64()))),
        }
    )
    target = tmp_path / "items.parquet"
    _write_frame(frame, target)
    back = pd.read_parquet(target)
    assert back["id"].dtype == "Int64"
    assert [None if v is None else list(v) for v in back["tags"]] == [["a"], None]
    assert [list(v) for v in back["who"]] == [[7, 8], []]
    assert pd.read_parquet(target, dtype_backend="pyarrow")["who"].dtype == frame["who"].dtype


def test_write_frame__a_failed_write_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pandas as pd

    target = tmp_path / "ids.csv"
    target.write_text("id\n1\n")

    def fail(self: pd.DataFrame, path: Path, **kwargs: object) -> None:
        Path(path).write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", fail)
    with pytest.raises(OSError):
        _write_frame(pd.DataFrame({"id": [2]}), target)
    assert list(tmp_path.iterdir()) == [target]
    assert target.read_text() == "id\n1\n"


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


def test_size_text__units() -> None:
    assert [_size_text(n) for n in (0, 999, 1000, 1_234_567, 5 * 10**12)] == [
        "0 B",
        "999 B",
        "1.0 kB",
        "1.2 MB",
        "5000.0 GB",
    ]


class _Terminal(io.StringIO):
    """Standard input that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_filter_value__an_escaped_comma_stays_inside_the_value() -> None:
    assert _filter_value("name", ["Kub\\, Reynolds and Gibson"], None) == "Kub, Reynolds and Gibson"
    assert _filter_value("name", ["Kub\\, Reynolds,Acme"], None) == ["Kub, Reynolds", "Acme"]
