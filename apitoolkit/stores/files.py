"""The cache in a directory: frames as files replaced by a rename, and the listing and clearing of the directory.

Layout under the cache directory (``APITOOLKIT_CACHE`` or the user cache directory)::

    http/<service>-<account>.sqlite                          HTTP responses (requests-cache, WAL)
    http/<service>-<account>.sqlite.corrupt-<time>           a damaged one, moved aside (`apitoolkit.stores.sqlite`)
    frames/<service>-<account>/<resource>-<query>.parquet    flattened frames, metadata in the schema
    snapshots/hitask-<account>/items.arrow                   Hitask item snapshots (Arrow IPC)
    ratelimit.sqlite                                         the shared rate-limit log
    locks/<service>-<account>/<resource>-<query>.lock        single-flight locks (`apitoolkit.stores.locks`)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa

from apitoolkit.stores.faults import ensure_directory, file_errors
from apitoolkit.stores.tables import read_schema, read_table, write_table

__all__ = ["META_KEY", "DirectoryStore", "clear", "usage"]

#: The schema metadata key a file keeps its entry's metadata under.
META_KEY = b"apitoolkit"
_KINDS = ("http", "frames", "snapshots")


class DirectoryStore:
    """Entries as files ``<key>.<fmt>`` in one directory, each written to a temporary file and renamed over.

    Example:
        >>> store = DirectoryStore(Path("/tmp/demo-frames"), fmt="arrow")
        >>> store.path("items").name
        'items.arrow'
    """

    def __init__(self, directory: Path, *, fmt: str = "parquet") -> None:
        self.directory = directory
        self.fmt = fmt
        self.where = str(directory)

    def path(self, key: str) -> Path:
        """The file of ``key``."""
        return self.directory / f"{key}.{self.fmt}"

    def read(self, key: str) -> tuple[pa.Table, dict[str, Any]] | None:
        """The table and metadata of ``key``'s file, or None when there is none."""
        path = self.path(key)
        if not path.exists():
            return None
        # Arrow files are read, not memory-mapped: a mapped table pays a page fault per page when first used
        # (a merge touching 20 MB took 0.043 s instead of 0.013 s). Parquet is decoded from the mapping.
        with pa.OSFile(str(path)) if self.fmt == "arrow" else pa.memory_map(str(path)) as source:
            table = read_table(source, self.fmt)
        return table, orjson.loads((table.schema.metadata or {})[META_KEY])

    def read_meta(self, key: str) -> dict[str, Any] | None:
        """The metadata in the file's schema, without reading the data."""
        path = self.path(key)
        if not path.exists():
            return None
        with pa.memory_map(str(path)) as source:
            schema = read_schema(source, self.fmt)
        found: dict[str, Any] = orjson.loads((schema.metadata or {})[META_KEY])
        return found

    def write(self, key: str, table: pa.Table, meta: dict[str, Any]) -> None:
        """Write the table, metadata in its schema, to a temporary file in the directory, then rename it."""
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), META_KEY: orjson.dumps(meta)})
        ensure_directory(self.directory, what="the frame cache directory")
        with file_errors(self.path(key), doing="write the frame cache"):
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=f".{self.fmt}")
            os.close(fd)
            try:
                with pa.OSFile(tmp, "wb") as sink:
                    write_table(table, sink, self.fmt)
                os.replace(tmp, self.path(key))
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def exists(self, key: str) -> bool:
        """Whether ``key``'s file exists (readable or not)."""
        try:
            return self.path(key).exists()
        except OSError:  # it cannot even be looked at (no permission): present, and unreadable when read
            return True


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def usage(root: Path) -> list[dict[str, Any]]:
    """One row per account and kind under a cache directory (see `apitoolkit.stores.usage`).

    Raises:
        CacheError: The directory cannot be listed (no permission); the message names it.
    """
    with file_errors(root, doing="list the cache"):
        return _usage(root)


def _usage(root: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not root.is_dir():
        return rows
    for kind, pattern in zip(_KINDS, ("http/*.sqlite", "frames/*", "snapshots/*"), strict=True):
        for path in sorted(root.glob(pattern)):
            service, _, account = path.stem.partition("-")
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".parquet", ".arrow")]
            rows.append(
                {
                    "service": service,
                    "account": account,
                    "kind": kind,
                    "files": len(files),
                    "bytes": _size(path),
                    "updated": max((p.stat().st_mtime for p in files), default=0.0),
                    "path": str(path),
                }
            )
    return rows


def clear(root: Path, service: str | None) -> int:
    """Delete the HTTP caches, frames and snapshots of one service (or all) under a cache directory.

    Raises:
        CacheError: A file cannot be deleted (a read-only directory); the message names it.
    """
    with file_errors(root, doing="clear the cache"):
        return _clear(root, service)


def _clear(root: Path, service: str | None) -> int:
    if not root.is_dir():
        return 0
    freed = 0
    prefix = f"{service}-" if service else ""
    for pattern in (f"http/{prefix}*.sqlite*", f"frames/{prefix}*", f"snapshots/{prefix}*"):
        for path in root.glob(pattern):
            freed += _size(path)
            if path.is_dir():
                try:
                    shutil.rmtree(path)
                except FileNotFoundError:  # another process deleted part of it meanwhile
                    shutil.rmtree(path, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
    return freed
