"""The HTTP cache's stores on a real SQLite file: per-thread lookups and the page workers' write-behind."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from requests_cache.models import CachedResponse

from apitoolkit.exceptions import CacheError, ServerError
from apitoolkit.http import JsonApiPaginator, RequestSpec
from apitoolkit.http.backends import SQLiteHttpCache, _ThreadReadTable
from apitoolkit.http.jsonapi import JsonApiClient
from tests.integration.http.fakeapi import SECRET_A, FakeJsonApi, cached_responses, jsonapi_error, load_users


def load(client: JsonApiClient, **kwargs: Any) -> pd.DataFrame:
    return load_users(client, page_size=10, **kwargs)


def content(cached: CachedResponse | None) -> bytes:
    """The body of a response the cache must hold."""
    assert cached is not None, "not in the cache"
    return cached.content


def response(body: bytes = b'{"data": []}') -> CachedResponse:
    return CachedResponse(status_code=200, content=body, url="http://127.0.0.1/users")


def test_backends__every_page_is_staged_by_the_writer_and_stored_before_the_listing_returns(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writers: list[str] = []
    original = SQLiteHttpCache._stage_response

    def spy(self: SQLiteHttpCache, stage: Any, key: str, value: CachedResponse) -> None:
        writers.append(threading.current_thread().name)
        return original(self, stage, key, value)

    monkeypatch.setattr(SQLiteHttpCache, "_stage_response", spy)
    client = make_client(max_workers=4)
    frame = load(client)
    assert len(frame) == 250
    assert cached_responses(cache_dir) == 25  # all 25 pages, at the moment the load returned
    assert writers == ["apitoolkit-cache-writer"] * 25  # page 1 too: the caller is attached to the stage
    path = next((cache_dir / "http").glob("*.sqlite"))
    with sqlite3.connect(path) as con:  # the staged copies stay, marked done, until the next listing starts
        assert con.execute("select count(*) from apitoolkit_staged").fetchone()[0] == 25
        assert con.execute("select count(*) from apitoolkit_done").fetchone()[0] == 1
    load(client, refresh=True)
    with sqlite3.connect(path) as con:  # the next listing swept them, and left its own
        assert con.execute("select count(distinct token) from apitoolkit_staged").fetchone()[0] == 1
    SQLiteHttpCache(path).close()  # opening the cache sweeps too
    with sqlite3.connect(path) as con:
        assert con.execute("select count(*) from apitoolkit_staged").fetchone()[0] == 0


def test_backends__pages_are_handed_to_the_caller_in_its_own_thread(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient]
) -> None:
    client = make_client(max_workers=4)
    threads: set[int] = set()
    client.paginate(
        RequestSpec("users"), JsonApiPaginator(page_size=10), on_page=lambda i, p: threads.add(threading.get_ident())
    )
    assert threads == {threading.get_ident()}


def test_backends__a_lookup_does_not_wait_for_a_write_in_progress(tmp_path: Path) -> None:
    cache = SQLiteHttpCache(tmp_path / "c.sqlite")
    cache.responses["old"] = response(b'{"data": [1]}')
    in_transaction, release = threading.Event(), threading.Event()

    def writer() -> None:
        with cache.responses.bulk_commit():  # holds the table's lock and SQLite's write lock
            cache.responses["new"] = response()
            in_transaction.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert in_transaction.wait(10)
        found: list[bytes] = []
        reader = threading.Thread(target=lambda: found.append(content(cache.get_response("old"))))
        reader.start()
        reader.join(5)
        assert found == [b'{"data": [1]}'], "the lookup waited for the write transaction"
        assert cache.get_response("new") is None  # not committed yet: WAL readers see the last commit
    finally:
        release.set()
        thread.join()
    assert content(cache.get_response("new")) == b'{"data": []}'
    cache.close()


def test_backends__saves_outside_a_stage_are_stored_at_once_inside_at_its_end(tmp_path: Path) -> None:
    cache = SQLiteHttpCache(tmp_path / "c.sqlite")
    cache.save_response(response(), cache_key="now")
    assert cache.get_response("now") is not None
    with cache.staged():
        cache.save_response(response(b'{"data": [1]}'), cache_key="later")
        time.sleep(0.05)  # the writer has staged it by now, but nobody sees it
        assert cache.get_response("later") is None
    assert content(cache.get_response("later")) == b'{"data": [1]}'
    cache.close()


def test_backends__a_stage_left_by_an_error_is_discarded_and_the_old_entries_stay(tmp_path: Path) -> None:
    cache = SQLiteHttpCache(tmp_path / "c.sqlite")
    cache.save_response(response(b'{"data": ["old"]}'), cache_key="page-1")
    with pytest.raises(RuntimeError), cache.staged():
        cache.save_response(response(b'{"data": ["new"]}'), cache_key="page-1")
        cache.delete("page-2")
        raise RuntimeError("page 3 failed")
    assert content(cache.get_response("page-1")) == b'{"data": ["old"]}'
    with sqlite3.connect(tmp_path / "c.sqlite") as con:
        assert con.execute("select count(*) from apitoolkit_staged").fetchone()[0] == 0
    cache.close()


def test_backends__a_delete_then_a_save_in_one_stage_is_a_save(tmp_path: Path) -> None:
    cache = SQLiteHttpCache(tmp_path / "c.sqlite")
    cache.save_response(response(b'{"data": ["old"]}'), cache_key="k")
    cache.save_response(response(b'{"data": ["gone"]}'), cache_key="gone")
    with cache.staged():
        cache.delete("k")  # requests-cache's, after a refused answer
        cache.save_response(response(b'{"data": ["new"]}'), cache_key="k")  # the retry that worked
        cache.delete("gone")
    assert content(cache.get_response("k")) == b'{"data": ["new"]}'
    assert cache.get_response("gone") is None
    cache.close()


def test_backends__stages_abandoned_by_a_dead_process_are_swept_when_the_cache_opens(tmp_path: Path) -> None:
    cache = SQLiteHttpCache(tmp_path / "c.sqlite")
    cache.close()
    with sqlite3.connect(tmp_path / "c.sqlite") as con:
        con.execute("insert into apitoolkit_staged values ('dead', 'k', x'00', null, ?)", (time.time() - 2 * 86400,))
        con.execute("insert into apitoolkit_staged values ('alive', 'k', x'00', null, ?)", (time.time(),))
    SQLiteHttpCache(tmp_path / "c.sqlite").close()
    with sqlite3.connect(tmp_path / "c.sqlite") as con:
        assert [r[0] for r in con.execute("select token from apitoolkit_staged")] == ["alive"]


def full_disk(self: SQLiteHttpCache, stage: Any, key: str, value: CachedResponse) -> None:
    raise sqlite3.OperationalError("database or disk is full")


def test_backends__a_store_that_fails_is_a_cache_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = SQLiteHttpCache(tmp_path / "c.sqlite")
    monkeypatch.setattr(SQLiteHttpCache, "_stage_response", full_disk)
    with (
        pytest.raises(CacheError, match=r"c\.sqlite.*disk is full.*free disk space") as caught,
        cache.staged() as attach,
    ):

        def store() -> None:
            attach()
            cache.save_response(response(), cache_key="k")

        worker = threading.Thread(target=store)
        worker.start()
        worker.join()
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    cache.close()


def test_backends__a_failing_listing_keeps_its_own_error(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SQLiteHttpCache, "_stage_response", full_disk)
    fake.faults = [lambda r: None] * 3 + [lambda r: jsonapi_error(500, "Boom", "down")] * 200
    with pytest.raises(ServerError):
        load(make_client(max_workers=4))


def test_backends__a_store_that_fails_in_a_load_is_a_cache_error(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SQLiteHttpCache, "_stage_response", full_disk)
    with pytest.raises(CacheError, match="disk is full") as caught:
        load(make_client(max_workers=4))
    assert SECRET_A not in str(caught.value)


def test_backends__lookups_reuse_a_few_connections_and_close_closes_them(tmp_path: Path) -> None:
    cache = SQLiteHttpCache(tmp_path / "c.sqlite")
    cache.responses["k"] = response()
    for _ in range(20):  # threads come and go, as page workers do with each listing
        readers = [threading.Thread(target=lambda: cache.get_response("k")) for _ in range(3)]
        for t in readers:
            t.start()
        for t in readers:
            t.join()
    assert isinstance(cache.responses, _ThreadReadTable)
    opened = list(cache.responses._opened)
    assert 1 <= len(opened) <= 3
    cache.close()
    for connection in opened:
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("select 1")


def test_backends__on_redis_a_listing_is_committed_whole_or_not_at_all(
    fake: FakeJsonApi, make_client: Callable[..., JsonApiClient], redis_url: str
) -> None:
    import redis

    def keys() -> list[bytes]:
        with redis.Redis.from_url(redis_url) as r:
            return [k for k in r.scan_iter(count=500) if b":ratelimit:" not in k and b":lock" not in k]

    fake.faults = [lambda r: None] * 6 + [lambda r: jsonapi_error(500, "Boom", "down")] * 200
    with pytest.raises(ServerError):
        load(make_client(max_workers=4, cache=redis_url))
    assert keys() == [], "a failed listing left responses or staged entries on Redis"
    fake.faults = []
    assert len(load(make_client(max_workers=4, cache=redis_url))) == 250
    stored = keys()
    assert not [k for k in stored if b":staged:" in k]
    with redis.Redis.from_url(redis_url) as r:
        ttls = [r.ttl(k) for k in stored if r.type(k) == b"string"]
    assert len(ttls) >= 25 and all(t > 0 for t in ttls[:25])
    again = make_client(max_workers=4, cache=redis_url, offline=True)
    assert len(load(again)) == 250
