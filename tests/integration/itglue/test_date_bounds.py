"""Date bounds mean the same in every IT Glue loader: a date-only ``end`` includes its day, a datetime is exact."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pandas as pd
import pytest
from pytest_httpserver import HTTPServer

from apitoolkit.emulator import EmulatorServer
from apitoolkit.itglue import ITGlueClient, load_expirations, load_logs, load_user_metrics
from tests.helpers import FAST_RETRY, LOGS

# ../shared/reference/seeds/004_597d31ecedfdddbc.txt, Logs, "GET /logs", "Example return value" (as-is: no meta).
LOGS_EXAMPLE = LOGS


def account(emulator: EmulatorServer) -> Any:
    backend = emulator.app.itglue
    return backend.accounts[backend.api_key]


def log_truth(emulator: EmulatorServer) -> pd.DataFrame:
    records = account(emulator).logs
    stamps = pd.to_datetime([r["attributes"]["created-at"] for r in records], utc=True)
    return pd.DataFrame({"id": [int(r["id"]) for r in records], "created_at": stamps})


def busiest_day(stamps: pd.Series) -> date:
    """A day well inside the logs' 30 days that has rows (the busiest one not at either end)."""
    days = stamps.dt.floor("D")
    inner = days[(days > days.min() + pd.Timedelta(days=2)) & (days < days.max())]
    return inner.value_counts().index[0].date()


@pytest.mark.parametrize("kind", [str, date.fromisoformat], ids=["text", "date"])
def test_load_logs__a_date_only_end_includes_that_whole_day(itglue: Any, emulator: EmulatorServer, kind: Any) -> None:
    truth = log_truth(emulator)
    day = busiest_day(truth["created_at"])
    start, end = (day - timedelta(days=2)).isoformat(), day.isoformat()
    logs = load_logs(kind(start), kind(end), client=itglue)
    lo, stop = pd.Timestamp(start, tz="UTC"), pd.Timestamp(day + timedelta(days=1), tz="UTC")
    expected = truth[(truth["created_at"] >= lo) & (truth["created_at"] < stop)]
    assert sorted(logs["id"]) == sorted(expected["id"])
    assert (logs["created_at"].dt.date == day).sum() == (expected["created_at"].dt.date == day).sum() > 0


@pytest.mark.parametrize(
    "exact",
    [lambda day: f"{day.isoformat()}T00:00:00Z", lambda day: pd.Timestamp(day, tz="UTC"), lambda day: f"{day} 09:30"],
    ids=["midnight-text", "midnight-timestamp", "morning-text"],
)
def test_load_logs__an_end_with_a_time_is_exact(itglue: Any, emulator: EmulatorServer, exact: Any) -> None:
    truth = log_truth(emulator)
    day = busiest_day(truth["created_at"])
    end = exact(day)
    logs = load_logs(day - timedelta(days=1), end, client=itglue)
    hi = pd.Timestamp(end).tz_localize("UTC") if pd.Timestamp(end).tzinfo is None else pd.Timestamp(end)
    lo = pd.Timestamp(day - timedelta(days=1), tz="UTC")
    expected = truth[(truth["created_at"] >= lo) & (truth["created_at"] <= hi)]
    assert sorted(logs["id"]) == sorted(expected["id"]) and len(expected)
    assert logs["created_at"].max() <= hi


@pytest.mark.parametrize("end_kind", ["text", "date", "datetime-morning"])
def test_load_user_metrics__end_day_included(itglue: Any, emulator: EmulatorServer, end_kind: str) -> None:
    records = account(emulator).user_metrics
    days = pd.Series([date.fromisoformat(r["attributes"]["date"]) for r in records])
    day = days.value_counts().index[0]
    end: Any = {"text": day.isoformat(), "date": day, "datetime-morning": f"{day}T08:00:00Z"}[end_kind]
    metrics = load_user_metrics(day - timedelta(days=9), end, client=itglue)
    inside = (days >= day - timedelta(days=9)) & (days <= day)
    assert sorted(metrics["id"]) == sorted(int(r["id"]) for r, keep in zip(records, inside, strict=True) if keep)
    assert (pd.to_datetime(metrics["date"]).dt.date == day).any()


@pytest.mark.parametrize(
    ("end", "last_day_in"),
    [("text", True), ("date", True), ("midnight", True), ("evening-before", False)],
)
def test_load_expirations__end_day_included_unless_an_earlier_time(
    itglue: Any, emulator: EmulatorServer, end: str, last_day_in: bool
) -> None:
    records = account(emulator).expirations
    days = pd.Series([pd.Timestamp(r["attributes"]["expiration-date"]).date() for r in records])
    day = days.value_counts().index[0]
    given: Any = {
        "text": day.isoformat(),
        "date": day,
        "midnight": f"{day}T00:00:00Z",
        "evening-before": f"{day - timedelta(days=1)}T23:00:00Z",
    }[end]
    start = day - timedelta(days=40)
    frame = load_expirations(client=itglue, start=start, end=given)
    last = day if last_day_in else day - timedelta(days=1)
    inside = (days >= start) & (days <= last)
    assert sorted(frame["id"]) == sorted(int(r["id"]) for r, keep in zip(records, inside, strict=True) if keep)
    assert bool((frame["expiration_date"].dt.date == day).any()) is last_day_in


@pytest.fixture
def docs_server() -> Iterator[HTTPServer]:
    """A loopback server answering every ``/logs`` request with the reference's example, as-is."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    server.expect_request("/logs").respond_with_data(LOGS_EXAMPLE, content_type="application/vnd.api+json")
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.mark.parametrize(
    ("start", "end", "kept"),
    [
        ("2021-07-24", "2021-07-24", True),  # a date-only end: the whole of July 24
        (date(2021, 7, 23), date(2021, 7, 24), True),
        ("2021-07-23", "2021-07-24T00:55:31Z", True),  # exact, and the row is at that very second
        ("2021-07-23", "2021-07-24T00:55:30Z", False),  # exact, a second before the row
        ("2021-07-23", "2021-07-23", False),  # the day before, whole
    ],
    ids=repr,
)
def test_load_logs__documents_example_kept_by_the_bounds(
    docs_server: HTTPServer, start: Any, end: Any, kept: bool
) -> None:
    client = ITGlueClient(api_key="itg-doc-key", base_url=docs_server.url_for("/").rstrip("/"), retry=FAST_RETRY)
    with pytest.warns(UserWarning, match="30 days"):
        logs = load_logs(start, end, client=client)
    assert logs["id"].tolist() == ([574989297464115201] if kept else [])
    if kept:
        row = logs.iloc[0]
        assert row["created_at"] == pd.Timestamp("2021-07-24T00:55:31Z") and row["ip_city"] == "San Diego"
    sent = {request.args["filter[created_at]"] for request, _ in docs_server.log}
    whole_day = not str(end).count("T")
    last_to = max(item.split(",")[1] for item in sent)
    assert last_to == (f"{pd.Timestamp(end).date() + timedelta(days=1)}T00:00:00Z" if whole_day else str(end))
