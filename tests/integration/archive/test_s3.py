"""The archive on S3 (moto's server on loopback): sync, read, upkeep, Dask, and the errors of a bad location."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator

import pandas as pd
import pytest

from apitoolkit.analysis import activity_heatmap as analysis_heatmap
from apitoolkit.archive import Archive, ArchiveLocation
from apitoolkit.archive.distributed import activity_heatmap as dask_heatmap
from apitoolkit.archive.distributed import to_dask
from apitoolkit.archive.heatmap import activity_heatmap as duckdb_heatmap
from apitoolkit.emulator import mock_emulator
from apitoolkit.exceptions import ArchiveLocationError
from apitoolkit.hitask import HitaskClient
from apitoolkit.itglue import ITGlueClient
from tests.integration.archive.frames import logs
from tests.s3server import OPEN_KEYS, REGION, S3Bucket, bucket_keys, free_port, moto_s3_with_auth, s3_client

SECRET = OPEN_KEYS["AWS_SECRET_ACCESS_KEY"]


@pytest.fixture(scope="module")
def synced(s3_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """An S3 archive synced twice from the in-process emulator (every resource), shared by the module's tests.

    The archive holds its S3 settings from when it was made, so the module's tests need not set them again.
    """
    bucket = S3Bucket(s3_endpoint, f"synced-{secrets.token_hex(6)}")
    s3_client(s3_endpoint).create_bucket(Bucket=bucket.bucket)
    with pytest.MonkeyPatch.context() as env, mock_emulator(seed=1) as emulator:
        for name, value in {**OPEN_KEYS, "AWS_ENDPOINT_URL": s3_endpoint, "AWS_REGION": REGION}.items():
            env.setenv(name, value)
        cache = str(tmp_path_factory.mktemp("client-cache"))
        api = emulator.environ()
        clients = {
            "itglue": ITGlueClient(api["ITGLUE_API_KEY"], base_url=api["ITGLUE_BASE_URL"], cache=cache),
            "hitask": HitaskClient(
                api["HITASK_API_KEY"], api["HITASK_LOGIN"], api["HITASK_PASSWORD"], base_url=api["HITASK_BASE_URL"],
                cache=cache,
            ),
        }  # fmt: skip
        archive = Archive(bucket.location)
        first = archive.sync(clients=clients)
        assert first["error"].isna().all(), first
        again = archive.sync(clients=clients)
        assert again.set_index("resource").loc["logs", "rows_added"] == 0  # exactly once by id
        yield archive


def test_s3__sync_writes_delta_tables_into_the_bucket(synced: Archive, s3_endpoint: str) -> None:
    keys = bucket_keys(s3_endpoint, synced.place.bucket or "")
    for table in ("itglue/logs", "itglue/users", "hitask/items"):
        assert any(k.startswith(f"archive/{table}/_delta_log/") for k in keys), table
        assert any(k.startswith(f"archive/{table}/month=") and k.endswith(".parquet") for k in keys), table


def test_s3__scan_sql_and_info_agree(synced: Archive) -> None:
    scanned = synced.scan("itglue", "logs")
    info = synced.info().set_index("resource")
    counted = synced.sql("SELECT count(*) AS n, count(DISTINCT id) AS ids FROM itglue_logs")
    assert len(scanned) > 100
    assert scanned["id"].is_unique
    assert str(scanned["created_at"].dtype) == "datetime64[us, UTC]"
    assert int(counted.loc[0, "n"]) == int(counted.loc[0, "ids"]) == len(scanned) == info.loc["logs", "rows"]
    assert len(synced.scan("hitask", "items")) == info.loc["items", "rows"]
    assert synced.scan("hitask", "items")["category"].dtype == "category"


def test_s3__to_dask_equals_scan_and_the_heatmaps_agree(synced: Archive) -> None:
    scanned = synced.scan("itglue", "logs")
    start = scanned["created_at"].iloc[len(scanned) // 3]
    frame = to_dask(synced, "itglue", "logs", start=start).compute(scheduler="threads")
    frame = frame.sort_values(["created_at", "id"], kind="stable", ignore_index=True)
    wanted = synced.scan("itglue", "logs", start=start)
    pd.testing.assert_frame_equal(frame, wanted, check_like=False)
    on_dask = dask_heatmap(synced, tz="Asia/Kolkata", action="sign_in")
    on_duckdb = duckdb_heatmap(synced, tz="Asia/Kolkata", action="sign_in")
    pd.testing.assert_frame_equal(on_dask, on_duckdb)
    pd.testing.assert_frame_equal(on_dask, analysis_heatmap(scanned, tz="Asia/Kolkata", action="sign_in"))
    assert int(on_dask.sum().sum()) == int((scanned["action"] == "sign_in").sum()) > 0


def _assert_refused(error: pytest.ExceptionInfo[ArchiveLocationError], location: str, *secrets: str) -> None:
    message = str(error.value)
    assert location in message, message
    for secret in secrets:
        assert secret not in message
        assert secret not in repr(error.value)


def test_s3__a_missing_bucket_is_named_and_nothing_is_written(s3_bucket: S3Bucket) -> None:
    location = "s3://no-such-bucket-here/archive"
    archive = Archive(location)
    with pytest.raises(ArchiveLocationError) as refused:
        archive.write("itglue", "logs", logs(range(10)))
    _assert_refused(refused, "no-such-bucket-here", SECRET)
    with pytest.raises(ArchiveLocationError) as unread:
        archive.scan("itglue", "logs")
    _assert_refused(unread, "no-such-bucket-here", SECRET)
    buckets = [b["Name"] for b in s3_client(s3_bucket.endpoint).list_buckets()["Buckets"]]
    assert "no-such-bucket-here" not in buckets
    assert bucket_keys(s3_bucket.endpoint, s3_bucket.bucket) == []


def test_s3__wrong_credentials_are_refused_without_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    with moto_s3_with_auth("guarded") as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
        monkeypatch.setenv("AWS_REGION", REGION)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.keys["AWS_ACCESS_KEY_ID"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-never-shown")
        wrong = Archive("s3://guarded/archive")
        with pytest.raises(ArchiveLocationError) as refused:
            wrong.write("itglue", "logs", logs(range(10)))
        _assert_refused(refused, "s3://guarded/archive", "wrong-secret-never-shown")
        assert "AWS_SECRET_ACCESS_KEY" in str(refused.value)  # says what to fix: the keys, not the network
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAUNKNOWNKEY000000")
        with pytest.raises(ArchiveLocationError) as unknown:
            Archive("s3://guarded/archive").info()
        _assert_refused(unknown, "s3://guarded/archive", "wrong-secret-never-shown")
        assert "AWS_ACCESS_KEY_ID" in str(unknown.value)
        assert bucket_keys(server.endpoint, "guarded", server.keys) == []
        # The same server takes the right keys: the refusals above were the credentials'.
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", server.keys["AWS_ACCESS_KEY_ID"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", server.keys["AWS_SECRET_ACCESS_KEY"])
        assert Archive("s3://guarded/archive").write("itglue", "logs", logs(range(10))) == 10


def test_s3__an_unreachable_endpoint_fails_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    monkeypatch.setenv("AWS_REGION", REGION)
    for name, value in OPEN_KEYS.items():
        monkeypatch.setenv(name, value)
    archive = Archive("s3://anywhere/archive")
    started = time.monotonic()
    with pytest.raises(ArchiveLocationError) as refused:
        archive.write("itglue", "logs", logs(range(10)))
    _assert_refused(refused, "s3://anywhere/archive", SECRET)
    with pytest.raises(ArchiveLocationError):
        archive.info()
    assert time.monotonic() - started < 30


def test_s3__repr_and_str_never_show_the_secret(s3_bucket: S3Bucket) -> None:
    archive = Archive(s3_bucket.location)
    assert archive.storage_options["AWS_SECRET_ACCESS_KEY"] == SECRET  # it is there to leak
    shown = [repr(archive), str(archive), repr(archive.place), str(archive.place), archive.location]
    shown += [repr(archive.store("itglue", "logs")), repr(ArchiveLocation.parse(s3_bucket.location))]
    for text in shown:
        assert SECRET not in text
        assert OPEN_KEYS["AWS_ACCESS_KEY_ID"] not in text
    assert s3_bucket.location in repr(archive)
    assert os.environ["AWS_SECRET_ACCESS_KEY"] == SECRET


# Last of the tests on `synced`: it deletes rows.
def test_s3__compact_keeps_rows_and_prune_deletes_the_old(synced: Archive) -> None:
    before = synced.scan("itglue", "logs")
    compacted = synced.compact()
    assert set(compacted["resource"]) >= {"logs", "items"}
    after = synced.scan("itglue", "logs")
    pd.testing.assert_frame_equal(before, after)
    cutoff = before["created_at"].sort_values().iloc[len(before) // 2]
    pruned = synced.prune(cutoff, "itglue", "logs")
    assert int(pruned.loc[0, "rows_deleted"]) == int((before["created_at"] < cutoff).sum()) > 0
    kept = synced.scan("itglue", "logs")
    assert len(kept) == int((before["created_at"] >= cutoff).sum())
    assert kept["created_at"].min() >= cutoff
