"""The archive read by Dask (a `distributed.LocalCluster` or any cluster): `to_dask`, and the activity heatmap.

One Dask partition per live Parquet file of the resource's Delta table, in month order; only the files of the
month partitions a ``start``/``end`` range touches are read (``DeltaTable.file_uris`` with a ``month`` filter
reads the transaction log, never the data). Each file is read on a worker with pyarrow and
`ArchiveLocation.filesystem` (pyarrow's own S3 client, with the archive's endpoint and credentials built on the
worker from the pickled location), filtered to the range and turned into the loader's dtypes exactly as
`Archive.scan` does, so ``to_dask(...).compute()`` holds the rows of ``archive.scan(...)``. The location travels
to the workers inside the task graph, credentials included (they need them): use a scheduler you trust with them.

Why not ``dask_deltatable.read_deltalake`` (dask-contrib's reader, installed)? It works on a local archive and
prunes partitions given its own ``filter=[("month", "==", ...)]``, but: it reaches S3 through fsspec and s3fs (not
a dependency, configured by other settings than the archive's ``storage_options``); it gives NumPy ``int64`` ids
(``float64`` once a value is missing) and Dask's ``string`` text instead of the loaders' ``Int64`` and ``str``; it
cannot restore the ``category`` of Hitask items; and it knows nothing of the time range inside a month. Reading the
files the table's log names takes a dozen lines and returns exactly what `Archive.scan` returns.

Everything Dask is imported here, never by ``import apitoolkit.archive``.

Spark recipe (documented only; apitoolkit does not depend on Spark). The tables are plain Delta Lake tables, one
per resource at ``archive.table_uri(service, resource)`` (``<location>/<service>/<resource>``), partitioned by
``month``; delta-spark reads them::

    # pip install pyspark delta-spark   (delta-spark matching the Spark version)
    from delta import configure_spark_with_delta_pip
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.appName("apitoolkit-archive")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        # S3 (hadoop-aws on the classpath: extra_packages=["org.apache.hadoop:hadoop-aws:<hadoop version>"]):
        .config("spark.hadoop.fs.s3a.endpoint", "https://s3.eu-west-1.amazonaws.com")  # or AWS_ENDPOINT_URL
        .config("spark.hadoop.fs.s3a.path.style.access", "true")  # for MinIO / moto / Ceph endpoints
        .config("spark.hadoop.fs.s3a.aws.credentials.provider",
                "com.amazonaws.auth.EnvironmentVariableCredentialsProvider")  # AWS_ACCESS_KEY_ID, ...
    )
    spark = configure_spark_with_delta_pip(builder).getOrCreate()
    logs = spark.read.format("delta").load("s3a://bucket/prefix/itglue/logs")  # s3:// -> s3a:// for Hadoop
    logs.where("month IN ('2026-11', '2026-12')").groupBy("action").count().show()

Spark only reads: apitoolkit's writers commit through deltalake, and a Spark writer would need the same
per-resource rules (`apitoolkit.archive.sync`) to keep rows exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from apitoolkit.analysis.checks import zone
from apitoolkit.archive.archive import _months, _time_filter, checked_columns, frame_of
from apitoolkit.archive.heatmap import actions_of, grid
from apitoolkit.arguments import DateRange, as_range

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Client

    from apitoolkit.archive.archive import Archive
    from apitoolkit.archive.location import ArchiveLocation
    from apitoolkit.archive.resources import ArchivedResource

__all__ = ["activity_heatmap", "to_dask"]


def _read_file(
    path: str,
    *,
    location: ArchiveLocation,
    spec: ArchivedResource,
    schema: pa.Schema,
    where: ds.Expression | None,
    columns: list[str] | None,
) -> pd.DataFrame:
    """One Parquet file of the table, on a worker: the rows in range, the loader's dtypes."""
    dataset = ds.dataset(path, schema=schema, format="parquet", filesystem=location.filesystem())
    return frame_of(dataset.to_table(columns=columns, filter=where), spec)


