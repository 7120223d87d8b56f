"""Cache faults made plain: OS and SQLite errors on cache files as `CacheError`s naming the file and the fix.

Every file of the cache (HTTP responses, frames, snapshots, the rate-limit log, locks) goes wrong in the same
few ways: the disk is full, the directory is read-only or not ours, a file stands where a directory should,
or the file is damaged. `cache_error` says which, naming the file; `CacheWarning` reports a fault the load
got past (a damaged file moved aside or left unused, then rebuilt). A damaged file is moved aside to
``<name>.corrupt-<timestamp>`` (`move_aside`), which `apitoolkit.clear_cache` deletes with the rest.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

from apitoolkit.exceptions import CacheError, CacheWarning

__all__ = ["CacheWarning", "cache_error", "ensure_directory", "file_errors", "is_damaged", "move_aside", "writable"]

#: What to do, by kind of fault.
_HINTS = {
    "full": "free disk space there, or set APITOOLKIT_CACHE to a directory on another disk",
    "denied": (
        "fix the permissions (the user running apitoolkit must be able to create and write files there), "
        "or set APITOOLKIT_CACHE to a writable directory"
    ),
    "damaged": "delete it (apitoolkit.clear_cache() does) and load again",
    "io": "the disk failed to read or write it: check the disk, or set APITOOLKIT_CACHE to a directory on another one",
    "other": "check free disk space and permissions, or set APITOOLKIT_CACHE to another directory",
}
_ERRNOS = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EFBIG: "full",
    errno.EACCES: "denied",
    errno.EPERM: "denied",
    errno.EROFS: "denied",
    errno.EIO: "io",
}
_SQLITE = {
    "SQLITE_FULL": "full",
    "SQLITE_READONLY": "denied",
    "SQLITE_PERM": "denied",
    "SQLITE_AUTH": "denied",
    "SQLITE_CANTOPEN": "denied",
    "SQLITE_CORRUPT": "damaged",
    "SQLITE_NOTADB": "damaged",
    "SQLITE_IOERR": "io",
}


def _kind(error: BaseException) -> str:
    if isinstance(error, sqlite3.Error):
        name = getattr(error, "sqlite_errorname", "") or ""
        return next((kind for prefix, kind in _SQLITE.items() if name.startswith(prefix)), "other")
    if isinstance(error, OSError):
        if error.errno in (errno.ENOTDIR, errno.EEXIST):
            return "not-a-directory"
        return _ERRNOS.get(error.errno or 0, "other")
    return "other"


def is_damaged(error: BaseException) -> bool:
    """Whether an SQLite error says the file is not a database or is malformed (not full, locked or read-only)."""
    return _kind(error) == "damaged"


def cache_error(path: Path | str, error: BaseException, *, doing: str) -> CacheError:
    """A `CacheError` for ``error`` met while ``doing`` something to the cache file ``path``: what and what to do.

    Args:
        path: The file (or directory) of the cache.
        error: An `OSError` or `sqlite3.Error`.
        doing: What failed, as a verb phrase: ``"write the frame cache"``, ``"open the rate-limit log"``.

    Example:
        >>> import errno
        >>> full = OSError(errno.ENOSPC, "No space left on device")
        >>> print(cache_error("/c/ratelimit.sqlite", full, doing="write the rate-limit log"))  # doctest: +ELLIPSIS
        Could not write the rate-limit log /c/ratelimit.sqlite (No space left on device): free disk space there, ...
    """
    kind = _kind(error)
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        if error.filename and str(error.filename) != str(path):
            reason = f"{reason}: {error.filename}"
    else:
        reason = str(error) or type(error).__name__
    if kind == "not-a-directory":
        blocker = _file_in_the_way(Path(path))
        hint = (
            f"{blocker} is a file, not a directory: set APITOOLKIT_CACHE to a directory, or move that file away"
            if blocker is not None
            else _HINTS["other"]
        )
    else:
        hint = _HINTS[kind]
    return CacheError(f"Could not {doing} {path} ({reason}): {hint}.")


def _file_in_the_way(path: Path) -> Path | None:
    """The nearest ancestor of ``path`` (itself included) that exists and is not a directory."""
    for candidate in (path, *path.parents):
        with contextlib.suppress(OSError):
            if candidate.exists():
                return None if candidate.is_dir() else candidate
    return None


@contextlib.contextmanager
def file_errors(path: Path | str, *, doing: str) -> Iterator[None]:
    """Turn an `OSError` or `sqlite3.Error` raised inside into a `CacheError` naming ``path`` (`cache_error`).

    Example:
        >>> with file_errors("/c/frames", doing="list the frame cache"):  # doctest: +ELLIPSIS
        ...     raise PermissionError(13, "Permission denied", "/c/frames")
        Traceback (most recent call last):
        ...
        apitoolkit.exceptions.CacheError: Could not list the frame cache /c/frames (Permission denied): fix the ...
    """
    try:
        yield
    except (OSError, sqlite3.Error) as error:
        raise cache_error(path, error, doing=doing) from None


def ensure_directory(directory: Path, *, what: str = "the cache directory") -> None:
    """Create ``directory`` (and its parents) unless it exists; an existing one is never written to.

    Raises:
        CacheError: It cannot be created (a file stands in the way, no permission, no space).
    """
    with contextlib.suppress(OSError):
        if directory.is_dir():
            return
    with file_errors(directory, doing=f"create {what}"):
        directory.mkdir(parents=True, exist_ok=True)


def writable(path: Path) -> bool:
    """Whether ``path`` can be written: it exists and may be written, or its directory exists and may be.

    Root may write anywhere but on a read-only file system, which this sees too.
    """
    try:
        if path.exists():
            return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
        return path.parent.is_dir() and os.access(path.parent, os.W_OK | os.X_OK)
    except OSError:
        return False


def move_aside(path: Path, *, companions: tuple[str, ...] = ()) -> Path:
    """Rename a damaged file to ``<name>.corrupt-<timestamp>`` (with ``companions``, suffixes such as ``-wal``).

    Returns:
        Where it went.

    Raises:
        CacheError: It cannot be renamed (read-only directory).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     size = Path(folder, "itglue-0123.sqlite").write_bytes(b"damaged")
        ...     move_aside(Path(folder, "itglue-0123.sqlite"), companions=("-wal", "-shm")).name  # doctest: +ELLIPSIS
        'itglue-0123.sqlite.corrupt-2...T...'
    """
    stamp = time.strftime("%Y%m%dT%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    count = 1
    while aside.exists():
        count += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{count}")
    with file_errors(path, doing="move aside the damaged file"):
        os.replace(path, aside)
        for suffix in companions:
            companion = path.with_name(path.name + suffix)
            with contextlib.suppress(FileNotFoundError):
                os.replace(companion, aside.with_name(aside.name + suffix))
    return aside
