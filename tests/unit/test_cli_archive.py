"""`apitoolkit archive`: sync, query, info, compact and prune run in process, on a temporary archive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from apitoolkit.archive import ARCHIVED, Archive
from apitoolkit.cli import main
from apitoolkit.cli.archive import KEPT
from apitoolkit.emulator import mock_emulator
from tests.helpers import hitask_items

#: What the command must not import just to parse its arguments or print its help.
HEAVY = {"pandas", "numpy", "pyarrow", "requests", "matplotlib", "deltalake", "duckdb"}


def _logs() -> pd.DataFrame:
    """Four IT Glue log rows over two months, with the loader's core dtypes."""
    return pd.DataFrame(
        {
            "id": pd.array([1, 2, 3, 4], dtype="Int64"),
            "created_at": pd.to_datetime(
                ["2026-10-30 08:00", "2026-10-31 09:00", "2026-11-02 10:00", "2026-11-03 11:00"], utc=True
            ).astype("datetime64[us, UTC]"),
            "action": pd.Series(["create", "view", "view", "update"], dtype="str"),
        }
    )


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """An archive with four logs and two Hitask items, written with `Archive.write`."""
    where = tmp_path / "archive"
    archive = Archive(where)
    archive.write("itglue", "logs", _logs())
    items = hitask_items({"time_last_update": "2026-11-01 10:00"}, {"time_last_update": "2026-11-02 10:00"})
    archive.write("hitask", "items", items, now="2026-11-03")
    return where


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")) if root.exists() else []


def test_archive_cli__kept_names_are_the_archived_resources() -> None:
    assert {(s, r) for s, rs in KEPT.items() for r in rs} == set(ARCHIVED)


@pytest.mark.parametrize("argv", [["archive", "--help"], ["archive", "sync", "--help"], ["archive", "query", "-h"]])
def test_archive_cli__help_imports_no_heavy_module(argv: list[str]) -> None:
    command = [sys.executable, "-X", "importtime", "-m", "apitoolkit", *argv]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    assert "usage: apitoolkit archive" in done.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert "apitoolkit.cli.archive" in imported  # the trace is complete
    heavy = {name for name in imported if name.split(".")[0] in HEAVY}
    assert not heavy, sorted(heavy)


def test_archive_cli__info_lists_rows_range_and_human_sizes(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "info", "--location", str(filled)]) == 0
    out = capsys.readouterr().out.splitlines()
    header, logs = out[0].split(), next(line for line in out if line.split()[:2] == ["itglue", "logs"])
    assert header == ["service", "resource", "rows", "first", "last", "files", "size", "version"]
    assert logs.split()[2] == "4" and "2026-10-30 08:00:00+00:00" in logs and "2026-11-03 11:00:00+00:00" in logs
    assert " kB" in logs or " B" in logs
    assert out[-1].endswith(f"in {filled}") and " files, " in out[-1]


def test_archive_cli__info_of_an_empty_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["archive", "info", "--location", str(tmp_path / "none")]) == 0
    assert "holds nothing yet: run `apitoolkit archive sync`" in capsys.readouterr().out