def _in_filesystem(uri: str) -> str:
    """A file URI from the Delta log as the location's pyarrow filesystem names it (``bucket/key`` on S3)."""
    for scheme in ("s3://", "s3a://", "file://"):
        if uri.startswith(scheme):
            return uri[len(scheme) :]
    return uri


def _month_of_file(uri: str) -> str:
    part = next((p for p in uri.split("/") if p.startswith("month=")), "month=")
    return part.removeprefix("month=")


def _month_filter(span: DateRange) -> list[tuple[str, str, Any]]:
    """The ``month`` partitions a range touches, as file-pruning filters (none: every month)."""
    months = _months(span)
    if months is not None:
        return [("month", "in", months)]
    if span.start is not None:
        return [("month", ">=", f"{span.start.tz_convert('UTC'):%Y-%m}")]
    if span.end is not None:
        last = span.end - pd.Timedelta(microseconds=1) if span.end_is_date else span.end
        return [("month", "<=", f"{last.tz_convert('UTC'):%Y-%m}")]
    return []


def to_dask(
    archive: Archive,
    service: str,
    resource: str,
    *,
    start: Any = None,
    end: Any = None,
    columns: Sequence[str] | None = None,
) -> dd.DataFrame:
    """The archived rows of one resource as a Dask DataFrame: one partition per file, loader dtypes.

    Only the month partitions ``start``..``end`` touches are read; the rows are the rows of
    ``archive.scan(service, resource, start=start, end=end, columns=columns)``, in month order (sort for more).

    Args:
        archive: The archive (local or S3: workers reach S3 with its endpoint and credentials).
        service: ``itglue`` or ``hitask``.
        resource: An archived resource of the service (``logs``, ``items``, ...).
        start: The first moment (or day) of the resource's time column to keep; default the first archived.
        end: The last moment (a date includes its day); default the last archived.
        columns: Only these columns (the time column is still used for the range).

    Returns:
        A lazy ``dask.dataframe.DataFrame``; ``.compute()`` (on a `distributed.Client` if one is active) reads it.

    Raises:
        UnknownArchiveResourceError: The archive does not keep the resource, or holds nothing of it yet.
        InvalidArgumentError: A bad ``start``/``end`` or an unknown column.
        ArchiveLocationError: The location cannot be reached or the credentials are refused.

    Example:
        >>> import tempfile
        >>> from apitoolkit.archive import Archive
        >>> with tempfile.TemporaryDirectory() as where:
        ...     archive = Archive(where)
        ...     logs = pd.DataFrame({"id": pd.array([1, 2], "Int64"),
        ...                          "created_at": pd.to_datetime(["2026-11-02 09:00", "2026-12-01 10:00"], utc=True)})
        ...     _ = archive.write("itglue", "logs", logs)
        ...     frame = to_dask(archive, "itglue", "logs", start="2026-12-01")
        ...     frame.npartitions, frame.compute(scheduler="sync")["id"].tolist()
        (1, [2])
    """
    import dask
    import dask.dataframe as dd

    store = archive.store(service, resource)
    span = as_range(start, end)
    table = archive.held(store)
    schema = pa.schema(table.schema().to_arrow())
    wanted = checked_columns(store.spec, schema, columns)
    months = _month_filter(span)
    files = table.file_uris(file_pruning_predicate=months) if months else table.file_uris()
    meta = frame_of(schema.empty_table().select(wanted) if wanted is not None else schema.empty_table(), store.spec)
    ordered = [_in_filesystem(uri) for uri in sorted(files, key=lambda uri: (_month_of_file(uri), uri))]
    with dask.config.set({"dataframe.convert-string": False}):  # keep the loaders' str dtype, not string[pyarrow]
        if not ordered:
            return cast("dd.DataFrame", dd.from_pandas(meta, npartitions=1))  # type: ignore[no-untyped-call]
        frame = dd.from_map(  # type: ignore[no-untyped-call]
            _read_file,
            ordered,
            location=archive.place,
            spec=store.spec,
            schema=schema,
            where=_time_filter(store.spec, span, None),
            columns=wanted,
            meta=meta,
            label=f"archive-{service}-{resource}",
        )
    return cast("dd.DataFrame", frame)


