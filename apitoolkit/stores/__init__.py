"""Where a cache location keeps frames: the `FrameStore` protocol, and the store of a directory or a Redis server.

A store holds encoded Arrow tables with a small JSON metadata dict under keys, and replaces an entry whole:
a reader sees the old entry or the new one, never a mix. `frame_store` picks the store for a cache location;
`usage` and `clear` list and delete what a location holds (HTTP responses, frames, Hitask snapshots).
What goes wrong with a cache file (a full disk, a read-only directory, a file in the way, a damaged SQLite
file) is a `CacheError` naming it and the fix (`apitoolkit.stores.faults`), or a damaged SQLite file moved
aside with a `CacheWarning` (`apitoolkit.stores.sqlite`).

| location  | one entry                                                      | replaced by                    |
|-----------|----------------------------------------------------------------|--------------------------------|
| directory | ``<area>/<name>/<key>.<fmt>``, metadata in the schema          | writing a temp file, renaming  |
| Redis     | hash ``apitoolkit:<area>:<name>:<key>`` with ``meta`` and ``data`` | one MULTI: DEL, HSET, PEXPIREAT |
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import pyarrow as pa

    from apitoolkit.config import CacheLocation

__all__ = ["FORMATS", "FrameStore", "clear", "frame_store", "usage"]

#: How a table is encoded: parquet (compact, for frames read once per load) or Arrow IPC (for snapshots
#: rewritten on every refresh).
FORMATS = ("parquet", "arrow")


class FrameStore(Protocol):
    """Encoded Arrow tables with their metadata, one entry per key, each replaced atomically.

    Attributes:
        fmt: ``"parquet"`` or ``"arrow"``.
        where: Where the entries live, safe to show (a directory, or a Redis URL without its password).
    """

    fmt: str
    where: str

    def read(self, key: str) -> tuple[pa.Table, dict[str, Any]] | None:
        """The table and metadata under ``key``, or None when absent.

        Raises:
            OSError, KeyError, ValueError, TypeError, pyarrow.ArrowException: The entry is unreadable.
            CacheError: The store cannot be reached.
        """
        ...

    def read_meta(self, key: str) -> dict[str, Any] | None:
        """The metadata alone, without the data; None when absent (raises as `read`)."""
        ...

    def write(self, key: str, table: pa.Table, meta: dict[str, Any]) -> None:
        """Store ``table`` and ``meta`` (which holds ``expires_at``, epoch seconds), replacing the entry whole.

        Raises:
            CacheError: The entry cannot be written.
        """
        ...

    def exists(self, key: str) -> bool:
        """Whether an entry (readable or not) is stored under ``key``."""
        ...


def frame_store(location: CacheLocation, area: str, name: str, *, fmt: str) -> FrameStore | None:
    """The store of one account's frames in a cache location, or None when caching is off.

    Args:
        location: The resolved cache location.
        area: ``"frames"`` or ``"snapshots"``.
        name: ``<service>-<account namespace>``.
        fmt: ``"parquet"`` or ``"arrow"``.

    Raises:
        ConfigurationError: A Redis location without the redis package, or with wrong credentials.
        CacheError: The Redis server cannot be reached.

    Example:
        >>> from apitoolkit.config import cache_location
        >>> frame_store(cache_location("/tmp/cache"), "frames", "itglue-0123", fmt="parquet").where
        '/tmp/cache/frames/itglue-0123'
    """
    if location.redis is not None:
        from apitoolkit.stores.redis import RedisStore

        return RedisStore(location.redis, area, name, fmt=fmt)
    if location.path is not None:
        from apitoolkit.stores.files import DirectoryStore

        return DirectoryStore(location.path / area / name, fmt=fmt)
    return None


def usage(location: CacheLocation) -> list[dict[str, Any]]:
    """What a cache location holds: one row per service, account and kind (``http``, ``frames``, ``snapshots``).

    Each row has ``service``, ``account``, ``kind``, ``files`` (files, or Redis keys), ``bytes``, ``updated``
    (epoch seconds of the newest write) and ``path`` (a path, or a Redis key pattern).
    """
    if location.redis is not None:
        from apitoolkit.stores import redis

        return redis.usage(location.redis)
    if location.path is not None:
        from apitoolkit.stores import files

        return files.usage(location.path)
    return []


def clear(location: CacheLocation, service: str | None) -> int:
    """Delete the HTTP responses, frames and snapshots of one service (or all) in a location; the bytes freed."""
    if location.redis is not None:
        from apitoolkit.stores import redis

        return redis.clear(location.redis, service)
    if location.path is not None:
        from apitoolkit.stores import files

        return files.clear(location.path, service)
    return 0
