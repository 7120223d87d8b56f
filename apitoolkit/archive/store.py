"""One archived resource as a Delta Lake table (through ``deltalake``): atomic commits, exactly-once appends.

Why Delta Lake: each write is one commit to the table's transaction log, so a writer killed at any point leaves
only files no commit names (invisible to every reader, removed by `DeltaStore.compact`'s vacuum). Racing writers
are caught by Delta's idempotent-writer transactions: every write of a table commits the next version of the
table's application id, so of two writers that read the same state the later commit fails
(`deltalake.exceptions.CommitFailedError`) and runs again on the new state, where the rows the other added are
already there. A row is never stored twice, with or without a lock. New columns evolve the table
(``schema_mode="merge"``); a column's type is kept (`conform`).

Why not Delta's MERGE for the appends: deltalake 1.6 rewrites through DataFusion, which stores text as
``string_view``; Arrow then cannot filter a table mixing those files with plain ones ("no kernel matching
(string, string_view)"). Appends read the keys of the files whose statistics reach the new rows' time (a day's
files, whatever the archive's size), keep the rows not held, and append them as written. Deletes and compaction
still rewrite through DataFusion, so DuckDB reads text columns as ``string_view`` (`DeltaStore.dataset`).

A writer also holds a lock per table (a file lock beside a local archive; Redis when the cache is a Redis URL,
for machines sharing an S3 archive) so racing syncs wait instead of redoing work; correctness does not depend
on it.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from apitoolkit.archive.resources import ArchivedResource
from apitoolkit.config import CacheLocation, cache_location
from apitoolkit.exceptions import ArchiveCorruptError, ArchiveError, ArchiveLocationError, ConfigurationError
from apitoolkit.stores.locks import single_flight

if TYPE_CHECKING:
    from deltalake import DeltaTable

    from apitoolkit.archive.location import ArchiveLocation

__all__ = ["COMMIT_ATTEMPTS", "DeltaStore", "Written", "month_of"]

#: How often a write is tried when another writer's commit got in first (waits: random, doubling up to 2 s).
COMMIT_ATTEMPTS = 16
#: Hours a file no version needs is kept before `DeltaStore.compact` deletes it (longer than any write takes).
VACUUM_HOURS = 1
#: Seconds a writer waits for another writer of the same table before going ahead (the commit still protects).
LOCK_WAIT = 600.0
_T = TypeVar("_T")
_TABLE_NAME = "apitoolkit:{service}/{resource}"


@dataclass(frozen=True)
class Written:
    """What one write did: rows added, rows replaced (or closed, for a change log), the table version after."""

    added: int
    replaced: int
    version: int | None


def month_of(column: pa.ChunkedArray | pa.Array) -> pa.Array | pa.ChunkedArray:
    """``"YYYY-MM"`` (UTC) of a timestamp or date column, the partition of every archive table.

    Example:
        >>> month_of(pa.array([pa.scalar(19700, pa.date32()).as_py()])).to_pylist()
        ['2023-12']
    """
    if pa.types.is_timestamp(column.type) and column.type.tz is not None:
        column = pc.cast(column, pa.timestamp(column.type.unit))  # strftime on the UTC wall clock
    return pc.strftime(column, format="%Y-%m")


def _text_as_view(schema: pa.Schema) -> pa.Schema:
    """``schema`` with its text columns as ``string_view`` (see `DeltaStore.dataset`)."""
    text = (pa.string(), pa.large_string())
    return pa.schema([field.with_type(pa.string_view()) if field.type in text else field for field in schema])


def _repeated(keys: pa.ChunkedArray) -> pa.Array:
    """Which entries repeat an earlier one (the first copy of each key is kept)."""
    frame = pa.table({"key": keys, "row": pa.array(range(len(keys)), pa.int64())})
    firsts = frame.group_by("key").aggregate([("row", "min")])["row_min"]
    return pc.invert(pc.is_in(frame["row"], value_set=firsts))


def conform(data: pa.Table, schema: pa.Schema) -> pa.Table:
    """``data`` with the column types the table already has (new columns are left to evolve the table).

    A column with no values at all (Arrow's null type, which Delta cannot store) becomes text when new.

    Raises:
        ArchiveError: A column's values cannot take the table's type (the message names it).
    """
    out = data
    for i, column in enumerate(data.schema):
        if column.name in schema.names:
            wanted = schema.field(column.name).type
        elif pa.types.is_null(column.type):
            wanted = pa.string()
        else:
            continue
        if column.type.equals(wanted):
            continue
        try:
            out = out.set_column(i, column.name, pc.cast(data[column.name], wanted))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            raise ArchiveError(
                f"The new rows' column {column.name!r} holds {column.type} where the archive holds {wanted}: the "
                "API changed the field's type. Nothing was written; report it, or archive into a new location."
            ) from None
    return out


def _delta_error(error: Exception, where: str) -> ArchiveError:
    text = str(error).splitlines()[0][:300] if str(error) else type(error).__name__
    lowered = str(error).lower()
    if isinstance(error, MemoryError | pa.ArrowMemoryError) or "realloc" in lowered or "allocat" in lowered:
        return ArchiveError(
            f"Reading {where} ran out of memory ({text}): read less at a time (start=/end=, columns=), or let "
            "DuckDB do the work inside the archive (Archive.sql, Archive.heatmap)."
        )
    refused = ("access denied", "access_denied", "forbidden", "invalidaccesskeyid", "signaturedoesnotmatch", "403")
    if any(word in lowered for word in refused):
        return ArchiveLocationError(
            f"The archive table {where} was refused ({text}): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
        )
    if "nosuchbucket" in lowered or ("bucket" in lowered and "not" in lowered):
        return ArchiveLocationError(f"The bucket of the archive table {where} does not exist: create it first.")
    if isinstance(error, OSError) and not _is_delta_error(error):
        return ArchiveLocationError(f"The archive table {where} could not be reached ({text}).")
    return ArchiveCorruptError(
        f"The archive table {where} cannot be read ({text}): it is damaged or not a table apitoolkit wrote. Move "
        "it aside (the archive recreates it on the next sync) or restore it from a backup."
    )


def _is_delta_error(error: Exception) -> bool:
    from deltalake.exceptions import DeltaError

    return isinstance(error, DeltaError)


class DeltaStore:
    """The Delta table of one archived resource at one location."""

    def __init__(self, location: ArchiveLocation, spec: ArchivedResource, *, locks: CacheLocation | None) -> None:
        self.location = location
        self.spec = spec
        self.uri = location.table_uri(spec.service, spec.resource)
        self._locks = locks

    def __repr__(self) -> str:
        return f"DeltaStore({self.uri!r})"

    # ------------------------------------------------------------------------------------------------ reading
    def _has_files(self) -> bool:
        if self.location.is_s3:
            return False  # an S3 prefix without a log is simply absent
        path = Path(self.uri)
        # A ``_delta_log`` alone is a table another writer is creating right now (its first commit not yet there).
        return path.is_dir() and any(entry.name != "_delta_log" for entry in path.iterdir())

    def open(self) -> DeltaTable | None:
        """The table, or None when the archive has none yet.

        Raises:
            ArchiveCorruptError: Something is at the table's place that is not a Delta table apitoolkit wrote.
            ArchiveLocationError: The location cannot be reached or the credentials are refused.
        """
        from deltalake import DeltaTable

        options = self.location.storage_options
        try:
            if not DeltaTable.is_deltatable(self.uri, storage_options=options):
                if self._has_files():
                    raise ArchiveCorruptError(
                        f"{self.uri} holds files but no Delta table: it is not an apitoolkit archive table. "
                        "Move it aside or choose another archive location."
                    )
                return None
            table = DeltaTable(self.uri, storage_options=options)
            name = table.metadata().name
        except ArchiveError:
            raise
        except Exception as error:  # deltalake raises its own errors and plain OSError/ValueError
            raise _delta_error(error, self.uri) from None
        expected = _TABLE_NAME.format(service=self.spec.service, resource=self.spec.resource)
        if name != expected:
            raise ArchiveCorruptError(
                f"{self.uri} is a Delta table named {name!r}, not the archive's {expected!r}: a foreign table is "
                "in the archive's place. Move it aside or choose another archive location."
            )
        return table

    def dataset(self, months: Sequence[str] | None = None, *, text_as_view: bool = False) -> ds.Dataset | None:
        """The table as a pyarrow dataset (only ``months``' partitions when given), or None when absent.

        ``text_as_view`` reads text columns as ``string_view``: deltalake's own rewrites (deletes, compaction)
        store text that way, and Arrow cannot filter files of both kinds under a plain ``string`` schema
        ("no kernel matching (string, string_view)"). DuckDB, which pushes its ``WHERE`` into the dataset, reads
        it so; `scan` keeps plain text (it filters on times only).
        """
        table = self.open()
        if table is None:
            return None
        pruning = [("month", "in", list(months))] if months else None
        if months is not None and not months:
            return None
        try:
            schema = _text_as_view(pa.schema(table.schema().to_arrow())) if text_as_view else None
            return table.to_pyarrow_dataset(file_pruning_predicate=pruning, schema=schema)
        except Exception as error:
            raise _delta_error(error, self.uri) from None

    def read(
        self,
        *,
        months: Sequence[str] | None = None,
        where: ds.Expression | None = None,
        columns: Sequence[str] | None = None,
    ) -> pa.Table | None:
        """Rows of ``months`` matching ``where`` (None when the table is absent)."""
        dataset = self.dataset(months)
        if dataset is None:
            return None if self.open() is None else self.empty(columns)
        try:
            return dataset.to_table(columns=list(columns) if columns is not None else None, filter=where)
        except Exception as error:
            raise _delta_error(error, self.uri) from None

    def empty(self, columns: Sequence[str] | None = None) -> pa.Table:
        """No rows, the table's columns."""
        table = self.open()
        if table is None:
            return pa.table({})
        schema = pa.schema(table.schema().to_arrow())
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns if c in schema.names])
        return schema.empty_table()

    def add_actions(self) -> pa.Table:
        """The live files with their partition, size, row count and column statistics (empty when absent)."""
        table = self.open()
        if table is None:
            return pa.table({})
        return pa.table(table.get_add_actions(flatten=True))

    def max_time(self) -> Any:
        """The largest value of the time column, read from the files' statistics (no data read)."""
        actions = self.add_actions()
        column = f"max.{self.spec.time_column}"
        if actions.num_rows == 0 or column not in actions.column_names:
            return None
        return pc.max(actions[column]).as_py()

    # ------------------------------------------------------------------------------------------------ writing
    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[bool]:
        """Hold this table's writer lock (see the module docstring)."""
        key = f"{self.spec.service}-{self.spec.resource}"
        with single_flight(self._locks or CacheLocation(None), "archive", key, wait=LOCK_WAIT) as held:
            yield held

    @property
    def app_id(self) -> str:
        """The Delta application id every writer of this table commits under (see `_commit`)."""
        return _TABLE_NAME.format(service=self.spec.service, resource=self.spec.resource)

    def _create(self, schema: pa.Schema) -> None:
        """Create the empty table (nothing when another writer created it first: ``mode="ignore"``)."""
        from deltalake import DeltaTable

        DeltaTable.create(
            self.uri,
            schema,
            mode="ignore",
            partition_by=["month"],
            name=self.app_id,
            description=f"apitoolkit archive of {self.spec.service} {self.spec.resource} ({self.spec.rule})",
            storage_options=self.location.storage_options,
        )

    def _committed(self, data: pa.Table, attempt: Callable[[DeltaTable, pa.Table], _T]) -> _T:
        """Run one write on the table as it is now, again when another writer's commit got in first."""
        from deltalake.exceptions import CommitFailedError

        for tries in range(COMMIT_ATTEMPTS):
            try:
                table = self.open()
                if table is None:
                    self._create(conform(data, pa.schema([])).schema)
                    continue
                return attempt(table, conform(data, self._schema(table)))
            except CommitFailedError:
                # Random waits: two writers that collided do not retry in step and collide again.
                time.sleep(random.uniform(0, min(2.0, 0.05 * 2**tries)))
            except ArchiveError:
                raise
            except (OSError, ValueError, RuntimeError) as error:  # deltalake's DeltaError is an OSError/Exception
                raise _delta_error(error, self.uri) from None
            except Exception as error:
                if not _is_delta_error(error):
                    raise
                raise _delta_error(error, self.uri) from None
        raise ArchiveError(
            f"{self.uri}: {COMMIT_ATTEMPTS} commits in a row lost to other writers; nothing was written. Sync again."
        )

    def _commit(self, table: DeltaTable, rows: pa.Table, predicate: str | None) -> None:
        """Write ``rows`` (appended, or replacing what ``predicate`` matches) as one commit of this table's writers.

        Every write carries the next version of the table's application transaction (Delta's idempotent
        writers): two writers that read the same table state both ask for the same version, and the later commit
        fails (`CommitFailedError`) instead of adding what the other just added; `_committed` runs it again on
        the new state.
        """
        from deltalake import CommitProperties, Transaction, write_deltalake

        version = table.transaction_version(self.app_id) or 0
        options = {
            "partition_by": ["month"],
            "schema_mode": "merge",
            "storage_options": self.location.storage_options,
            "commit_properties": CommitProperties(app_transactions=[Transaction(self.app_id, version + 1)]),
        }
        if predicate is None:
            write_deltalake(table, rows, mode="append", **options)  # type: ignore[call-overload]
        else:
            write_deltalake(table, rows, mode="overwrite", predicate=predicate, **options)  # type: ignore[call-overload]

    def _schema(self, table: DeltaTable) -> pa.Schema:
        return pa.schema(table.schema().to_arrow())

    @staticmethod
    def _months(rows: pa.Table) -> list[str]:
        return sorted(str(m) for m in pc.unique(rows["month"]).to_pylist())

    def append_new(self, data: pa.Table, key: str = "id") -> Written:
        """Add the rows of ``data`` whose ``key`` the table does not hold yet (in the months ``data`` covers)."""
        if data.num_rows == 0:
            return Written(0, 0, self._version())

        def insert(table: DeltaTable, rows: pa.Table) -> Written:
            # A row's time never changes, so a stored copy of a row is no older than the oldest row sent: only the
            # files whose statistics reach that time are read, whatever the size of the archive.
            column = self.spec.time_column
            where = ds.field(column) >= pc.min(rows[column])
            stored = table.to_pyarrow_dataset(file_pruning_predicate=[("month", "in", self._months(rows))])
            held = stored.to_table(columns=[key], filter=where)[key]
            fresh = rows.filter(pc.invert(pc.is_in(rows[key], value_set=held.combine_chunks())))
            fresh = fresh.filter(pc.invert(_repeated(fresh[key])))
            if fresh.num_rows:
                self._commit(table, fresh, None)
            return Written(fresh.num_rows, 0, None)

        return self._committed(data, insert)

    def replace(self, data: pa.Table, predicate: str) -> Written:
        """Replace the rows matching ``predicate`` (a SQL condition on the table) with ``data``, in one commit."""

        def overwrite(table: DeltaTable, rows: pa.Table) -> Written:
            before = self._count(table, predicate)
            self._commit(table, rows, predicate)
            return Written(rows.num_rows, before, None)

        return self._committed(data, overwrite)

    def upsert_versions(self, data: pa.Table) -> Written:
        """A change log's write: close versions (set ``valid_to``) and add new ones, in one commit.

        ``data`` holds new versions and, for versions to close, the stored row with its ``valid_to`` set. The
        months those rows fall in are read, changed and written back whole (a change log is small).
        """

        def upsert(table: DeltaTable, rows: pa.Table) -> Written:
            months = self._months(rows)
            stored = table.to_pyarrow_dataset(file_pruning_predicate=[("month", "in", months)])
            current = stored.to_table(filter=ds.field("month").isin(months))
            keys = pc.binary_join_element_wise(
                pc.cast(rows["id"], pa.string()), pc.cast(rows["valid_from"], pa.string()), "|"
            )
            held = pc.binary_join_element_wise(
                pc.cast(current["id"], pa.string()), pc.cast(current["valid_from"], pa.string()), "|"
            )
            kept = current.filter(pc.invert(pc.is_in(held, value_set=keys)))
            closed = int(pc.sum(pc.is_in(keys, value_set=held)).as_py() or 0)
            merged = pa.concat_tables([kept, rows], promote_options="permissive")
            self._commit(table, merged, f"month IN ({', '.join(repr(m) for m in months)})")
            return Written(rows.num_rows - closed, closed, None)

        return self._committed(data, upsert)

    def _count(self, table: DeltaTable, predicate: str) -> int:
        import duckdb

        try:
            con = duckdb.connect()
            con.register("t", table.to_pyarrow_dataset(schema=_text_as_view(self._schema(table))))
            row = con.execute(f"SELECT count(*) FROM t WHERE {predicate}").fetchone()
            return int(row[0]) if row else 0
        except Exception:  # counting is for the report only
            return 0

    def _version(self) -> int | None:
        table = self.open()
        return None if table is None else table.version()

    # ------------------------------------------------------------------------------------------------ upkeep
    def compact(self) -> dict[str, Any]:
        """Merge small files (one commit that changes no row), write a checkpoint, delete unneeded files.

        Files no version needs are deleted once an hour old (`VACUUM_HOURS`), so a writer still at work, whose new
        files no commit names yet, never loses them. The checkpoint makes opening the table read one Parquet file
        instead of replaying every commit: 20.7 ms -> 2.7 ms for a year of weekly commits.
        """
        table = self.open()
        if table is None:
            return {"files_removed": 0, "files_added": 0}
        try:
            metrics = table.optimize.compact()
            table.create_checkpoint()
            table.cleanup_metadata()
            table.vacuum(retention_hours=VACUUM_HOURS, enforce_retention_duration=False, dry_run=False)
        except Exception as error:
            raise _delta_error(error, self.uri) from None
        return {"files_removed": metrics.get("numFilesRemoved", 0), "files_added": metrics.get("numFilesAdded", 0)}

    def delete(self, predicate: str) -> int:
        """Delete the rows matching ``predicate`` in one commit; returns how many."""
        table = self.open()
        if table is None:
            return 0
        try:
            metrics = table.delete(predicate)
        except Exception as error:
            raise _delta_error(error, self.uri) from None
        return int(metrics.get("num_deleted_rows", 0))


def lock_location(location: ArchiveLocation, redis: str | None) -> CacheLocation | None:
    """Where the archive's writer locks live: a Redis URL given or in ``APITOOLKIT_CACHE``, else beside a local
    archive; None for an S3 archive without Redis (the Delta commit still keeps rows exactly once)."""
    if redis is not None:
        return cache_location(redis)
    try:
        cache = cache_location()
    except ConfigurationError:
        cache = CacheLocation(None)
    if cache.redis is not None:
        return cache
    if location.is_s3:
        return None
    return CacheLocation(Path(location.uri) / ".apitoolkit")
