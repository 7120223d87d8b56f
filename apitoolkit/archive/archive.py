"""`Archive`: history the APIs do not keep, as Delta Lake tables read with pandas, DuckDB or Dask."""

from __future__ import annotations

import math
import os
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from apitoolkit.archive.location import ArchiveLocation, archive_location
from apitoolkit.archive.resources import ARCHIVED, ArchivedResource, archived
from apitoolkit.archive.store import DeltaStore, lock_location
from apitoolkit.archive.sync import SYNC, write_frame
from apitoolkit.arguments import DateRange, as_range, as_timestamp, shown
from apitoolkit.config import offline_mode
from apitoolkit.exceptions import (
    ApiToolkitError,
    ArchiveError,
    ArchiveQueryError,
    ConfigurationError,
    InvalidArgumentError,
    UnknownArchiveResourceError,
)
from apitoolkit.frames import table_to_frame

if TYPE_CHECKING:
    import dask.dataframe as dd
    import duckdb
    from deltalake import DeltaTable

    from apitoolkit.http.client import BaseClient

__all__ = ["Archive", "SyncFailedError"]

_SYNC_COLUMNS = ["service", "resource", "rows_added", "rows_replaced", "version", "seconds", "error", "skipped"]


class SyncFailedError(ArchiveError):
    """Some resources of a sync failed (each left as it was); ``results`` has every resource's row."""

    def __init__(self, message: str, results: pd.DataFrame) -> None:
        super().__init__(message)
        self.results = results


def _months(span: DateRange) -> list[str] | None:
    """The ``month`` partitions a range touches (None: unbounded, read every month)."""
    if span.start is None or span.end is None:
        return None
    first = span.start.tz_convert("UTC").tz_localize(None).to_period("M")
    last = (span.end - pd.Timedelta(microseconds=1) if span.end_is_date else span.end).tz_convert("UTC")
    return [str(p) for p in pd.period_range(first, last.tz_localize(None).to_period("M"), freq="M")]


def _time_filter(spec: ArchivedResource, span: DateRange, months: list[str] | None) -> ds.Expression | None:
    field = ds.field(spec.time_column)
    parts: list[ds.Expression] = []
    if months is not None:
        parts.append(ds.field("month").isin(months))
    is_date = spec.time_column in {"date", "snapshot_date"}
    if span.start is not None:
        lo = span.start.date() if is_date else span.start.to_pydatetime()
        parts.append(field >= pa.scalar(lo))
    if span.end is not None:
        if is_date:
            last = span.last_day
            parts.append(field <= pa.scalar(last))
        else:
            hi = pa.scalar(span.end.to_pydatetime())
            parts.append(field <= hi if span.end_inclusive else field < hi)
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out = out & part
    return out


