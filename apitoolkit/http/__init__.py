"""What every service shares: the session (cache, rate limit, redaction), retries, paginators, the client base."""

from __future__ import annotations

from apitoolkit.http.client import BaseClient, PageSet
from apitoolkit.http.paginators import (
    CappedJsonApiPaginator,
    FlexiblePaginator,
    HeaderCursorPaginator,
    JsonApiPaginator,
    Page,
    PageNumberPaginator,
    Paginator,
    RequestSpec,
    SinglePagePaginator,
)
from apitoolkit.http.retry import RetryPolicy

__all__ = [
    "BaseClient",
    "CappedJsonApiPaginator",
    "FlexiblePaginator",
    "HeaderCursorPaginator",
    "JsonApiPaginator",
    "Page",
    "PageNumberPaginator",
    "PageSet",
    "Paginator",
    "RequestSpec",
    "RetryPolicy",
    "SinglePagePaginator",
]
