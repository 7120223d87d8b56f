"""The trends report rendered by papermill from the history archive: empty, missing, and with months of history."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from apitoolkit.archive import Archive
from apitoolkit.emulator import EmulatorServer
from apitoolkit.envvars import environment
from apitoolkit.reports import run_reports

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

SECTIONS = ("Reputation", "Renewals", "Log activity", "Tasks")
MISSING = "The archive holds no {what} yet: run <code>apitoolkit archive sync</code> (or <code>make demo</code>)."
PARTS = ("users snapshots", "expirations snapshots", "logs", "Hitask item changes")
DAYS = 95  # of simulated history


def fill_archive(archive: Archive, now: pd.Timestamp) -> None:
    """Months of history written with the archive's own writer, from what the emulator serves today.

    Users snapshots every third day with reputations growing towards today's; 40 expirations renewed a year on,
    some before and some after their old date; logs of the last 30 days repeated one and two months earlier
    (new ids); Hitask tasks archived open at creation, then as they are now.
    """
    import apitoolkit
    from apitoolkit.hitask import load_items

    rng = np.random.default_rng(17)
    users, expirations = apitoolkit.load_users(), apitoolkit.load_expirations()
    first = (now - pd.Timedelta(days=DAYS)).normalize()
    days = pd.date_range(first, now.normalize(), freq="3D")
    expiring = expirations.head(40).index
    old = pd.Series(first + pd.to_timedelta(rng.integers(5, DAYS - 10, len(expiring)), unit="D"), index=expiring)
    renewed_on = old + pd.to_timedelta(rng.integers(-12, 20, len(expiring)), unit="D")
    for day in days:
        left = (now.normalize() - day).days
        grown = users["reputation"] * (2 * DAYS - left) // (2 * DAYS)
        archive.write("itglue", "users", users.assign(reputation=grown), now=day)
        dates = expirations["expiration_date"].copy()
        dates[expiring] = old.where(renewed_on > day, old + pd.DateOffset(years=1)).astype(dates.dtype)
        archive.write("itglue", "expirations", expirations.assign(expiration_date=dates), now=day)
    logs = apitoolkit.load_logs((now - pd.Timedelta(days=29)).date(), now.date())
    for months_back in (2, 1, 0):
        shifted = logs.assign(
            id=logs["id"] + months_back * 10**12, created_at=logs["created_at"] - pd.Timedelta(days=30 * months_back)
        )
        archive.write("itglue", "logs", shifted, now=now)
    items = load_items()
    created = items.assign(completed=False, time_last_update=items["time_create"])
    archive.write("hitask", "items", created, now=first)
    archive.write("hitask", "items", items, now=now)


@pytest.fixture(scope="module")
def emulator_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    root = tmp_path_factory.mktemp("trends")
    with EmulatorServer(port=0, seed=1, size="small") as emulator:
        yield {**emulator.environ(), "APITOOLKIT_CACHE": str(root / "cache"), "APITOOLKIT_PROGRESS": "0"}


def rendered_text(html: Path) -> str:
    """The page without the template's scripts and styles."""
    return re.sub(r"<(script|style)\b.*?</\1>", "", html.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("kind", ["empty", "missing"])
def test_trends_report__an_empty_or_missing_archive_says_so_once_per_part(
    emulator_env: dict[str, str], tmp_path: Path, kind: str
) -> None:
    location = tmp_path / "archive"
    if kind == "empty":
        location.mkdir()
    with environment({**emulator_env, "APITOOLKIT_ARCHIVE": str(location)}):
        (report,) = run_reports(["trends"], tmp_path / "out", {"interactive": False}, log=lambda line: None)
    shown = rendered_text(report.html)
    assert "Traceback" not in shown and "Error" not in shown and "Warning" not in shown
    for part in PARTS:
        assert shown.count(MISSING.format(what=part)) == 1, part
    for section in SECTIONS:
        assert f">{section}<" in shown
    assert "data:image/png;base64" not in shown  # nothing to draw: no empty figures
    assert str(location) in shown and "Parameters:" in shown


def test_trends_report__months_of_history_draw_every_section(emulator_env: dict[str, str], tmp_path: Path) -> None:
    archive = Archive(tmp_path / "archive")
    now = pd.Timestamp.now(tz="UTC")
    with environment(emulator_env):
        fill_archive(archive, now)
        (report,) = run_reports(
            ["trends"],
            tmp_path / "out",
            {"interactive": False, "archive_location": str(tmp_path / "archive")},
            log=lambda line: None,
        )
    shown = rendered_text(report.html)
    assert "Traceback" not in shown and "Error" not in shown and "Warning" not in shown
    assert "holds no" not in shown  # every part is there
    for section in SECTIONS:
        assert f">{section}<" in shown
    assert shown.count("data:image/png;base64") == 6  # 2 reputation, renewals, 2 activity, completions
    assert "from the archive" in shown and "renewals seen" in shown and "tasks in the change log" in shown
    words = re.sub(r"data:image/png;base64,[^\"']+", "", shown)  # the text, not the images' bytes
    assert "NaN" not in words and "&lt;NA&gt;" not in words and "None" not in words


def test_report_notebooks__archive_sync_collects_history_when_asked(
    emulator_env: dict[str, str], tmp_path: Path
) -> None:
    location = tmp_path / "archive"
    parameters = {"interactive": False, "archive_sync": True, "archive_location": str(location)}
    with environment(emulator_env):
        (report,) = run_reports(["expirations"], tmp_path / "out", parameters, log=lambda line: None)
    shown = rendered_text(report.html)
    assert "Archive sync" in shown and "rows added" in shown
    assert Archive(location).scan("itglue", "expirations")["snapshot_date"].nunique() == 1
    with environment(emulator_env):
        (quiet,) = run_reports(["expirations"], tmp_path / "again", {"interactive": False}, log=lambda line: None)
    assert "Archive sync" not in rendered_text(quiet.html)
