"""Fixtures of the archive's integration tests: moto's S3 server with a fresh bucket, AWS settings for it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from tests.s3server import OPEN_KEYS, REGION, S3Bucket, moto_s3, s3_client

#: AWS variables a developer may have set that would change how the archive reaches S3.
AWS_VARIABLES = (
    "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
)  # fmt: skip


@pytest.fixture(autouse=True)
def _no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's AWS settings."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """One moto S3 server (a child process on loopback) per test process; its endpoint URL."""
    with moto_s3() as endpoint:
        yield endpoint


@pytest.fixture
def s3_bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> S3Bucket:
    """A fresh bucket on the moto server, with AWS_ENDPOINT_URL, keys and region set for it."""
    bucket = f"archive-{secrets.token_hex(6)}"
    s3_client(s3_endpoint).create_bucket(Bucket=bucket)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_REGION", REGION)
    for name, value in OPEN_KEYS.items():
        monkeypatch.setenv(name, value)
    return S3Bucket(s3_endpoint, bucket)
