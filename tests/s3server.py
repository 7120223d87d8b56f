"""S3 servers on loopback for the archive's tests: moto's server, and moto checking credentials.

- `moto_s3()`: moto's server in a child process (any credentials accepted); yields its endpoint URL.
- `moto_s3_with_auth()`: ``python -m moto.server`` in a child process with ``INITIAL_NO_AUTH_ACTION_COUNT`` set,
  so that after the first calls (used here to create an IAM user and its access key) it checks every request's
  signature against IAM keys: wrong keys get S3's own 403 ``InvalidAccessKeyId``.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: The region every test server claims.
REGION = "us-east-1"
#: Credentials moto's open server accepts (any would do).
OPEN_KEYS = {"AWS_ACCESS_KEY_ID": "testing-key-id", "AWS_SECRET_ACCESS_KEY": "testing-secret-key-do-not-show"}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def s3_client(endpoint: str, keys: dict[str, str] | None = None) -> Any:
    """A boto3 S3 client for ``endpoint`` (loopback, short timeouts, no retries)."""
    import boto3
    from botocore.config import Config

    chosen = keys or OPEN_KEYS
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=chosen["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=chosen["AWS_SECRET_ACCESS_KEY"],
        config=Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 1}),
    )


def bucket_keys(endpoint: str, bucket: str, keys: dict[str, str] | None = None) -> list[str]:
    """Every object key in ``bucket`` (empty when it holds nothing)."""
    client = s3_client(endpoint, keys)
    found: list[str] = []
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        found += [item["Key"] for item in page.get("Contents", [])]
    return found


def _wait_for(port: int, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"moto.server exited with {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"moto.server did not listen on port {port}")


@contextlib.contextmanager
def moto_process(**env: str) -> Iterator[str]:
    """``python -m moto.server`` in a child process on a free loopback port; yields its endpoint URL.

    A child process, not moto's `ThreadedMotoServer`: ``deltalake.DeltaTable.is_deltatable`` holds the GIL while
    it waits for the server, so a server thread in the same process never answers it.
    """
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, time.monotonic() + 30)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def moto_s3() -> contextlib.AbstractContextManager[str]:
    """moto's S3 (any credentials accepted) in a child process; yields its endpoint (``http://127.0.0.1:<port>``)."""
    return moto_process()


@dataclass(frozen=True)
class AuthS3:
    """A moto server that checks credentials: its endpoint and the one pair of keys it accepts."""

    endpoint: str
    keys: dict[str, str]


_ALL_OF_S3 = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)


@contextlib.contextmanager
def moto_s3_with_auth(bucket: str) -> Iterator[AuthS3]:
    """``python -m moto.server`` checking signatures after four free calls; ``bucket`` made.

    The four unauthenticated calls create an IAM user, its policy (all of S3) and access key, and the bucket; from
    then on moto answers requests signed with any other key 403 ``InvalidAccessKeyId`` (or
    ``SignatureDoesNotMatch``), as S3 does.
    """
    import boto3

    with moto_process(INITIAL_NO_AUTH_ACTION_COUNT="4") as endpoint:
        iam = boto3.client(
            "iam", endpoint_url=endpoint, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
        )
        iam.create_user(UserName="archivist")
        iam.put_user_policy(UserName="archivist", PolicyName="all-of-s3", PolicyDocument=_ALL_OF_S3)
        created = iam.create_access_key(UserName="archivist")["AccessKey"]
        keys = {"AWS_ACCESS_KEY_ID": created["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": created["SecretAccessKey"]}
        s3_client(endpoint, keys).create_bucket(Bucket=bucket)
        yield AuthS3(endpoint, keys)


@dataclass(frozen=True)
class S3Bucket:
    """A bucket on the test S3 server: the endpoint, the bucket, and the archive location inside it."""

    endpoint: str
    bucket: str

    @property
    def location(self) -> str:
        """The archive location ``s3://<bucket>/archive``."""
        return f"s3://{self.bucket}/archive"
