"""`apitoolkit fetch` and `apitoolkit cache` against the running emulator: files equal to the loaders' frames."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

import apitoolkit
from apitoolkit.cli import main
from apitoolkit.emulator import EmulatorServer
from apitoolkit.hitask import flush_snapshots, load_items, load_tags
from apitoolkit.itglue import load_expirations, load_logs, load_organizations


@pytest.fixture
def environ(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The emulator's credentials and servers in the environment, as a script would have them."""
    values: dict[str, str] = emulator.environ()
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def fetch(*argv: str) -> int:
    return main(["fetch", *argv])


def test_fetch__users_to_parquet_equal_the_loader(
    environ: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "exports" / "users.parquet"
    assert fetch("users", "--out", str(out)) == 0
    expected = apitoolkit.load_users()
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    shape = f"{len(expected)} rows, {len(expected.columns)} columns"
    assert capsys.readouterr().err == f"apitoolkit fetch: {shape} written to {out} (from network)\n"
    assert list(out.parent.iterdir()) == [out]


def test_fetch__users_to_csv(environ: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "users.csv"
    assert fetch("users", "--out", str(out)) == 0
    back = pd.read_csv(out)
    expected = apitoolkit.load_users()
    assert back.columns.tolist() == expected.columns.tolist()
    assert back["id"].tolist() == expected["id"].tolist()
    assert back["email"].fillna("").tolist() == expected["email"].fillna("").tolist()
    parsed = pd.to_datetime(back["created_at"], utc=True, format="ISO8601")
    assert (parsed == expected["created_at"]).all()


def test_fetch__users_to_excel_in_a_local_zone(environ: dict[str, str], tmp_path: Path) -> None:
    import openpyxl

    out = tmp_path / "users.xlsx"
    assert fetch("users", "--out", str(out), "--tz", "Asia/Tokyo") == 0
    sheet = openpyxl.load_workbook(out).worksheets[0]
    header, *rows = ([cell.value for cell in row] for row in sheet.iter_rows())
    expected = apitoolkit.load_users()
    assert header[0] == "id" and "created_at (Asia/Tokyo)" in header and len(rows) == len(expected)
    assert [r[0] for r in rows] == expected["id"].tolist()
    names = header.index("first_name")
    assert [r[names] for r in rows] == [None if pd.isna(v) else v for v in expected["first_name"]]
    created = header.index("created_at (Asia/Tokyo)")
    local = expected["created_at"].dt.tz_convert("Asia/Tokyo").dt.tz_localize(None).dt.floor("ms")
    assert [pd.Timestamp(r[created]).floor("ms") for r in rows] == local.tolist()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--out", "u.csv", "--tz", "Europe/London"], "--tz applies to .xlsx files only: u.csv keeps times in UTC."),
        (["--out", "u.xlsx", "--tz", "Mars/Olympus"], "--tz 'Mars/Olympus' is not a time zone: use a name such as"),
    ],
)
def test_fetch__tz_is_for_excel_and_must_be_a_zone(
    argv: list[str],
    message: str,
    environ: dict[str, str],
    emulator: EmulatorServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert fetch("users", *argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("apitoolkit fetch: ") and message in err and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert emulator.app.stats.snapshot()["total"] == 0


def test_fetch__reruns_come_from_the_cache_unless_refreshed(
    environ: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "orgs.parquet")
    assert fetch("organizations", "--out", out) == 0
    assert fetch("organizations", "--out", out) == 0
    assert fetch("organizations", "--out", out, "--refresh") == 0
    sources = [line.rsplit("(from ", 1)[1] for line in capsys.readouterr().err.splitlines()]
    assert sources == ["network)", "frame-cache)", "network)"]


def test_fetch__offline_serves_the_cache_and_fails_on_a_miss(
    environ: dict[str, str], emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "users.parquet"
    assert fetch("users", "--out", str(out), "--offline") == 1
    assert "not in the cache" in capsys.readouterr().err
    assert not out.exists()
    assert fetch("users", "--out", str(out)) == 0
    before = emulator.app.stats.snapshot()["total"]
    assert fetch("users", "--out", str(out), "--offline") == 0
    assert "(from frame-cache)" in capsys.readouterr().err
    assert emulator.app.stats.snapshot()["total"] == before


def test_fetch__hitask_items_to_csv_with_lists_as_json(environ: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "items.csv"
    assert fetch("items", "--service", "hitask", "--out", str(out)) == 0
    flush_snapshots()
    back = pd.read_csv(out)
    expected = load_items()
    flush_snapshots()
    assert back["id"].tolist() == expected["id"].tolist()
    assert [json.loads(text) for text in back["tags"]] == [list(tags) for tags in expected["tags"]]
    assert [json.loads(text) for text in back["participants"]] == [list(p) for p in expected["participants"]]


def test_fetch__hitask_tags_to_parquet(environ: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "tags.parquet"
    assert fetch("tags", "--service", "hitask", "--out", str(out)) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out), load_tags())


def test_fetch__hitask_filters_become_arguments(environ: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "open-tasks.parquet"
    argv = ["items", "--service", "hitask", "--out", str(out), "--filter", "category=task,event"]
    assert fetch(*argv, "--filter", "include_completed=false") == 0
    flush_snapshots()
    expected = load_items(category=["task", "event"], include_completed=False)
    flush_snapshots()
    written = pd.read_parquet(out)
    assert len(written) and set(written["category"]) <= {"task", "event"}
    assert written["id"].tolist() == expected["id"].tolist()
    assert [list(tags) for tags in written["tags"]] == [list(tags) for tags in expected["tags"]]
    as_loaded = pd.read_parquet(out, dtype_backend="pyarrow")
    assert as_loaded["participants"].dtype == expected["participants"].dtype


def test_fetch__filters_lists_and_ints(environ: dict[str, str], emulator: EmulatorServer, tmp_path: Path) -> None:
    everyone = load_organizations()
    first, second = (int(i) for i in everyone["id"][:2])
    out = tmp_path / "two.parquet"
    assert fetch("organizations", "--out", str(out), "--filter", f"id={first}", "--filter", f"id={second}") == 0
    assert sorted(pd.read_parquet(out)["id"]) == sorted([first, second])
    assert any(r.query.get("filter[id]") == [f"{first},{second}"] for r in emulator.app.stats.requests)

    out = tmp_path / "due.parquet"
    assert fetch("expirations", "--out", str(out), "--filter", f"organization_id={first}") == 0
    expected = load_expirations(organization_id=first)
    assert pd.read_parquet(out)["id"].tolist() == expected["id"].tolist()


def test_fetch__start_and_end_on_logs(environ: dict[str, str], tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    start, end = (today - timedelta(days=4)).isoformat(), (today - timedelta(days=2)).isoformat()
    out = tmp_path / "logs.parquet"
    assert fetch("logs", "--start", start, "--end", end, "--out", str(out)) == 0
    written = pd.read_parquet(out)
    pd.testing.assert_frame_equal(written, load_logs(start, end))
    assert len(written)
    assert written["created_at"].min() >= pd.Timestamp(start, tz="UTC")
    # A date-only --end includes that whole day (apitoolkit.arguments, "Date ranges").
    assert written["created_at"].max() < pd.Timestamp(end, tz="UTC") + pd.Timedelta(days=1)
    assert (written["created_at"].dt.strftime("%Y-%m-%d") == end).any()


def test_fetch__an_end_with_a_time_is_exact(environ: dict[str, str], tmp_path: Path) -> None:
    today = datetime.now(UTC).date()
    start, end = (today - timedelta(days=3)).isoformat(), f"{today - timedelta(days=2)}T12:00:00Z"
    out = tmp_path / "logs.csv"
    assert fetch("logs", "--start", start, "--end", end, "--out", str(out)) == 0
    written = pd.to_datetime(pd.read_csv(out)["created_at"], utc=True, format="ISO8601")
    expected = load_logs(start, end)["created_at"]
    assert len(written) == len(expected) > 0 and written.max() == expected.max() <= pd.Timestamp(end)
    assert len(load_logs(start, (today - timedelta(days=2)).isoformat())) > len(expected)


def test_fetch__warnings_are_one_line_each(
    environ: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    today = datetime.now(UTC).date()
    start, end = (today - timedelta(days=60)).isoformat(), (today - timedelta(days=59)).isoformat()
    assert fetch("logs", "--start", start, "--end", end, "--out", str(tmp_path / "old.csv")) == 0
    first, second = capsys.readouterr().err.splitlines()
    assert first.startswith("apitoolkit fetch: warning: IT Glue keeps logs for 30 days")
    assert second.startswith("apitoolkit fetch: 0 rows, ")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["userz"], "unknown itglue resource 'userz' (did you mean 'users'?): use one of users, organizations, "),
        (["users", "--service", "glasshat"], "unknown glasshat resource 'users': use one of clients, projects, tasks."),
        (["users", "--start", "2026-01-01"], "itglue users takes no --start/--end; itglue resources that do: "),
        (["tags", "--service", "hitask", "--filter", "a=1"], "hitask tags has no filter 'a': it takes none."),
        (
            ["items", "--service", "hitask", "--filter", "color=red"],
            "it takes category, full_reload_after, include_completed.",
        ),
        (["logs", "--filter", "start=2026-01-01"], "itglue logs has no filter 'start' (use --start): it takes none."),
        (["users", "--filter", "rolename=Editor"], "Did you mean 'role_name'? Filters it accepts: email, id, name,"),
        (["contacts", "--service", "happygrasshopper", "--filter", "companyy=A"], "Use company, email, first_name"),
        (["item_history", "--service", "hitask"], "hitask item_history needs --filter item_id=VALUE."),
        (["items", "--service", "hitask", "--filter", "include_completed=maybe"], "takes one of true or false"),
        (["items", "--service", "hitask", "--filter", "category=chore"], "Unknown Hitask categories ['chore']"),
        (["logs", "--start", "someday"], "start='someday' is not a date"),
        (["logs", "--start", "2026-11-20", "--end", "2026-11-10"], "is after end"),
    ],
)
def test_fetch__bad_input_exits_2_with_one_line(
    argv: list[str],
    message: str,
    environ: dict[str, str],
    emulator: EmulatorServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out" / "data.parquet"
    assert fetch(*argv, "--out", str(out)) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.err.startswith("apitoolkit fetch: ") and captured.err.count("\n") == 1
    assert captured.out == ""
    assert not (tmp_path / "out").exists()
    assert emulator.app.stats.snapshot()["total"] == 0


@pytest.mark.parametrize("name", ["users.json", "users.parquet.gz", "users", "users.xls"])
def test_fetch__output_must_be_parquet_csv_or_xlsx(
    name: str, environ: dict[str, str], emulator: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch("users", "--out", str(tmp_path / name)) == 2
    expected = f"apitoolkit fetch: --out {tmp_path / name} must end in .parquet, .csv or .xlsx.\n"
    assert capsys.readouterr().err == expected
    assert list(tmp_path.iterdir()) == []
    assert emulator.app.stats.snapshot()["total"] == 0


def test_fetch__wrong_key_exits_1_without_file_or_key(
    environ: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "itg-wrong-secret-8f3a"
    monkeypatch.setenv("ITGLUE_API_KEY", secret)
    out = tmp_path / "exports" / "users.parquet"
    assert fetch("users", "--out", str(out)) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("apitoolkit fetch: IT Glue 403") and captured.err.count("\n") == 1
    assert "Traceback" not in captured.err
    assert secret not in captured.out + captured.err
    assert not (tmp_path / "exports").exists()


def test_fetch__a_failed_refresh_keeps_the_previous_file(
    environ: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "users.csv"
    assert fetch("users", "--out", str(out)) == 0
    before = out.read_bytes()
    monkeypatch.setenv("ITGLUE_API_KEY", "itg-wrong-secret-8f3a")
    assert fetch("users", "--out", str(out), "--refresh") == 1
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "users.csv"]


def test_cache_info__lists_what_fetch_stored(
    environ: dict[str, str], cache_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch("users", "--out", str(tmp_path / "users.parquet")) == 0
    assert main(["cache", "info"]) == 0
    table = capsys.readouterr().out
    assert "itglue" in table and "frames" in table and f"in {cache_dir}" in table
    assert environ["ITGLUE_API_KEY"] not in table
    assert main(["cache", "info", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {(r["service"], r["kind"]) for r in rows} == {("itglue", "http"), ("itglue", "frames")}
    expected = apitoolkit.cache_info()
    assert [(r["path"], r["files"], r["bytes"]) for r in rows] == list(
        zip(expected["path"], expected["files"], expected["bytes"], strict=True)
    )


def test_cache_clear__one_service(
    environ: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fetch("users", "--out", str(tmp_path / "users.parquet")) == 0
    assert fetch("clients", "--service", "glasshat", "--out", str(tmp_path / "clients.parquet")) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["cache", "clear", "--service", "glasshat"]) == 2
    assert "pass --yes" in capsys.readouterr().err
    assert set(apitoolkit.cache_info()["service"]) == {"itglue", "glasshat"}

    assert main(["cache", "clear", "--service", "glasshat", "--yes"]) == 0
    out = capsys.readouterr().out
    assert "removed glasshat http cache of account" in out and "removed glasshat frames cache" in out
    assert "itglue" not in out and out.splitlines()[-1].startswith("Freed ")
    assert set(apitoolkit.cache_info()["service"]) == {"itglue"}
    assert fetch("clients", "--service", "glasshat", "--out", str(tmp_path / "clients.parquet")) == 0
    assert "(from network)" in capsys.readouterr().err