def test_archive_cli__location_defaults_to_the_environment(
    filled: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("APITOOLKIT_ARCHIVE", str(filled))
    assert main(["archive", "query", "SELECT count(*) AS n FROM itglue_logs"]) == 0
    assert capsys.readouterr().out.split() == ["n", "4"]


def test_archive_cli__query_prints_a_table_in_a_zone(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "SELECT id, created_at FROM itglue_logs WHERE id = 1"
    assert main(["archive", "query", sql, "--location", str(filled), "--tz", "Asia/Tokyo"]) == 0
    assert capsys.readouterr().out.split() == ["id", "created_at", "1", "2026-10-30", "17:00"]


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".xlsx"])
def test_archive_cli__query_out_writes_the_result(filled: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / "exports" / f"logs{suffix}"
    sql = "SELECT id, action FROM itglue_logs ORDER BY id"
    assert main(["archive", "query", sql, "--location", str(filled), "--out", str(out)]) == 0
    read = {".parquet": pd.read_parquet, ".csv": pd.read_csv, ".xlsx": pd.read_excel}[suffix]
    back = read(out)
    assert back["id"].tolist() == [1, 2, 3, 4]
    assert back["action"].tolist() == ["create", "view", "view", "update"]
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # atomic: no temporary file left


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--out", "x.json"], "--out x.json must end in .parquet, .csv or .xlsx."),
        (["--out", "x.csv", "--tz", "Asia/Tokyo"], "--tz applies to .xlsx files only"),
        (["--tz", "Mars/Olympus"], "'Mars/Olympus' is not a time zone"),
    ],
)
def test_archive_cli__query_bad_out_or_zone_is_a_usage_error(
    filled: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["archive", "query", "SELECT 1", "--location", str(filled), *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("apitoolkit archive query: ") and message in err


def test_archive_cli__bad_sql_is_one_line_naming_the_views(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _tree(filled)
    assert main(["archive", "query", "SELECT nope FROM itglue_logz", "--location", str(filled)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("apitoolkit archive query: The archive query failed:")
    assert "itglue_logs" in lines[0] and "hitask_items" in lines[0]
    assert _tree(filled) == before


@pytest.mark.parametrize(
    "argv",
    [
        ["sync", "--resource", "tickets"],
        ["sync", "--service", "glasshat"],
        (["compact", "--service", "itglue", "--resource", "items"]),
        (["prune", "--older-than", "30", "--resource", "tickets"]),
    ],
)
def test_archive_cli__unknown_resource_is_a_usage_error(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    where = tmp_path / "archive"
    assert main(["archive", *argv, "--location", str(where)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"apitoolkit archive {argv[0]}: The archive ")
    assert "itglue/logs" in err or "itglue" in err  # says what it keeps
    assert not where.exists()


@pytest.mark.parametrize("action", [["sync"], ["compact"], ["prune", "--older-than", "30"]])
def test_archive_cli__unwritable_location_fails_naming_it(
    tmp_path: Path, action: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    where = blocker / "archive"
    assert main(["archive", *action, "--location", str(where)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"apitoolkit archive {action[0]}: ") and str(where) in err and "cannot be written" in err
    assert blocker.read_text() == "not a directory"
    assert len(err.strip().splitlines()) == 1


def test_archive_cli__compact_merges_files_and_prints_a_line_per_resource(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = Archive(filled)
    for n in range(5, 9):  # small writes: one more file each
        archive.write("itglue", "logs", _logs().iloc[3:].assign(id=pd.array([n], dtype="Int64")))
    files_before = int(archive.info().set_index("resource").loc["logs", "files"])
    assert main(["archive", "compact", "--service", "itglue", "--location", str(filled)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"{s}/{r}" for s, r in ARCHIVED if s == "itglue"]
    assert lines[0].startswith("itglue/logs: ") and lines[0].endswith(" files merged into 1")
    after = archive.info().set_index("resource")
    assert int(after.loc["logs", "files"]) < files_before
    assert int(after.loc["logs", "rows"]) == 8


def test_archive_cli__prune_deletes_older_rows(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["archive", "prune", "--older-than", "2026-11-01", "--resource", "logs", "--location", str(filled)]
    assert main(argv) == 0
    assert capsys.readouterr().out == "itglue/logs: 2 rows deleted\n"
    assert Archive(filled).scan("itglue", "logs")["id"].tolist() == [3, 4]


@pytest.mark.parametrize("value", ["someday", "-3", "2026-13-45"])
def test_archive_cli__bad_older_than_is_a_usage_error(
    filled: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _tree(filled)
    assert main(["archive", "prune", f"--older-than={value}", "--location", str(filled)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("apitoolkit archive prune: ") and value.lstrip("-") in err
    assert _tree(filled) == before


# ---------------------------------------------------------------------------------------- sync, in process
@pytest.fixture
def emulator_env(emulator_in_process: mock_emulator, monkeypatch: pytest.MonkeyPatch) -> mock_emulator:
    """The in-process emulator's credentials in the environment, as cron would have them."""
    emulator_in_process.app.reset()
    for name, value in emulator_in_process.environ().items():
        monkeypatch.setenv(name, value)
    return emulator_in_process


def test_archive_cli__sync_prints_a_line_per_resource_and_a_rerun_adds_no_logs(
    emulator_env: mock_emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = tmp_path / "archive"
    assert main(["archive", "sync", "--location", str(where)]) == 0
    first = capsys.readouterr()
    assert first.err == ""
    lines = first.out.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"{s}/{r}" for s, r in ARCHIVED]
    logs = Archive(where).scan("itglue", "logs")
    assert lines[0].startswith(f"itglue/logs: {len(logs)} rows added, 0 replaced (") and len(logs) > 0
    assert lines[-1].startswith("hitask/items: ") and " versions added, 0 closed (" in lines[-1]
    assert main(["archive", "sync", "--service", "itglue", "--resource", "logs", "--location", str(where)]) == 0
    assert capsys.readouterr().out.startswith("itglue/logs: 0 rows added, 0 replaced (")
    secret = emulator_env.environ()["ITGLUE_API_KEY"]
    assert secret not in first.out + first.err


def test_archive_cli__a_failing_resource_is_named_and_the_others_synced(
    emulator_env: mock_emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HITASK_API_KEY", "wrong-key-0000")
    where = tmp_path / "archive"
    assert main(["archive", "sync", "--location", str(where)]) == 1
    captured = capsys.readouterr()
    assert [line.split(":")[0] for line in captured.out.splitlines()] == [
        f"{s}/{r}" for s, r in ARCHIVED if s == "itglue"
    ]
    (line,) = [line for line in captured.err.splitlines() if "failed" in line]
    assert line.startswith("apitoolkit archive sync: hitask/items failed (left as it was): ")
    assert "wrong-key-0000" not in captured.err
    assert not (where / "hitask" / "items").exists()
    assert len(Archive(where).scan("itglue", "users")) > 0


def test_archive_cli__a_nightly_sync_without_hitask_credentials_skips_it_and_exits_0(
    emulator_env: mock_emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("HITASK_API_KEY", "HITASK_LOGIN", "HITASK_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert main(["archive", "sync", "--location", str(tmp_path / "archive")]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert captured.out.splitlines()[-1] == (
        "hitask/items: skipped, no Hitask credentials (HITASK_API_KEY, HITASK_LOGIN, HITASK_PASSWORD)"
    )
