"""Fixtures of the archive's unit tests: the in-process emulator, its clients, loader frames, an empty archive."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from apitoolkit.archive import Archive
from apitoolkit.emulator import mock_emulator
from apitoolkit.hitask import HitaskClient, load_items
from apitoolkit.itglue import (
    ITGlueClient,
    load_expirations,
    load_logs,
    load_organizations,
    load_user_metrics,
    load_users,
)
from tests.helpers import EMULATOR_NOW, FAST_RETRY


def emulator_clients(emu: mock_emulator, cache: Path) -> dict[str, Any]:
    """An IT Glue and a Hitask client of the emulator's default accounts, caching in ``cache``."""
    env = emu.environ()
    return {
        "itglue": ITGlueClient(
            env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], cache=str(cache), retry=FAST_RETRY
        ),
        "hitask": HitaskClient(
            env["HITASK_API_KEY"],
            env["HITASK_LOGIN"],
            env["HITASK_PASSWORD"],
            base_url=env["HITASK_BASE_URL"],
            cache=str(cache),
            retry=FAST_RETRY,
        ),
    }


@pytest.fixture(scope="module")
def emu() -> Iterator[mock_emulator]:
    """One in-process emulator for the module, its clock at `EMULATOR_NOW`."""
    with mock_emulator(seed=1, size="small", now=EMULATOR_NOW) as emulator:
        yield emulator


@pytest.fixture
def fresh(emu: mock_emulator) -> mock_emulator:
    """The module's emulator back at its seed state (data, clock, no faults)."""
    emu.app.reset()
    return emu


@pytest.fixture
def clients(fresh: mock_emulator, tmp_path: Path) -> dict[str, Any]:
    """Clients of the fresh emulator with the test's own cache."""
    return emulator_clients(fresh, tmp_path / "client-cache")


@pytest.fixture
def now(fresh: mock_emulator) -> pd.Timestamp:
    """The emulator's clock, as a sync takes it."""
    return pd.Timestamp(fresh.now)


@pytest.fixture(scope="module")
def frames(emu: mock_emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, pd.DataFrame]:
    """Each archived resource's loader frame, loaded once from the seed state of the emulator."""
    emu.app.reset()
    clients = emulator_clients(emu, tmp_path_factory.mktemp("frames-cache"))
    itglue, moment = clients["itglue"], pd.Timestamp(emu.now)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "logs": load_logs(moment - pd.Timedelta(days=29), moment, client=itglue),
            "user_metrics": load_user_metrics(moment - pd.Timedelta(days=10), moment, client=itglue),
            "users": load_users(itglue),
            "organizations": load_organizations(itglue),
            "expirations": load_expirations(client=itglue, now=moment),
            "items": load_items(clients["hitask"]),
        }


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    """An empty archive in the test's directory."""
    return Archive(tmp_path / "archive")
