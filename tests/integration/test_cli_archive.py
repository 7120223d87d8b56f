"""`python -m apitoolkit archive sync` as cron runs it: a child process against the running emulator server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from apitoolkit.archive import ARCHIVED, Archive
from apitoolkit.emulator import EmulatorServer
from tests.helpers import files_containing


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "apitoolkit", "archive", *argv]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def cron_env(emulator: EmulatorServer, tmp_path: Path) -> dict[str, str]:
    """The environment of a cron line: the emulator's credentials, a cache and APITOOLKIT_ARCHIVE."""
    return {
        **os.environ,
        **emulator.environ(),
        "APITOOLKIT_CACHE": str(tmp_path / "cache"),
        "APITOOLKIT_ARCHIVE": str(tmp_path / "archive"),
        "APITOOLKIT_PROGRESS": "0",
    }


@pytest.mark.slow
def test_archive_sync__as_a_child_process_then_again_then_info(cron_env: dict[str, str], tmp_path: Path) -> None:
    first = _run(["sync"], cron_env)
    assert first.returncode == 0, first.stderr
    assert first.stderr == ""  # cron mails whatever a job prints on stderr
    lines = first.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"{s}/{r}" for s, r in ARCHIVED]
    archive = Archive(tmp_path / "archive")
    logs = archive.scan("itglue", "logs")
    assert len(logs) > 0 and logs["id"].is_unique
    assert lines[0].startswith(f"itglue/logs: {len(logs)} rows added, 0 replaced")

    second = _run(["sync"], cron_env)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[0].startswith("itglue/logs: 0 rows added")
    assert second.stdout.splitlines()[-1].startswith("hitask/items: 0 versions added, 0 closed")
    assert len(archive.scan("itglue", "logs")) == len(logs)

    info = _run(["info"], cron_env)
    assert info.returncode == 0, info.stderr
    assert f"in {tmp_path / 'archive'}" in info.stdout.splitlines()[-1]
    for secret in ("ITGLUE_API_KEY", "HITASK_API_KEY", "HITASK_PASSWORD"):
        value = cron_env[secret]
        assert value not in first.stdout + first.stderr + second.stdout + info.stdout
        assert files_containing(tmp_path / "archive", value) == []


def test_archive_sync__a_refused_key_fails_that_service_only(cron_env: dict[str, str], tmp_path: Path) -> None:
    done = _run(["sync"], {**cron_env, "HITASK_API_KEY": "wrong-hitask-key"})
    assert done.returncode == 1
    assert [line.split(":")[0] for line in done.stdout.splitlines()] == [
        f"{s}/{r}" for s, r in ARCHIVED if s == "itglue"
    ]
    assert "apitoolkit archive sync: hitask/items failed (left as it was): " in done.stderr
    assert "wrong-hitask-key" not in done.stderr
    assert not (tmp_path / "archive" / "hitask" / "items").exists()


def test_archive_sync__unwritable_location_fails_before_any_request(
    cron_env: dict[str, str], emulator: EmulatorServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = _run(["sync", "--location", str(blocker / "archive")], cron_env)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"apitoolkit archive sync: The archive directory {blocker / 'archive'} cannot be")
    assert emulator.app.stats.requests == []
