"""`cached_frame` is single-flight (loads of one query wait for the one fetching it, at most the lock timeout);
`load_windows` stitches windows."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from apitoolkit.cache import query_key
from apitoolkit.config import resolve_config
from apitoolkit.frames import Field, Schema
from apitoolkit.http.client import BaseClient
from apitoolkit.loading import cached_frame, fetch_lock, label_frame, load_source, load_windows

QUERY = {"path": "users", "params": {}}


def make_client(cache_dir: Path, **settings: Any) -> BaseClient:
    return BaseClient(resolve_config("itglue", credentials={"api_key": "k" * 20}, cache=str(cache_dir), **settings))


class Fetcher:
    """A fetch that takes ``seconds``, counts its calls and signals when one started."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls = 0
        self.started = threading.Event()

    def __call__(self) -> tuple[pd.DataFrame, str, int]:
        self.calls += 1
        self.started.set()
        time.sleep(self.seconds)
        return pd.DataFrame({"id": pd.array([1, 2, 3], dtype="Int64")}), "network", 1


def in_threads(*loads: object) -> list[pd.DataFrame]:
    results: dict[int, pd.DataFrame] = {}
    threads = [threading.Thread(target=lambda i=i, f=f: results.__setitem__(i, f())) for i, f in enumerate(loads)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)  # in this order
    for thread in threads:
        thread.join()
    return [results[i] for i in range(len(loads))]


def test_cached_frame__two_threads_fetch_once(cache_dir: Path) -> None:
    client, fetch = make_client(cache_dir), Fetcher(0.3)

    def load() -> pd.DataFrame:
        return cached_frame(client, resource="users", query=QUERY, fetch=fetch)

    first, second = in_threads(load, load)
    assert fetch.calls == 1
    assert [load_source(first), load_source(second)] == ["network", "frame-cache"]
    pd.testing.assert_frame_equal(first, second)


def test_cached_frame__waits_at_most_the_lock_timeout_then_fetches(cache_dir: Path) -> None:
    client, fetch = make_client(cache_dir, lock_timeout=0.3), Fetcher(0.0)
    with fetch_lock(client, query_key("users", QUERY)) as held:  # a holder that never stores anything
        assert held
        started = time.monotonic()
        (frame,) = in_threads(lambda: cached_frame(client, resource="users", query=QUERY, fetch=fetch))
        waited = time.monotonic() - started
    assert fetch.calls == 1 and load_source(frame) == "network"
    assert 0.3 <= waited < 2.0


def test_cached_frame__refresh_uses_a_frame_stored_while_it_waited(cache_dir: Path) -> None:
    client, fetch = make_client(cache_dir), Fetcher(0.3)

    def refresh() -> pd.DataFrame:
        return cached_frame(client, resource="users", query=QUERY, fetch=fetch, refresh=True)

    first, second = in_threads(refresh, refresh)
    assert fetch.calls == 1
    assert [load_source(first), load_source(second)] == ["network", "frame-cache"]


def test_cached_frame__refresh_fetches_over_an_older_frame(cache_dir: Path) -> None:
    client, fetch = make_client(cache_dir), Fetcher(0.0)
    cached_frame(client, resource="users", query=QUERY, fetch=fetch)
    frame = cached_frame(client, resource="users", query=QUERY, fetch=fetch, refresh=True)
    assert fetch.calls == 2 and load_source(frame) == "network"


@pytest.mark.parametrize("value", ["-1", "soon", "inf"])
def test_lock_timeout__invalid_setting_says_what_to_set(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    from apitoolkit.exceptions import ConfigurationError

    monkeypatch.setenv("APITOOLKIT_LOCK_TIMEOUT", value)
    with pytest.raises(ConfigurationError, match="APITOOLKIT_LOCK_TIMEOUT"):
        resolve_config("itglue", credentials={"api_key": "k"}, cache="off")


def test_lock_timeout__argument_then_environment_then_300(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_config("itglue", credentials={"api_key": "k"}, cache="off").lock_timeout == 300.0
    monkeypatch.setenv("APITOOLKIT_LOCK_TIMEOUT", "45")
    assert resolve_config("itglue", credentials={"api_key": "k"}, cache="off").lock_timeout == 45.0
    assert resolve_config("itglue", credentials={"api_key": "k"}, cache="off", lock_timeout=5).lock_timeout == 5.0


def test_load_windows__a_record_on_a_shared_bound_is_kept_once_from_the_later_window(cache_dir: Path) -> None:
    schema = Schema("logs", (Field("id", "int"), Field("action", "str")))
    windows = {
        "day 1": pd.DataFrame({"id": pd.array([1, 2, 3], dtype="Int64"), "action": ["a", "b", "midnight (day 1)"]}),
        "day 2": pd.DataFrame({"id": pd.array([3, 4], dtype="Int64"), "action": ["midnight (day 2)", "d"]}),
        "day 3": pd.DataFrame({"id": pd.array([], dtype="Int64"), "action": pd.Series([], dtype="str")}),
        "day 4": pd.DataFrame({"id": pd.array([5], dtype="Int64"), "action": ["e"]}),
    }
    for frame in windows.values():
        label_frame(frame, resource="logs", source="network", pages=1)
    client = make_client(cache_dir)

    def load(shared_bounds: str | None) -> pd.DataFrame:
        return load_windows(
            client,
            resource="logs",
            schema=schema,
            windows=list(windows),
            load_one=lambda w: windows[w].copy(),
            shared_bounds=shared_bounds,
        )

    stitched = load("id")
    assert stitched["id"].tolist() == [1, 2, 3, 4, 5]
    assert stitched["action"].tolist() == ["a", "b", "midnight (day 2)", "d", "e"]
    assert load_source(stitched) == "network"
    assert load(None)["id"].tolist() == [1, 2, 3, 3, 4, 5]  # without it, stitching keeps every row
