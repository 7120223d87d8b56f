"""The HTTP cache's stores on a real SQLite file: per-thread lookups and the page workers' write-behind."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from requests_cache.backends.sqlite import SQLiteDict
from requests_cache.models import CachedResponse

from apitoolkit.exceptions import CacheError, ServerError
from apitoolkit.http import JsonApiPaginator, RequestSpec
from apitoolkit.http.backends import SQLiteHttpCache
from tests.integration.http.fakeapi import SECRET_A, FakeJsonApi, cached_responses, jsonapi_error, load_users


def load(client, **kwargs):
    return load_users(client, page_size=10, **kwargs)


def response(body: bytes = b'{"data": []}') -> CachedResponse:
    return CachedResponse(status_code=200, content=body, url="http://127.0.0.1/users")


def test_backends__every_page_is_stored_by_the_writer_before_the_listing_returns(
    fake: FakeJsonApi, make_client, cache_dir: Path, monkeypatch
) -> None:
    writers: list[str] = []
    original = SQLiteDict._write

    def spy(self, key, value):
        writers.append(threading.current_thread().name)
        return original(self, key, value)

    monkeypatch.setattr(SQLiteDict, "_write", spy)
    frame = load(make_client(max_workers=4))
    assert len(frame) == 250
    assert cached_responses(cache_dir) == 25  # all 25 pages, at the moment the load returned
    # page 1 is fetched (and stored) by the caller before the workers start; the other 24 went to the writer
    assert writers.count("apitoolkit-cache-writer") == 24 and len(writers) == 25


def test_backends__pages_are_handed_to_the_caller_in_its_own_thread(fake: FakeJsonApi, make_client) -> None:
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
        reader = threading.Thread(target=lambda: found.append(cache.get_response("old").content))
        reader.start()
        reader.join(5)
        assert found == [b'{"data": [1]}'], "the lookup waited for the write transaction"
        assert cache.get_response("new") is None  # not committed yet: WAL readers see the last commit
    finally:
        release.set()
        thread.join()
    assert cache.get_response("new").content == b'{"data": []}'
    cache.close()


def test_backends__saves_outside_a_write_behind_are_stored_at_once(tmp_path: Path) -> None:
    cache = SQLiteHttpCache(tmp_path / "c.sqlite")
    with cache.write_behind():  # the calling thread is not attached: its saves do not wait for the writer
        cache.save_response(response(), cache_key="k")
        assert cache.get_response("k") is not None
    cache.close()


def test_backends__a_store_that_fails_is_a_cache_error_naming_the_file(tmp_path: Path, monkeypatch) -> None:
    cache = SQLiteHttpCache(tmp_path / "c.sqlite")

    def full_disk(self, key, value):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SQLiteDict, "_write", full_disk)
    with (
        pytest.raises(CacheError, match=r"c\.sqlite.*disk is full.*free disk space") as caught,
        cache.write_behind() as attach,
    ):
        worker = threading.Thread(target=lambda: (attach(), cache.save_response(response(), cache_key="k")))
        worker.start()
        worker.join()
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    cache.close()


def test_backends__a_failing_listing_keeps_its_own_error(fake: FakeJsonApi, make_client, monkeypatch) -> None:
    original = SQLiteDict._write

    def fails_in_the_writer(self, key, value):
        if threading.current_thread().name == "apitoolkit-cache-writer":
            raise sqlite3.OperationalError("database or disk is full")
        return original(self, key, value)

    monkeypatch.setattr(SQLiteDict, "_write", fails_in_the_writer)
    fake.faults = [lambda r: None] * 3 + [lambda r: jsonapi_error(500, "Boom", "down")] * 200
    with pytest.raises(ServerError):
        load(make_client(max_workers=4))


def test_backends__a_store_that_fails_in_the_caller_is_a_cache_error(
    fake: FakeJsonApi, make_client, monkeypatch
) -> None:
    def full_disk(self, key, value):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(SQLiteDict, "_write", full_disk)
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
    opened = list(cache.responses._opened)
    assert 1 <= len(opened) <= 3
    cache.close()
    for connection in opened:
        with pytest.raises(sqlite3.ProgrammingError):
            connection.execute("select 1")