class Archive:
    """An append-only archive of API history at a local directory or ``s3://bucket/prefix``.

    Args:
        location: Where it lives; default ``APITOOLKIT_ARCHIVE``, else ``<user data directory>/archive``.
        redis: A Redis URL for the writer locks of machines sharing an archive (default: ``APITOOLKIT_CACHE``
            when it is a Redis URL).

    Example:
        >>> import tempfile
        >>> import pandas as pd
        >>> with tempfile.TemporaryDirectory() as where:
        ...     archive = Archive(where)
        ...     logs = pd.DataFrame({"id": pd.array([1, 2], "Int64"),
        ...                          "created_at": pd.to_datetime(["2026-11-02 09:00", "2026-12-01 10:00"], utc=True)})
        ...     archive.write("itglue", "logs", logs)
        ...     archive.write("itglue", "logs", logs)  # exactly once by id
        ...     archive.scan("itglue", "logs", start="2026-12-01")["id"].tolist()
        2
        0
        [2]
    """

    def __init__(self, location: str | os.PathLike[str] | None = None, *, redis: str | None = None) -> None:
        self._location = archive_location(location)
        self._locks = lock_location(self._location, redis)

    def __repr__(self) -> str:
        return f"Archive({self._location.uri!r})"

    @property
    def location(self) -> str:
        """The location as shown to people (no credentials)."""
        return self._location.uri

    @property
    def storage_options(self) -> dict[str, str]:
        """Options for deltalake and Arrow readers of this archive (they hold credentials: never print them)."""
        return self._location.storage_options

    @property
    def place(self) -> ArchiveLocation:
        """The parsed location (the pyarrow filesystem of an S3 archive, paths inside it)."""
        return self._location

    def table_uri(self, service: str, resource: str) -> str:
        """The Delta table of one resource (``<location>/<service>/<resource>``)."""
        spec = archived(service, resource)
        return self._location.table_uri(spec.service, spec.resource)

    def store(self, service: str, resource: str) -> DeltaStore:
        """The table of one resource (`DeltaStore`)."""
        return DeltaStore(self._location, archived(service, resource), locks=self._locks)

    # ------------------------------------------------------------------------------------------------ writing
    def write(self, service: str, resource: str, frame: pd.DataFrame, *, now: Any = None) -> int:
        """Archive a loader's frame by the resource's rule, as `sync` would; returns the rows added.

        Raises:
            UnknownArchiveResourceError: The archive does not keep ``service/resource``.
            InvalidArgumentError: ``frame`` is not a frame with the resource's time column.
            ArchiveLocationError: The location cannot be written (nothing is).
        """
        store = self.store(service, resource)
        if not isinstance(frame, pd.DataFrame):
            raise InvalidArgumentError(f"frame={shown(frame)} is not a DataFrame: pass a loader's frame.")
        moment = as_timestamp(now, "now") if now is not None else pd.Timestamp.now("UTC")
        self._location.check_writable()
        with store.writer_lock():
            return write_frame(store, frame, moment).added

    def _plan(self, service: str | None, resource: str | None) -> list[ArchivedResource]:
        if service is not None and not any(s == service for s, _ in ARCHIVED):
            services = ", ".join(sorted({s for s, _ in ARCHIVED}))
            raise UnknownArchiveResourceError(f"The archive keeps no {service!r} resource: use one of {services}.")
        if resource is not None and service is None:
            matching = [spec for spec in ARCHIVED.values() if spec.resource == resource]
            if not matching:
                kept = ", ".join(f"{s}/{r}" for s, r in ARCHIVED)
                raise UnknownArchiveResourceError(f"The archive keeps no {resource!r} resource: it keeps {kept}.")
            return matching
        if resource is not None and service is not None:
            return [archived(service, resource)]
        return [spec for spec in ARCHIVED.values() if service is None or spec.service == service]

    def sync(
        self,
        service: str | None = None,
        resource: str | None = None,
        *,
        now: Any = None,
        clients: Mapping[str, BaseClient] | None = None,
    ) -> pd.DataFrame:
        """Bring the archive up to date through the loaders (see `apitoolkit.archive.sync` for each rule).

        Args:
            service: Only this service (``itglue``, ``hitask``); default all.
            resource: Only this resource; default all of the service.
            now: The moment the sync takes as now (default: the current UTC time).
            clients: A client per service (default: each from the environment). A sync of every service (no
                ``service`` given) skips a service with neither a client nor any of its credential variables set,
                saying so in ``skipped``: an IT Glue-only account's nightly sync does not fail on Hitask.

        Returns:
            One row per resource: rows_added, rows_replaced (or versions closed), version, seconds, error, skipped.

        Raises:
            UnknownArchiveResourceError: ``service``/``resource`` is not kept by the archive.
            ArchiveLocationError: The location cannot be written (checked before any request).
            SyncFailedError: A resource failed (it was left as it was; the others were synced); ``results``.
            ConfigurationError: A sync of every service, and no service has credentials.
        """
        plan = self._plan(service, resource)
        moment = as_timestamp(now, "now") if now is not None else pd.Timestamp.now("UTC")
        if offline_mode():
            raise ArchiveError(
                "The archive syncs from the APIs, and offline mode is on (APITOOLKIT_OFFLINE): a cached copy "
                "archived as today's would be history that never happened. Unset APITOOLKIT_OFFLINE to sync."
            )
        self._location.check_writable()
        given = dict(clients or {})
        unset = set() if service is not None else {s.service for s in plan if s.service not in given} - _configured()
        if unset and unset >= {s.service for s in plan}:
            raise ConfigurationError(
                "No service the archive keeps has credentials: set ITGLUE_API_KEY (IT Glue) or HITASK_API_KEY, "
                "HITASK_LOGIN and HITASK_PASSWORD (Hitask)."
            )
        rows = [
            _skipped(spec) if spec.service in unset else self._sync_one(spec, given.get(spec.service), moment)
            for spec in plan
        ]
        results = pd.DataFrame(rows, columns=_SYNC_COLUMNS).astype(
            {"rows_added": "Int64", "rows_replaced": "Int64", "version": "Int64", "error": "str", "skipped": "str"}
        )
        failed = results[results["error"].notna()]
        if not failed.empty:
            names = "; ".join(f"{r.service}/{r.resource}: {str(r.error).rstrip('.')}" for r in failed.itertuples())
            raise SyncFailedError(f"The archive sync failed for {names}. Nothing of those was written.", results)
        return results

    def _sync_one(self, spec: ArchivedResource, client: BaseClient | None, now: pd.Timestamp) -> dict[str, Any]:
        store = DeltaStore(self._location, spec, locks=self._locks)
        started = time.perf_counter()
        row: dict[str, Any] = {"service": spec.service, "resource": spec.resource, "error": None, "skipped": None}
        try:
            with store.writer_lock():
                written = SYNC[spec.rule](store, client, now)
        except ApiToolkitError as error:
            row.update(rows_added=0, rows_replaced=0, version=None, error=f"{type(error).__name__}: {error}")
        else:
            table = store.open()
            version = None if table is None else table.version()
            row.update(rows_added=written.added, rows_replaced=written.replaced, version=version)
        row["seconds"] = round(time.perf_counter() - started, 3)
        return row

    # ------------------------------------------------------------------------------------------------ reading
    def scan(
        self,
        service: str,
        resource: str,
        *,
        start: Any = None,
        end: Any = None,
        columns: Sequence[str] | None = None,
    ) -> pd.DataFrame:
        """The archived rows of one resource from ``start`` to ``end`` (its time column), with the loader's dtypes.

        Only the month partitions the range touches are read. ``end`` as a date includes that day.

        Raises:
            UnknownArchiveResourceError: The archive does not keep it, or holds nothing of it yet.
            InvalidArgumentError: A bad ``start``/``end`` or an unknown column.
        """
        store = self.store(service, resource)
        span = as_range(start, end)
        months = _months(span)
        table = self.held(store)
        wanted = checked_columns(store.spec, pa.schema(table.schema().to_arrow()), columns)
        read = store.read(months=months, where=_time_filter(store.spec, span, months), columns=wanted)
        assert read is not None
        frame = frame_of(read, store.spec)
        order = [c for c in (store.spec.time_column, "id") if c in frame.columns]
        if order and len(frame) > 1 and not _in_order(frame, order):  # a sorted read is not copied again
            frame = frame.sort_values(order, kind="stable", ignore_index=True)
        frame.attrs = {"apitoolkit": {"resource": resource, "source": "archive", "archive": self.location}}
        return frame

    def held(self, store: DeltaStore) -> DeltaTable:
        """The table of ``store``, checked to exist (for readers: `scan`, `to_dask`).

        Raises:
            ArchiveLocationError: The location cannot be reached or the credentials are refused.
            UnknownArchiveResourceError: The archive holds nothing of that resource yet (says how to sync it).
        """
        self._location.check_readable()
        table = store.open()
        if table is None:
            service, resource = store.spec.service, store.spec.resource
            raise UnknownArchiveResourceError(
                f"The archive {self.location} holds no {service}/{resource} yet: run `apitoolkit archive sync "
                f"--service {service} --resource {resource}` (or Archive.sync()) first."
            )
        return table

    def to_dask(
        self,
        service: str,
        resource: str,
        *,
        start: Any = None,
        end: Any = None,
        columns: Sequence[str] | None = None,
    ) -> dd.DataFrame:
        """The same rows as `scan`, as a Dask DataFrame read on a cluster (needs the ``distributed`` extra).

        See `apitoolkit.archive.distributed.to_dask` (and its docstring for Spark).
        """
        from apitoolkit.archive.distributed import to_dask

        return to_dask(self, service, resource, start=start, end=end, columns=columns)

    def heatmap(
        self, *, start: Any = None, end: Any = None, tz: str = "UTC", action: str | Sequence[str] | None = None
    ) -> pd.DataFrame:
        """Archived log events per weekday and hour in ``tz``, counted by DuckDB inside the archive.

        The grid `apitoolkit.analysis.activity_heatmap` gives for the same rows, at any archive size; draw it with
        `apitoolkit.plots.plot_activity_heatmap`.
        """
        from apitoolkit.archive.heatmap import activity_heatmap

        return activity_heatmap(self, start=start, end=end, tz=tz, action=action)

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A DuckDB connection with one view per archived resource (``itglue_logs``, ...), read through Arrow."""
        import duckdb

        con = duckdb.connect()
        con.execute("SET autoinstall_known_extensions = false; SET autoload_known_extensions = false")
        for spec in ARCHIVED.values():
            dataset = DeltaStore(self._location, spec, locks=None).dataset(text_as_view=True)
            if dataset is not None:
                con.register(spec.view, dataset)
        return con

    def views(self) -> list[str]:
        """The views `sql` can use: the resources the archive holds."""
        return [spec.view for spec in ARCHIVED.values() if self.store(spec.service, spec.resource).open() is not None]

    def sql(self, query: str, parameters: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run DuckDB SQL over the archive; each resource is a view named ``<service>_<resource>``.

        Raises:
            InvalidArgumentError: ``query`` is not a non-empty string.
            ArchiveQueryError: DuckDB refused or failed the query (the message names the views there are).

        Example:
            >>> import tempfile
            >>> with tempfile.TemporaryDirectory() as where:
            ...     Archive(where).sql("SELECT 1 + 1 AS two")["two"].tolist()
            [2]
        """
        if not isinstance(query, str) or not query.strip():
            raise InvalidArgumentError(
                f"query={shown(query)}: give SQL text such as 'SELECT count(*) FROM itglue_logs'."
            )
        import duckdb

        self._location.check_readable()
        con = self.connect()
        try:
            result = con.sql(query, params=list(parameters or [])).to_arrow_table()
        except duckdb.Error as error:
            views = ", ".join(self.views()) or "none yet (run a sync first)"
            first = str(error).splitlines()[0][:400].rstrip(".!")
            raise ArchiveQueryError(f"The archive query failed: {first}. Views: {views}.") from None
        finally:
            con.close()
        return table_to_frame(result)

    def info(self) -> pd.DataFrame:
        """Rows, time range, files, bytes and version of each resource the archive holds."""
        self._location.check_readable()
        rows = []
        for spec in ARCHIVED.values():
            store = DeltaStore(self._location, spec, locks=None)
            table = store.open()
            if table is None:
                continue
            actions = store.add_actions()
            column = spec.time_column
            first = actions[f"min.{column}"] if f"min.{column}" in actions.column_names else None
            last = actions[f"max.{column}"] if f"max.{column}" in actions.column_names else None
            rows.append(
                {
                    "service": spec.service,
                    "resource": spec.resource,
                    "rows": int(pa.compute.sum(actions["num_records"]).as_py() or 0) if actions.num_rows else 0,
                    "first": pa.compute.min(first).as_py() if first is not None else None,
                    "last": pa.compute.max(last).as_py() if last is not None else None,
                    "files": actions.num_rows,
                    "bytes": int(pa.compute.sum(actions["size_bytes"]).as_py() or 0) if actions.num_rows else 0,
                    "version": table.version(),
                }
            )
        frame = pd.DataFrame(
            rows, columns=["service", "resource", "rows", "first", "last", "files", "bytes", "version"]
        )
        for column in ("first", "last"):
            frame[column] = frame[column].astype("str").where(frame[column].notna(), None)
        return frame.astype({"rows": "Int64", "files": "Int64", "bytes": "Int64", "version": "Int64"})

    # ------------------------------------------------------------------------------------------------ upkeep
    def _stores(self, service: str | None, resource: str | None) -> list[DeltaStore]:
        return [DeltaStore(self._location, spec, locks=self._locks) for spec in self._plan(service, resource)]

    def compact(self, service: str | None = None, resource: str | None = None) -> pd.DataFrame:
        """Merge each table's small files (daily syncs write one file per day) and delete unneeded files."""
        stores = self._stores(service, resource)
        self._location.check_writable()
        rows = []
        for store in stores:
            with store.writer_lock():
                rows.append({"service": store.spec.service, "resource": store.spec.resource, **store.compact()})
        return pd.DataFrame(rows, columns=["service", "resource", "files_removed", "files_added"])

    def prune(self, older_than: Any, service: str | None = None, resource: str | None = None) -> pd.DataFrame:
        """Delete rows whose time column is before ``older_than`` (a date, timestamp, or days as an int).

        A change log keeps versions still current (no ``valid_to``) whatever their age.
        """
        cutoff = _cutoff(older_than)
        stores = self._stores(service, resource)
        self._location.check_writable()
        rows = []
        for store in stores:
            column = store.spec.time_column
            value = cutoff.date().isoformat() if column in {"date", "snapshot_date"} else cutoff.isoformat()
            predicate = f"{column} < '{value}'"
            if store.spec.rule == "changes":  # current versions stay, however old
                predicate = f"valid_to IS NOT NULL AND valid_to < '{cutoff.isoformat()}'"
            with store.writer_lock():
                deleted = store.delete(predicate)
            rows.append({"service": store.spec.service, "resource": store.spec.resource, "rows_deleted": deleted})
        return pd.DataFrame(rows, columns=["service", "resource", "rows_deleted"]).astype({"rows_deleted": "Int64"})


