"""The archive's Hitask change log under every reading of the ambiguous Hitask documents the emulator serves.

The delta sync that feeds the change log reads "items changed since" two ways (``delta``: stubs for unchanged
items, or changed items only) and the assignee under two names (``assignee_field``); the change log must come out
the same under each.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from apitoolkit.archive import Archive
from apitoolkit.emulator import mock_emulator
from apitoolkit.emulator.hitask.service import HitaskService
from apitoolkit.hitask import load_items

READINGS = list(itertools.product(HitaskService.dialects["delta"], HitaskService.dialects["assignee_field"]))


@pytest.fixture(params=READINGS, ids=["-".join(r) for r in READINGS])
def reading(request: pytest.FixtureRequest, fresh: mock_emulator) -> Iterator[tuple[str, str]]:
    delta, assignee = request.param
    fresh.app.configure(service="hitask", dialect={"delta": delta, "assignee_field": assignee})
    yield request.param
    fresh.app.configure(service="hitask", dialect={"delta": None, "assignee_field": None})


def test_change_log__current_versions_equal_a_full_load_under_every_reading(
    reading: tuple[str, str], fresh: mock_emulator, clients: dict[str, Any], tmp_path: Path
) -> None:
    archive = Archive(tmp_path / "archive")
    archive.sync("hitask", now=pd.Timestamp(fresh.now), clients=clients)
    for _ in range(3):  # three simulated days of edits, completions and new items, each synced by delta
        later = pd.Timestamp(fresh.advance(1))
        archive.sync("hitask", now=later, clients=clients)
    log = archive.scan("hitask", "items")
    current = log[log["valid_to"].isna()].set_index("id").sort_index()
    truth = load_items(clients["hitask"], refresh=True).set_index("id").sort_index()  # a full load, no delta
    assert current.index.is_unique and current.index.tolist() == truth.index.tolist()
    pd.testing.assert_series_equal(current["time_last_update"], truth["time_last_update"])
    pd.testing.assert_series_equal(current["completed"], truth["completed"])
    pd.testing.assert_series_equal(current["assignee_id"], truth["assignee_id"])
    closed = log[log["valid_to"].notna()]
    assert len(closed) > 0  # items changed: their earlier versions were closed
    assert (closed["valid_to"] > closed["valid_from"]).all()
    again = archive.sync("hitask", now=later, clients=clients)
    assert again["rows_added"].tolist() == [0] and again["rows_replaced"].tolist() == [0]
