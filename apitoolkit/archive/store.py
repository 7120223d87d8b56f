"""One archived resource as a Delta Lake table (through ``deltalake``): atomic commits, exactly-once appends.

Why Delta Lake: each write is one commit to the table's transaction log, so a writer killed at any point leaves
only files no commit names (invisible to every reader, removed by `DeltaStore.vacuum`), and two writers racing
on the same rows are told so (`deltalake.exceptions.CommitFailedError`) instead of both succeeding. Appends are
Delta *merges* inserting only rows whose key the table lacks: a racing merge that added the same rows makes ours
fail and run again, so a row is never stored twice. New columns evolve the table (``schema_mode="merge"``).

A writer also holds a lock per table (a file lock beside a local archive; Redis when the cache is a Redis URL,
for machines sharing an S3 archive) so racing syncs wait instead of redoing work; correctness does not depend
on it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
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

#: How often a write is tried when another writer's commit got in first.
COMMIT_ATTEMPTS = 8
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


def _literal(value: Any) -> str | None:
    """A timestamp or date as a SQL literal Delta's predicates read (None stays None)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, date):
        return value.isoformat()
    return None


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
    if "access denied" in lowered or "forbidden" in lowered or "invalidaccesskeyid" in lowered or "403" in lowered:
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
        return path.is_dir() and any(path.iterdir())

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

    def dataset(self, months: Sequence[str] | None = None) -> ds.Dataset | None:
        """The table as a pyarrow dataset (only ``months``' partitions when given), or None when absent."""
        table = self.open()
        if table is None:
            return None
        pruning = [("month", "in", list(months))] if months else None
        try:
            return table.to_pyarrow_dataset(file_pruning_predicate=pruning) if months is None or months else None
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

    def _create(self, data: pa.Table) -> None:
        from deltalake import write_deltalake

        name = _TABLE_NAME.format(service=self.spec.service, resource=self.spec.resource)
        write_deltalake(
            self.uri,
            data,
            mode="append",
            partition_by=["month"],
            name=name,
            description=f"apitoolkit archive of {self.spec.service} {self.spec.resource} ({self.spec.rule})",
            storage_options=self.location.storage_options,
        )

    def _committed(self, attempt: Callable[[DeltaTable | None], _T]) -> _T:
        """Run one write, again when another writer's commit got in first."""
        from deltalake.exceptions import CommitFailedError

        for tries in range(COMMIT_ATTEMPTS):
            table = self.open()
            try:
                return attempt(table)
            except CommitFailedError:
                time.sleep(0.05 * (tries + 1))
            except ArchiveError:
                raise
            except Exception as error:
                if "version" in str(error).lower() and "exist" in str(error).lower():  # racing creators
                    time.sleep(0.05 * (tries + 1))
                    continue
                raise _delta_error(error, self.uri) from None
        raise ArchiveError(
            f"{self.uri}: {COMMIT_ATTEMPTS} commits in a row lost to other writers; nothing was written. Sync again."
        )

    def _schema(self, table: DeltaTable) -> pa.Schema:
        return pa.schema(table.schema().to_arrow())

    def _write(self, data: pa.Table, write: Callable[[DeltaTable, pa.Table], Written]) -> Written:
        """One commit of ``data`` by ``write`` (the table created by the first), retried as `_committed` says."""

        def attempt(table: DeltaTable | None) -> Written:
            if table is None:
                self._create(conform(data, pa.schema([])))
                return Written(data.num_rows, 0, 0)
            return write(table, conform(data, self._schema(table)))

        return self._committed(attempt)

    @staticmethod
    def _merger(table: DeltaTable, rows: pa.Table, match: str) -> Any:
        """A Delta merge of ``rows`` into ``table`` on ``match``, within the months ``rows`` cover.

        New columns are added to the table first, in a commit of their own (a merge that evolves the schema
        itself drops the table's name, which marks it as the archive's): killed in between, the table only has an
        empty column more.
        """
        from deltalake import Schema

        names = set(pa.schema(table.schema().to_arrow()).names)
        new = [field.with_nullable(True) for field in rows.schema if field.name not in names]
        if new:
            table.alter.add_columns(Schema.from_arrow(pa.schema(new)).fields)
            table.update_incremental()
        months = ", ".join(f"'{m}'" for m in pc.unique(rows["month"]).to_pylist())
        return table.merge(
            rows,
            predicate=f"t.month IN ({months}) AND t.month = s.month AND {match}",
            source_alias="s",
            target_alias="t",
        )

    def append_new(self, data: pa.Table, key: Sequence[str] = ("id",)) -> Written:
        """Add the rows of ``data`` whose ``key`` the table does not hold yet (in the months ``data`` covers)."""
        if data.num_rows == 0:
            return Written(0, 0, self._version())

        def insert(table: DeltaTable, rows: pa.Table) -> Written:
            match = " AND ".join(f"t.{k} = s.{k}" for k in key)
            # A row's time never changes, so a stored copy of a row is no older than the oldest row sent: the
            # bound lets the files' statistics skip the rest of the month (0.5 s -> 0.02 s on 1.6M rows a month).
            column = self.spec.time_column
            since = _literal(pc.min(rows[column]).as_py())
            bound = f" AND t.{column} >= '{since}'" if since is not None else ""
            metrics = self._merger(table, rows, match + bound).when_not_matched_insert_all().execute()
            return Written(int(metrics.get("num_target_rows_inserted", 0)), 0, table.version())

        return self._write(data, insert)

    def replace(self, data: pa.Table, predicate: str) -> Written:
        """Replace the rows matching ``predicate`` (a SQL condition on the table) with ``data``, in one commit."""
        from deltalake import write_deltalake

        def overwrite(table: DeltaTable, rows: pa.Table) -> Written:
            before = self._count(table, predicate)
            write_deltalake(
                table,
                rows,
                mode="overwrite",
                predicate=predicate,
                schema_mode="merge",
                partition_by=["month"],
                storage_options=self.location.storage_options,
            )
            return Written(rows.num_rows, before, table.version() + 1)

        return self._write(data, overwrite)

    def upsert_versions(self, data: pa.Table) -> Written:
        """A change log's write: close versions (set ``valid_to``) and add new ones, in one commit."""

        def upsert(table: DeltaTable, rows: pa.Table) -> Written:
            metrics = (
                self._merger(table, rows, "t.id = s.id AND t.valid_from = s.valid_from")
                .when_matched_update(updates={"valid_to": "s.valid_to"})
                .when_not_matched_insert_all()
                .execute()
            )
            inserted, updated = metrics.get("num_target_rows_inserted", 0), metrics.get("num_target_rows_updated", 0)
            return Written(int(inserted), int(updated), table.version())

        return self._write(data, upsert)

    def _count(self, table: DeltaTable, predicate: str) -> int:
        import duckdb

        try:
            con = duckdb.connect()
            con.register("t", table.to_pyarrow_dataset())
            row = con.execute(f"SELECT count(*) FROM t WHERE {predicate}").fetchone()
            return int(row[0]) if row else 0
        except Exception:  # counting is for the report only
            return 0

    def _version(self) -> int | None:
        table = self.open()
        return None if table is None else table.version()

    # ------------------------------------------------------------------------------------------------ upkeep
    def compact(self) -> dict[str, Any]:
        """Merge small files (one commit that changes no row) and remove files no version needs any more."""
        table = self.open()
        if table is None:
            return {"files_removed": 0, "files_added": 0}
        try:
            metrics = table.optimize.compact()
            table.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
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