def checked_columns(spec: ArchivedResource, schema: pa.Schema, columns: Sequence[str] | None) -> list[str] | None:
    """``columns`` as a list, each one the table has (``month`` is the archive's own, not a column to ask for).

    Raises:
        InvalidArgumentError: Not a list of names, or a name the table does not have (lists those it has).
    """
    if columns is None:
        return None
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise InvalidArgumentError(f"columns={shown(columns)}: give a list of column names.")
    names = [n for n in schema.names if n != "month"]
    unknown = [c for c in columns if c not in names]
    if unknown:
        raise InvalidArgumentError(
            f"{spec.service}/{spec.resource} has no column {', '.join(unknown)}: it has {', '.join(names)}."
        )
    return list(columns)


def frame_of(table: pa.Table, spec: ArchivedResource) -> pd.DataFrame:
    """Archived rows (Arrow) as `Archive.scan` returns them: no ``month``, the loader's dtypes."""
    if "month" in table.column_names:
        table = table.drop_columns(["month"])
    frame = table_to_frame(table)
    return spec.restore(frame) if spec.restore is not None else frame


def _configured() -> set[str]:
    """The services with at least one of their credential variables set."""
    from apitoolkit.registry import REGISTRY

    return {
        name
        for name, entry in REGISTRY.items()
        if any(os.environ.get(variable, "").strip() for variable in entry.spec.credential_env.values())
    }


