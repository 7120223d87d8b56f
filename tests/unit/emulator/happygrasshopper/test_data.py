"""Generated Happy Grasshopper contacts: deterministic, sized by overrides, realistic, quick when large."""

from __future__ import annotations

import time

import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.happygrasshopper import HappyGrasshopperBackend
from apitoolkit.emulator.happygrasshopper.data import Counts
from tests.helpers import APP_NOW


def test_data__same_seed_same_data_other_seed_other_data() -> None:
    first = list(HappyGrasshopperBackend(seed=1, size="small", now=APP_NOW).contacts)
    assert first == list(HappyGrasshopperBackend(seed=1, size="small", now=APP_NOW).contacts)
    assert first != list(HappyGrasshopperBackend(seed=2, size="small", now=APP_NOW).contacts)


def test_data__overrides_and_sizes() -> None:
    assert len(EmulatorApp(seed=1, now=APP_NOW, happygrasshopper={"contacts": 7}).happygrasshopper.contacts) == 7
    assert (Counts.for_size("medium").contacts, Counts.for_size("large").contacts) == (5_000, 50_000)


@pytest.mark.parametrize("overrides", [{"contacts": -1}, {"users": 3}, {"contacts": None}])
def test_data__invalid_counts_are_refused(overrides: dict) -> None:
    with pytest.raises(ValueError):
        EmulatorApp(now=APP_NOW, happygrasshopper=overrides)


def test_data__unique_emails_and_created_in_id_order() -> None:
    contacts = list(HappyGrasshopperBackend(seed=1, size="medium", now=APP_NOW).contacts)
    emails = [contact["email"] for contact in contacts if contact["email"]]
    assert len(emails) == len(set(emails)) and len(emails) > 0.9 * len(contacts)
    assert [c["created_at"] for c in contacts] == sorted(c["created_at"] for c in contacts)
    assert max(c["updated_at"] for c in contacts) <= APP_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {contact["status"] for contact in contacts} == {"active", "unsubscribed", "bounced"}


@pytest.mark.slow
def test_data__large_generates_and_searches_fast() -> None:
    started = time.perf_counter()
    backend = HappyGrasshopperBackend(seed=3, size="large", now=APP_NOW)
    assert time.perf_counter() - started < 10 and len(backend.contacts) == 50_000
    started = time.perf_counter()
    found = backend.search([("tag", "vip"), ("status", "bounced")])
    assert 2_000 < len(found) < 25_000 and time.perf_counter() - started < 3
