"""The archive read by a real Dask cluster (two worker processes): `to_dask` and the heatmap on the cluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

from apitoolkit.analysis import activity_heatmap as analysis_heatmap
from apitoolkit.archive import Archive
from apitoolkit.archive.distributed import activity_heatmap as dask_heatmap
from apitoolkit.archive.distributed import to_dask
from apitoolkit.archive.heatmap import activity_heatmap as duckdb_heatmap
from apitoolkit.exceptions import InvalidArgumentError, UnknownArchiveResourceError
from tests.helpers import hitask_items
from tests.integration.archive.frames import logs
from tests.s3server import S3Bucket

if TYPE_CHECKING:
    from distributed import Client

pytestmark = pytest.mark.slow  # a cluster of two worker processes takes a few seconds to start

#: Log ids written in batches of this many (each batch is one Delta commit, one file per month it touches).
BATCH = 700
#: About four months of logs (2026-08 .. 2026-11).
IDS = range(0, 4200)


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """A `distributed.LocalCluster` of two single-threaded worker processes, and its client."""
    from distributed import Client, LocalCluster

    with (
        LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """A local archive holding the synthetic logs, written with `Archive.write` in batches."""
    made = Archive(tmp_path_factory.mktemp("archive"))
    for first in range(IDS.start, IDS.stop, BATCH):
        assert made.write("itglue", "logs", logs(range(first, first + BATCH))) == BATCH
    return made


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(["created_at", "id"], kind="stable", ignore_index=True)


def test_dask__to_dask_on_the_cluster_equals_scan(archive: Archive, client: Client) -> None:
    frame = to_dask(archive, "itglue", "logs")
    computed = client.compute(frame).result()
    scanned = archive.scan("itglue", "logs")
    assert len(scanned) == len(IDS)
    pd.testing.assert_frame_equal(_sorted(computed), scanned)
    assert frame.dtypes.to_dict() == scanned.dtypes.to_dict()  # the lazy frame's meta too


def test_dask__a_range_and_columns_read_like_scan(archive: Archive, client: Client) -> None:
    frame = to_dask(archive, "itglue", "logs", start="2026-09-10 06:00", end="2026-10-20", columns=["id", "action"])
    wanted = archive.scan("itglue", "logs", start="2026-09-10 06:00", end="2026-10-20", columns=["id", "action"])
    computed = client.compute(frame).result().sort_values("id", ignore_index=True)
    pd.testing.assert_frame_equal(computed, wanted.sort_values("id", ignore_index=True))
    assert list(computed.columns) == ["id", "action"]


def test_dask__only_the_months_in_range_are_read(archive: Archive, client: Client) -> None:
    actions = archive.store("itglue", "logs").add_actions().to_pandas()
    october = actions[actions["partition.month"] == "2026-10"]
    assert 1 <= len(october) < len(actions)
    frame = to_dask(archive, "itglue", "logs", start="2026-10-01", end="2026-10-31")
    assert frame.npartitions == len(october)  # one task per file, October's files only
    whole = to_dask(archive, "itglue", "logs")
    assert whole.npartitions == len(actions)
    later = to_dask(archive, "itglue", "logs", start="2026-10-01")  # open-ended: October onwards
    assert later.npartitions == int((actions["partition.month"] >= "2026-10").sum())
    computed = client.compute(frame).result()
    assert len(computed) == int(october["num_records"].sum())
    assert computed["created_at"].dt.strftime("%Y-%m").eq("2026-10").all()


@pytest.mark.parametrize(("tz", "action"), [("UTC", None), ("Asia/Kolkata", "sign_in"), ("America/New_York", None)])
def test_dask__the_heatmap_on_the_cluster_equals_duckdb_and_pandas(
    archive: Archive, client: Client, tz: str, action: str | None
) -> None:
    on_cluster = dask_heatmap(archive, tz=tz, action=action, client=client)
    in_pandas = analysis_heatmap(archive.scan("itglue", "logs"), tz=tz, action=action)
    pd.testing.assert_frame_equal(on_cluster, in_pandas)
    assert int(on_cluster.sum().sum()) > 0
    # With an action, DuckDB's filter fails on tables a merge appended to (see the report): compared last.
    pd.testing.assert_frame_equal(on_cluster, duckdb_heatmap(archive, tz=tz, action=action))


def test_dask__the_heatmap_of_a_range(archive: Archive, client: Client) -> None:
    on_cluster = dask_heatmap(archive, start="2026-09-01", end="2026-09-30", tz="Europe/Berlin", client=client)
    on_duckdb = duckdb_heatmap(archive, start="2026-09-01", end="2026-09-30", tz="Europe/Berlin")
    pd.testing.assert_frame_equal(on_cluster, on_duckdb)
    september = archive.scan("itglue", "logs", start="2026-09-01", end="2026-09-30")
    assert int(on_cluster.sum().sum()) == len(september) > 0


def test_dask__hitask_items_keep_their_category_on_the_cluster(tmp_path: Path, client: Client) -> None:
    archive = Archive(tmp_path / "archive")
    items = hitask_items(
        {"category": "task", "time_last_update": "2026-10-02T10:00:00Z"},
        {"category": "event", "time_last_update": "2026-11-05T08:30:00Z"},
        {"category": "note"},
    )
    archive.write("hitask", "items", items, now="2026-11-20T12:00:00Z")
    computed = client.compute(to_dask(archive, "hitask", "items")).result()
    scanned = archive.scan("hitask", "items")
    assert computed["category"].dtype == scanned["category"].dtype == "category"
    pd.testing.assert_frame_equal(computed.sort_values(["valid_from", "id"], ignore_index=True), scanned)


def test_dask__an_s3_archive_on_the_cluster(s3_bucket: S3Bucket, client: Client) -> None:
    archive = Archive(s3_bucket.location)
    archive.write("itglue", "logs", logs(range(0, 3000, 3)))
    frame = to_dask(archive, "itglue", "logs", start="2026-09-01", end="2026-09-30")
    computed = client.compute(frame).result()  # the workers reach S3 with the archive's own settings
    pd.testing.assert_frame_equal(
        _sorted(computed), archive.scan("itglue", "logs", start="2026-09-01", end="2026-09-30")
    )
    pd.testing.assert_frame_equal(dask_heatmap(archive, client=client), duckdb_heatmap(archive))


def test_dask__an_empty_or_unknown_resource(tmp_path: Path) -> None:
    empty = Archive(tmp_path / "empty")
    with pytest.raises(UnknownArchiveResourceError, match="holds no itglue/logs"):
        to_dask(empty, "itglue", "logs")
    with pytest.raises(UnknownArchiveResourceError):
        to_dask(empty, "itglue", "tickets")
    assert int(dask_heatmap(empty).sum().sum()) == 0
    empty.write("itglue", "logs", logs(range(5)))
    with pytest.raises(InvalidArgumentError, match="no column nope"):
        to_dask(empty, "itglue", "logs", columns=["id", "nope"])
    nothing = to_dask(empty, "itglue", "logs", start="2030-01-01", end="2030-02-01")
    assert nothing.npartitions == 1
    assert nothing.compute(scheduler="sync").empty