def _skipped(spec: ArchivedResource) -> dict[str, Any]:
    from apitoolkit.registry import entry

    variables = ", ".join(entry(spec.service).spec.credential_env.values())
    return {
        "service": spec.service,
        "resource": spec.resource,
        "rows_added": 0,
        "rows_replaced": 0,
        "version": None,
        "seconds": 0.0,
        "error": None,
        "skipped": f"no {entry(spec.service).spec.title} credentials ({variables})",
    }


def _in_order(frame: pd.DataFrame, order: list[str]) -> bool:
    """Whether ``frame`` is already sorted by ``order`` (the first column, then the second within its ties)."""
    first = frame[order[0]]
    if not first.is_monotonic_increasing:
        return False
    if len(order) == 1 or first.is_unique:
        return True
    second = frame[order[1]]
    if second.isna().any():
        return False
    times, keys = first.to_numpy(), second.to_numpy(dtype="int64")
    ties = times[1:] == times[:-1]
    return bool(((keys[1:] >= keys[:-1]) | ~ties).all())


def _cutoff(older_than: Any) -> pd.Timestamp:
    if isinstance(older_than, int) and not isinstance(older_than, bool):
        if older_than < 0:
            raise InvalidArgumentError(f"older_than={older_than}: give a number of days of 0 or more, or a date.")
        return pd.Timestamp.now("UTC").floor("D") - pd.Timedelta(days=older_than)
    if isinstance(older_than, float) and not math.isfinite(older_than):
        raise InvalidArgumentError(f"older_than={older_than}: give a number of days or a date.")
    return as_timestamp(older_than, "older_than")
