"""The apitoolkit command line: parsing, help, and a clear error when the emulator's port is taken."""

from __future__ import annotations

import socket

import pytest

from apitoolkit.cli import build_parser, main


def test_cli__emulator_defaults() -> None:
    args = build_parser().parse_args(["emulator"])
    assert (args.port, args.host, args.seed, args.size, args.latency) == (8765, "127.0.0.1", 1, "small", 0.0)


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


def test_demo__prints_a_summary_and_reruns_from_cache(tmp_path) -> None:
    import subprocess
    import sys

    env = {**__import__("os").environ, "APITOOLKIT_CACHE": str(tmp_path / "cache"), "APITOOLKIT_PROGRESS": "0"}
    first = subprocess.run(
        [sys.executable, "-m", "apitoolkit", "demo", "--port", "0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert first.returncode == 0, first.stderr
    for expected in ("users", "logs (30 days)", "Top reputations", "Expirations due in the next 30 days"):
        assert expected in first.stdout
    assert "from network" in first.stdout
    assert "itg-emulator" not in first.stdout  # the emulator's key is not printed by the demo
