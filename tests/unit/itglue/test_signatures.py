"""IT Glue date-range loaders take ``start, end`` first; old calls with the client first still work."""

from __future__ import annotations

import inspect

import pandas as pd
import pytest

from apitoolkit import hitask, itglue
from apitoolkit.emulator import mock_emulator
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.itglue.schema import USER_METRICS
from tests.helpers import EMULATOR_NOW, FAST_RETRY

NOW = EMULATOR_NOW  # the in-process emulator's clock (tests/unit/conftest.py)


@pytest.fixture
def client(emulator_in_process: mock_emulator) -> itglue.ITGlueClient:
    emulator_in_process.app.reset()
    env = emulator_in_process.environ()
    return itglue.ITGlueClient(env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY)


@pytest.mark.parametrize("loader", [itglue.load_expirations, itglue.load_logs, itglue.load_user_metrics])
def test_date_range_loaders__start_end_first_client_keyword(loader: object) -> None:
    parameters = inspect.signature(loader).parameters  # type: ignore[arg-type]
    assert list(parameters)[:2] == ["start", "end"]
    assert parameters["client"].kind is inspect.Parameter.KEYWORD_ONLY


def test_load_expirations__a_date_first_is_start(client: itglue.ITGlueClient) -> None:
    everything = itglue.load_expirations(client=client, now=NOW)
    later = itglue.load_expirations("2026-12-01", client=client, now=NOW)
    assert len(later) > 0 and len(later) < len(everything)
    assert (later["expiration_date"] >= pd.Timestamp("2026-12-01", tz="UTC")).all()
    pd.testing.assert_frame_equal(later, itglue.load_expirations(start="2026-12-01", client=client, now=NOW))
    window = itglue.load_expirations("2026-12-01", "2026-12-31", client=client, now=NOW)
    assert window["expiration_date"].lt(pd.Timestamp("2027-01-01", tz="UTC")).all()


def test_load_expirations__a_client_first_still_works(client: itglue.ITGlueClient) -> None:
    expected = itglue.load_expirations(client=client, now=NOW)
    pd.testing.assert_frame_equal(itglue.load_expirations(client, now=NOW), expected)
    ranged = itglue.load_expirations(client=client, start="2026-12-01", end="2026-12-31", now=NOW)
    old_style = itglue.load_expirations(client, start="2026-12-01", end="2026-12-31", now=NOW)  # type: ignore[misc]
    pd.testing.assert_frame_equal(old_style, ranged)
    pd.testing.assert_frame_equal(itglue.load_expirations(client, "2026-12-01", "2026-12-31", now=NOW), ranged)  # type: ignore[arg-type, call-arg]


@pytest.mark.parametrize("first", ["soon", "2026-13-40", b"2026-12-01"])
def test_load_expirations__a_first_argument_that_is_no_date_says_so(first: object) -> None:
    with pytest.raises(InvalidArgumentError, match=r"^start=.*(not a date|ISO 8601)") as raised:
        itglue.load_expirations(first)
    assert "client must be" not in str(raised.value)


def test_load_expirations__another_service_client_or_two_clients(client: itglue.ITGlueClient) -> None:
    other = hitask.HitaskClient("key", "login", "password", base_url="http://127.0.0.1:9")
    with pytest.raises(InvalidArgumentError, match="client must be an ITGlueClient, not HitaskClient"):
        itglue.load_expirations(other)
    with pytest.raises(InvalidArgumentError, match="load_expirations got two clients: pass it once, as client="):
        itglue.load_expirations(client, client=client)


def test_user_metrics__points_columns_created_edited_viewed(client: itglue.ITGlueClient) -> None:
    columns = USER_METRICS.columns
    assert [c for c in columns if c in ("created", "edited", "viewed")] == ["created", "edited", "viewed"]
    frame = itglue.load_user_metrics("2026-11-16", "2026-11-22", client=client)
    assert len(frame) > 0
    assert [c for c in frame.columns if c in ("created", "edited", "viewed", "deleted")] == [
        "created",
        "edited",
        "viewed",
        "deleted",
    ]