_COUNTS = pd.DataFrame({"weekday": pd.Series([], dtype="int64"), "hour": pd.Series([], dtype="int64"),
                        "events": pd.Series([], dtype="int64")})  # fmt: skip


def _count_cells(logs: pd.DataFrame, tz: str, actions: list[str] | None) -> pd.DataFrame:
    """Events per (weekday, hour) of one partition, on the wall clock of ``tz`` (weekday 0 = Monday)."""
    if actions is not None:
        logs = logs.loc[logs["action"].isin(actions)]
    local = logs["created_at"].dropna().dt.tz_convert(tz)
    if local.empty:
        return _COUNTS.copy()
    cells = pd.DataFrame({"weekday": local.dt.day_of_week.astype("int64"), "hour": local.dt.hour.astype("int64")})
    return cells.groupby(["weekday", "hour"], as_index=False).size().rename(columns={"size": "events"})


def activity_heatmap(
    archive: Archive,
    *,
    start: Any = None,
    end: Any = None,
    tz: str = "UTC",
    action: str | Iterable[str] | None = None,
    client: Client | None = None,
) -> pd.DataFrame:
    """Archived IT Glue log events per weekday and hour in ``tz``, counted on a Dask cluster.

    Each partition (file) is counted where it is read; only the small counts travel back and are summed by
    `apitoolkit.archive.heatmap.grid`. The answer equals `apitoolkit.archive.heatmap.activity_heatmap` (DuckDB)
    and `apitoolkit.analysis.activity_heatmap` of ``archive.scan("itglue", "logs", ...)``.

    Args:
        archive: The archive.
        start: First moment (or day) of ``created_at`` counted; default all.
        end: Last moment (a date includes its day); default all.
        tz: The zone whose weekday and wall-clock hour each event falls in.
        action: Only these actions (a name or a list of names); all when None.
        client: The `distributed.Client` to compute on; default the active client, else Dask's local scheduler.

    Returns:
        Index ``weekday`` ("Mon" .. "Sun"), columns ``hour`` (0 .. 23), Int64 event counts; zeros when the
        archive holds no logs.

    Raises:
        InvalidArgumentError: An unknown ``tz``, a bad ``action``, ``start`` or ``end``.
        ArchiveLocationError: The location cannot be reached or the credentials are refused.

    Example:
        >>> import tempfile
        >>> from apitoolkit.archive import Archive
        >>> with tempfile.TemporaryDirectory() as where:
        ...     archive = Archive(where)
        ...     logs = pd.DataFrame({"id": pd.array([1], "Int64"),
        ...                          "created_at": pd.to_datetime(["2026-11-23 09:15"], utc=True)})
        ...     _ = archive.write("itglue", "logs", logs)
        ...     int(activity_heatmap(archive, tz="Asia/Kolkata").loc["Mon", 14])
        1
    """
    name = zone(tz)
    chosen = actions_of(action)
    as_range(start, end)
    archive.place.check_readable()
    if archive.store("itglue", "logs").open() is None:
        return grid(_COUNTS)
    columns = ["created_at", *(["action"] if chosen is not None else [])]
    logs = to_dask(archive, "itglue", "logs", start=start, end=end, columns=columns)
    counts = logs.map_partitions(_count_cells, name, chosen, meta=_COUNTS)  # type: ignore[no-untyped-call]
    computed = client.compute(counts).result() if client is not None else counts.compute()  # type: ignore[no-untyped-call]
    return grid(computed)
