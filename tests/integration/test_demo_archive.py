"""The demo's history archive: weeks of simulated syncs against the emulator, built whole or not at all."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from apitoolkit.archive import Archive
from apitoolkit.demo import build_demo_archive

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    where = tmp_path_factory.mktemp("demo") / "demo-archive"
    return build_demo_archive(where, weeks=6, out=io.StringIO())


def test_demo_archive__holds_weeks_of_history_in_every_table(history: Archive) -> None:
    info = history.info().set_index(["service", "resource"])
    assert set(info.index) == {
        ("itglue", "logs"),
        ("itglue", "user_metrics"),
        ("itglue", "users"),
        ("itglue", "organizations"),
        ("itglue", "expirations"),
        ("hitask", "items"),
    }
    assert (info["rows"] > 0).all()
    snapshots = history.sql("SELECT DISTINCT snapshot_date FROM itglue_users ORDER BY 1")["snapshot_date"]
    assert len(snapshots) == 7  # the first sync and one per simulated week
    days = pd.Series(pd.to_datetime(snapshots.astype("str"))).diff().dropna().dt.days
    assert set(days) == {7}
    logs = history.sql("SELECT min(created_at) AS first, max(created_at) AS last FROM itglue_logs")
    assert (logs["last"][0] - logs["first"][0]).days >= 6 * 7 + 25  # 30 days before the first sync, then 6 weeks


def test_demo_archive__reputation_moves_and_tasks_change_between_snapshots(history: Archive) -> None:
    users = history.scan("itglue", "users")
    per_day = users.groupby("snapshot_date")["reputation"].sum()
    assert per_day.is_monotonic_increasing and per_day.iloc[-1] > per_day.iloc[0]
    items = history.scan("hitask", "items")
    versions = items.groupby("id").size()
    assert (versions > 1).any()  # items changed over the weeks: more than one version each
    closed = items[items["valid_to"].notna()]
    assert (closed["valid_to"] >= closed["valid_from"]).all()


def test_demo_archive__a_second_demo_keeps_the_archive(history: Archive) -> None:
    out = io.StringIO()
    again = build_demo_archive(history.location, weeks=6, out=out)
    assert "kept from an earlier demo" in out.getvalue()
    assert again.info()["version"].tolist() == history.info()["version"].tolist()


def test_demo_archive__an_interrupted_build_leaves_nothing_at_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = Archive.sync

    def failing(self: Archive, *args: Any, **kwargs: Any) -> pd.DataFrame:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Archive, "sync", failing)
    target = tmp_path / "demo-archive"
    with pytest.raises(KeyboardInterrupt):
        build_demo_archive(target, weeks=4, out=io.StringIO())
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir()] == []
