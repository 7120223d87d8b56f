"""Where an archive lives: a local directory or ``s3://bucket/prefix``, and the checks that it is usable.

The location comes from the argument, then ``APITOOLKIT_ARCHIVE``, then ``<user data directory>/archive``. An S3
location takes its endpoint, region and credentials from the usual AWS variables (``AWS_ENDPOINT_URL_S3`` or
``AWS_ENDPOINT_URL``, ``AWS_REGION`` or ``AWS_DEFAULT_REGION``, ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_SESSION_TOKEN``) when the archive is opened. They are handed to the table library and to readers, and are
never written into the archive, shown in a repr or put in a message.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from apitoolkit.exceptions import ArchiveLocationError, InvalidArgumentError

if TYPE_CHECKING:
    import pyarrow.fs as pafs

__all__ = ["ArchiveLocation", "archive_location"]

#: The AWS variables read for an S3 archive, and the deltalake option each becomes.
_AWS_OPTIONS = {
    "AWS_ACCESS_KEY_ID": "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY": "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN": "AWS_SESSION_TOKEN",
}
DEFAULT_REGION = "us-east-1"


def _env(name: str, environ: Mapping[str, str]) -> str | None:
    value = environ.get(name)
    return value.strip() if value and value.strip() else None


@dataclass(frozen=True)
class ArchiveLocation:
    """A checked archive location. ``str()`` and ``repr()`` show the location only, never a credential.

    Example:
        >>> ArchiveLocation.parse("s3://history/msp-one", environ={"AWS_SECRET_ACCESS_KEY": "s3cret"})
        ArchiveLocation('s3://history/msp-one')
    """

    uri: str
    bucket: str | None = None
    prefix: str = ""
    options: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_s3(self) -> bool:
        """Whether the archive is on S3 (or a server speaking its protocol)."""
        return self.bucket is not None

    def __repr__(self) -> str:
        return f"ArchiveLocation({self.uri!r})"

    def __str__(self) -> str:
        return self.uri

    @classmethod
    def parse(cls, value: str | os.PathLike[str], *, environ: Mapping[str, str] | None = None) -> ArchiveLocation:
        """A location from a directory or an ``s3://bucket/prefix`` URL (credentials from ``environ``).

        Raises:
            ArchiveLocationError: A URL of another kind, an S3 URL without a bucket or with credentials in it.
        """
        env = os.environ if environ is None else environ
        text = os.fspath(value).strip()
        if not text:
            raise ArchiveLocationError("The archive location is empty: give a directory or s3://bucket/prefix.")
        if "://" not in text:
            return cls(str(Path(text).expanduser().absolute()))
        parts = urlsplit(text)
        if parts.scheme.lower() not in {"s3", "s3a"}:
            raise ArchiveLocationError(
                f"The archive location {parts.scheme}://… is not supported: give a directory or s3://bucket/prefix."
            )
        if "@" in parts.netloc or parts.query or parts.password:
            raise ArchiveLocationError(
                "The archive location s3://… carries credentials or options in the URL: give s3://bucket/prefix "
                "and put the keys in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
            )
        bucket, prefix = parts.netloc, parts.path.strip("/")
        if not bucket:
            raise ArchiveLocationError(f"The archive location {text!r} names no bucket: write s3://bucket/prefix.")
        uri = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
        return cls(uri, bucket, prefix, _s3_options(env))

    def table_uri(self, *parts: str) -> str:
        """The URI of a table under the location (``<uri>/<service>/<resource>``)."""
        if self.is_s3:
            return "/".join([self.uri, *parts])
        return str(Path(self.uri, *parts))

    @property
    def storage_options(self) -> dict[str, str]:
        """The options deltalake needs to reach the location (credentials included: never print them)."""
        return dict(self.options)

    def filesystem(self) -> pafs.FileSystem:
        """A pyarrow filesystem for the location (S3 with the same endpoint and credentials, or local)."""
        import pyarrow.fs as pafs

        if not self.is_s3:
            return pafs.LocalFileSystem()
        endpoint = self.options.get("AWS_ENDPOINT_URL")
        split = urlsplit(endpoint) if endpoint else None
        return pafs.S3FileSystem(
            access_key=self.options.get("AWS_ACCESS_KEY_ID"),
            secret_key=self.options.get("AWS_SECRET_ACCESS_KEY"),
            session_token=self.options.get("AWS_SESSION_TOKEN"),
            region=self.options.get("AWS_REGION", DEFAULT_REGION),
            endpoint_override=split.netloc if split else None,
            scheme=split.scheme if split else "https",
            connect_timeout=10,
            request_timeout=30,
        )

    def path_in_filesystem(self, *parts: str) -> str:
        """A path under the location as `filesystem` names it (``bucket/prefix/...`` on S3)."""
        if self.is_s3:
            return "/".join(p for p in [self.bucket, self.prefix, *parts] if p)
        return str(Path(self.uri, *parts))

    def check_writable(self) -> None:
        """Make sure data can be written here, leaving nothing behind.

        Raises:
            ArchiveLocationError: The directory cannot be created or written, the bucket does not exist, or the
                credentials are refused; the message names the location and what to fix.
        """
        if self.is_s3:
            self._check_bucket(write=True)
            return
        path = Path(self.uri)
        try:
            path.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=path, prefix=".probe-"):
                pass
        except OSError as error:
            raise ArchiveLocationError(
                f"The archive directory {path} cannot be written ({error.strerror or type(error).__name__}): "
                "choose a directory you can write (the location argument or APITOOLKIT_ARCHIVE)."
            ) from None

    def check_readable(self) -> None:
        """For S3, that the bucket exists and the credentials are accepted (reads need nothing else).

        Raises:
            ArchiveLocationError: As `check_writable`, for reading.
        """
        if self.is_s3:
            self._check_bucket(write=False)

    def _check_bucket(self, *, write: bool) -> None:
        fs = self.filesystem()
        try:
            info = fs.get_file_info(str(self.bucket))
            if info.type.name == "NotFound":
                raise ArchiveLocationError(
                    f"The S3 bucket {self.bucket!r} of the archive {self.uri} does not exist (or these credentials "
                    "cannot see it): create it, or check the location and AWS_ENDPOINT_URL."
                )
            if write:
                probe = self.path_in_filesystem(f".probe-{os.getpid()}-{os.urandom(4).hex()}")
                with fs.open_output_stream(probe) as stream:
                    stream.write(b"")
                fs.delete_file(probe)
        except OSError as error:
            raise ArchiveLocationError(_s3_message(self, error)) from None


#: Bounds on every S3 request deltalake makes (object_store's client options): a server that answers slowly or
#: with garbage fails in about half a minute instead of retrying for minutes.
S3_BOUNDS = {"connect_timeout": "5s", "timeout": "30s", "max_retries": "2", "retry_timeout": "30s"}


def _s3_options(env: Mapping[str, str]) -> dict[str, str]:
    options = {option: value for name, option in _AWS_OPTIONS.items() if (value := _env(name, env)) is not None}
    options |= S3_BOUNDS
    options["AWS_REGION"] = _env("AWS_REGION", env) or _env("AWS_DEFAULT_REGION", env) or DEFAULT_REGION
    endpoint = _env("AWS_ENDPOINT_URL_S3", env) or _env("AWS_ENDPOINT_URL", env)
    if endpoint is not None:
        options["AWS_ENDPOINT_URL"] = endpoint
        if endpoint.lower().startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
    return options


def _s3_message(location: ArchiveLocation, error: OSError) -> str:
    text = str(error)
    lowered = text.lower()
    refused = ("access denied", "access_denied", "invalidaccesskeyid", "signaturedoesnotmatch", "forbidden")
    if any(word in lowered for word in refused):
        return (
            f"S3 refused the credentials for the archive {location.uri}: check AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN) for this bucket."
        )
    if "nosuchbucket" in lowered or "not found" in lowered:
        return f"The S3 bucket {location.bucket!r} of the archive {location.uri} does not exist: create it first."
    first = text.splitlines()[0][:200] if text else type(error).__name__
    return (
        f"The archive {location.uri} could not be reached ({first}): check the location, AWS_ENDPOINT_URL and "
        "the network."
    )


def archive_location(
    value: str | os.PathLike[str] | None = None, *, environ: Mapping[str, str] | None = None
) -> ArchiveLocation:
    """The location from ``value``, then ``APITOOLKIT_ARCHIVE``, then ``<user data directory>/archive``.

    Raises:
        InvalidArgumentError: ``value`` is neither a string nor a path.
        ArchiveLocationError: The location is not a directory or an ``s3://`` URL.

    Example:
        >>> archive_location("s3://bucket/team", environ={}).uri
        's3://bucket/team'
        >>> archive_location(environ={"APITOOLKIT_ARCHIVE": "/srv/history"}).uri
        '/srv/history'
    """
    env = os.environ if environ is None else environ
    if value is not None and not isinstance(value, str | os.PathLike):
        raise InvalidArgumentError(
            f"location={type(value).__name__} is not a location: give a directory or 's3://bucket/prefix'."
        )
    raw = value if value is not None else _env("APITOOLKIT_ARCHIVE", env)
    if raw is None:
        import platformdirs

        raw = Path(platformdirs.user_data_dir("apitoolkit")) / "archive"
    return ArchiveLocation.parse(raw, environ=env)
