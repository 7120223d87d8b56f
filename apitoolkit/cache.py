"""The cache on disk: flattened frames (parquet, per account, resource and query) and the user's view of it.

Layout under the cache directory (``APITOOLKIT_CACHE`` or the user cache directory)::

    http/<service>-<account>.sqlite      HTTP responses (requests-cache, WAL), credentials stripped
    frames/<service>-<account>/<resource>-<query>.parquet   flattened frames with their expiry
    ratelimit.sqlite                     the shared rate-limit log

``<account>`` is a keyed hash of base URL and credentials: two accounts never share a file, and no file
name or content reveals a credential.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from apitoolkit.config import CacheLocation, cache_location
from apitoolkit.exceptions import CacheError
from apitoolkit.frames import table_to_frame

__all__ = ["CachedFrame", "FrameCache", "cache_info", "clear_cache", "query_key"]

_META_KEY = b"apitoolkit"


def query_key(resource: str, query: dict[str, Any]) -> str:
    """A stable file stem for a resource and its query (filters, ranges, page size).

    Example:
        >>> query_key("users", {"b": 1, "a": 2}) == query_key("users", {"a": 2, "b": 1})
        True
    """
    blob = orjson.dumps(query, option=orjson.OPT_SORT_KEYS, default=str)
    return f"{resource.replace('/', '_')}-{hashlib.sha256(blob).hexdigest()[:16]}"


@dataclass(frozen=True)
class CachedFrame:
    """A frame read back from the cache, with when it was stored and when it expires (epoch seconds)."""

    frame: pd.DataFrame
    stored_at: float
    expires_at: float
    meta: dict[str, Any]


class FrameCache:
    """Flattened frames of one account, as parquet (or Arrow IPC) files written atomically.

    ``fmt="arrow"`` stores Arrow IPC files, memory-mapped on read: for frames rewritten on every refresh
    (Hitask snapshots), 50k items write in 0.04 s and read in 0.006 s, against 0.07 s and 0.06 s as parquet.

    Example:
        >>> fc = FrameCache(Path("/tmp/demo-frames"))  # doctest: +SKIP
        >>> fc.put("users-abc", frame, ttl=3600)  # doctest: +SKIP
        >>> fc.get("users-abc").frame.equals(frame)  # doctest: +SKIP
        True
    """

    def __init__(self, directory: Path, *, fmt: str = "parquet") -> None:
        if fmt not in {"parquet", "arrow"}:
            raise ValueError(f"fmt must be 'parquet' or 'arrow', not {fmt!r}")
        self.directory = directory
        self.fmt = fmt

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.{self.fmt}"

    def _read(self, path: Path, allow_expired: bool) -> tuple[pa.Table, dict[str, Any]] | None:
        if self.fmt == "arrow":
            # Read, not memory-mapped: a mapped table pays a page fault per page when first used (a merge
            # touching 20 MB took 0.043 s instead of 0.013 s).
            with pa.OSFile(str(path)) as source:
                table = ipc.open_file(source).read_all()
            meta = orjson.loads((table.schema.metadata or {})[_META_KEY])
            return (table, meta) if allow_expired or meta["expires_at"] > time.time() else None
        with pq.ParquetFile(path, memory_map=True) as parquet:
            meta = orjson.loads((parquet.schema_arrow.metadata or {})[_META_KEY])
            if not allow_expired and meta["expires_at"] <= time.time():
                return None
            return parquet.read(), meta

    def get(self, key: str, *, allow_expired: bool = False) -> CachedFrame | None:
        """The stored frame, or None if absent, expired (unless allowed) or unreadable."""
        found = self.get_table(key, allow_expired=allow_expired)
        if found is None:
            return None
        table, meta = found
        # Loader frames hold only the types `frames` maps, so its mapping rebuilds them without the (slower)
        # pandas metadata.
        frame = table_to_frame(table)
        return CachedFrame(frame, float(meta["stored_at"]), float(meta["expires_at"]), meta.get("extra", {}))

    def get_table(self, key: str, *, allow_expired: bool = False) -> tuple[pa.Table, dict[str, Any]] | None:
        """The stored Arrow table and its metadata, or None (as `get`)."""
        path = self._path(key)
        if not path.exists():
            return None
        try:
            return self._read(path, allow_expired)
        except (OSError, KeyError, ValueError, TypeError, pa.ArrowException):
            return None

    def put(self, key: str, frame: pd.DataFrame, *, ttl: float, extra: dict[str, Any] | None = None) -> None:
        """Store a frame: written to a temporary file in the same directory, then renamed over the old one.

        Raises:
            CacheError: The directory cannot be written.
        """
        clean = frame.copy(deep=False)
        clean.attrs = {}
        self.put_table(key, pa.Table.from_pandas(clean, preserve_index=False), ttl=ttl, extra=extra)

    def put_table(self, key: str, table: pa.Table, *, ttl: float, extra: dict[str, Any] | None = None) -> None:
        """Store an Arrow table as `put` stores a frame (atomically, with its expiry)."""
        now = time.time()
        meta = {"stored_at": now, "expires_at": now + ttl, "extra": extra or {}}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), _META_KEY: orjson.dumps(meta)})
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=f".{self.fmt}")
            os.close(fd)
            try:
                if self.fmt == "arrow":
                    with pa.OSFile(tmp, "wb") as sink, ipc.new_file(sink, table.schema) as writer:
                        writer.write_table(table)
                else:
                    # Measured on 100k users: uncompressed, without dictionaries or statistics, writes in 0.02 s
                    # and reads in 0.01 s (snappy: 0.05 s and 0.02 s) for files 1.7x larger. A cache is for speed.
                    pq.write_table(table, tmp, compression="none", use_dictionary=False, write_statistics=False)
                os.replace(tmp, self._path(key))
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
        except OSError as exc:
            raise CacheError(
                f"Could not write the frame cache in {self.directory} ({exc.strerror}): "
                "free disk space, fix permissions, or set APITOOLKIT_CACHE to another directory."
            ) from None

    def meta(self, key: str) -> dict[str, Any] | None:
        """The stored metadata alone (``extra`` included), without reading the data; None if unreadable."""
        path = self._path(key)
        try:
            if self.fmt == "arrow":
                with pa.memory_map(str(path)) as source:
                    schema = ipc.open_file(source).schema
            else:
                schema = pq.read_schema(path)
            found: dict[str, Any] = orjson.loads((schema.metadata or {})[_META_KEY])
            return found
        except (OSError, KeyError, ValueError, TypeError, pa.ArrowException):
            return None

    def exists(self, key: str) -> bool:
        """Whether a file is stored under ``key`` (readable or not)."""
        return self._path(key).exists()


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def cache_info(cache: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """What the cache holds: one row per account and kind, with files, bytes and the newest write.

    Args:
        cache: A cache directory; default ``APITOOLKIT_CACHE`` or the user cache directory.

    Example:
        >>> import apitoolkit
        >>> apitoolkit.cache_info().columns.tolist()  # doctest: +SKIP
        ['service', 'account', 'kind', 'files', 'bytes', 'updated', 'path']
    """
    location: CacheLocation = cache_location(cache)
    rows: list[dict[str, Any]] = []
    if location.path is not None and location.path.exists():
        for kind, pattern in (("http", "http/*.sqlite"), ("frames", "frames/*"), ("snapshots", "snapshots/*")):
            for path in sorted(location.path.glob(pattern)):
                service, _, account = path.stem.partition("-")
                files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".parquet", ".arrow")]
                rows.append(
                    {
                        "service": service,
                        "account": account,
                        "kind": kind,
                        "files": len(files),
                        "bytes": _size(path),
                        "updated": pd.Timestamp(max((p.stat().st_mtime for p in files), default=0), unit="s", tz="UTC"),
                        "path": str(path),
                    }
                )
    columns = ["service", "account", "kind", "files", "bytes", "updated", "path"]
    return pd.DataFrame(rows, columns=columns).astype({"files": "int64", "bytes": "int64"})


def clear_cache(service: str | None = None, *, cache: str | os.PathLike[str] | None = None) -> int:
    """Delete cached responses, frames and Hitask snapshots (of one service, or all); returns the bytes freed.

    Example:
        >>> import apitoolkit
        >>> apitoolkit.clear_cache("itglue")  # doctest: +SKIP
        1048576
    """
    location = cache_location(cache)
    if location.path is None or not location.path.exists():
        return 0
    freed = 0
    prefix = f"{service}-" if service else ""
    for pattern in (f"http/{prefix}*.sqlite*", f"frames/{prefix}*", f"snapshots/{prefix}*"):
        for path in location.path.glob(pattern):
            freed += _size(path)
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
    return freed
