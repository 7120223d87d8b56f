"""Whatever ``meta`` says, a listing asks for no more pages than its record count and page size allow.

A client pages a generated listing served by an in-memory transport (no socket): ``n`` real records, pages of
``size``, and a ``meta`` (or body total) drawn by Hypothesis: truthful, absurd, contradictory, or missing. The
property: when page 1 reports a record count ``c``, one pass over the listing sends at most
``max(1, ceil(c / r))`` requests, ``r`` being the records page 1 really held; and a listing that completes
holds exactly the records the server has when its count is truthful.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st
from requests.adapters import BaseAdapter

from apitoolkit.exceptions import ApiToolkitError
from apitoolkit.glasshat import GlasshatClient
from apitoolkit.http import JsonApiPaginator, PageNumberPaginator, RequestSpec
from apitoolkit.http.retry import RetryPolicy
from apitoolkit.itglue import ITGlueClient
from tests.unit.fuzz.strategies import fuzz

ONCE = RetryPolicy(max_attempts=1, backoff=0.0, max_backoff=0.0, max_retry_after=0.0, jitter=0.0)
#: What an API may say of pages and counts: truthful numbers are drawn separately.
LIES = st.none() | st.integers(0, 40) | st.sampled_from([999_999, 10**6, 2**31])


class Listing(BaseAdapter):
    """Serves pages of ``n`` records with the ``meta`` a test chose; counts the requests."""

    def __init__(self, n: int, style: str, meta: dict[str, Any]) -> None:
        super().__init__()
        self.n, self.style, self.meta = n, style, meta
        self.requests = 0
        self._lock = threading.Lock()

    def send(
        self,
        request: requests.PreparedRequest,
        stream: bool = False,
        timeout: Any = None,
        verify: bool | str = True,
        cert: Any = None,
        proxies: Mapping[str, str] | None = None,
    ) -> requests.Response:
        with self._lock:
            self.requests += 1
        query = {k: v[0] for k, v in parse_qs(urlsplit(request.url or "").query).items()}
        if self.style == "jsonapi":
            number, size = int(query["page[number]"]), int(query["page[size]"])
        else:
            number, size = int(query["page"]), int(query["per_page"])
        ids = range((number - 1) * size + 1, min(self.n, number * size) + 1)
        if self.style == "jsonapi":
            records = [{"id": str(i), "type": "users", "attributes": {}} for i in ids]
            meta = {k: v for k, v in self.meta.items() if v is not None}
            meta["current-page"] = number
            body: Any = {"data": records, "meta": meta, "links": {}}
        else:
            body = {"clients": [{"id": i} for i in ids], **{k: v for k, v in self.meta.items() if v is not None}}
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(body, separators=(",", ":")).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        """Nothing to release."""


def client_for(style: str, listing: Listing) -> Any:
    options: dict[str, Any] = {"cache": "off", "rate_limit": (10**6, 1.0), "max_workers": 3, "retry": ONCE}
    cls = ITGlueClient if style == "jsonapi" else GlasshatClient
    client = cls(api_key="k" * 32, base_url="http://listing.invalid", **options)
    client.session.mount("http://listing.invalid", listing)
    return client


def bound(count: Any, first_records: int) -> int | None:
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return None
    return 1 if first_records == 0 else max(1, math.ceil(count / first_records))


@pytest.mark.parametrize("style", ["jsonapi", "total"])
@given(
    n=st.integers(0, 45),
    size=st.integers(1, 10),
    truthful=st.booleans(),
    total_pages=LIES,
    total_count=LIES,
    next_page=LIES,
)
@fuzz(150)
def test_paging__never_asks_for_more_pages_than_the_count_allows(
    style: str, n: int, size: int, truthful: bool, total_pages: Any, total_count: Any, next_page: Any
) -> None:
    if truthful:
        total_count, total_pages, next_page = n, max(1, math.ceil(n / size)), None
    if style == "jsonapi":
        meta = {"total-pages": total_pages, "total-count": total_count, "next-page": next_page}
        paginator: Any = JsonApiPaginator(size)
    else:
        meta = {"total": total_count}
        paginator = PageNumberPaginator(size, total_path=("total",))
    listing = Listing(n, style, meta)
    client = client_for(style, listing)
    key = "data" if style == "jsonapi" else "clients"
    outcome: int | ApiToolkitError
    try:
        pages = client.paginate(RequestSpec("users" if style == "jsonapi" else "clients"), paginator)
        outcome = sum(len(json.loads(page.content)[key]) for page in pages)
    except ApiToolkitError as error:
        outcome = error
    first_records = min(n, size)
    most = bound(total_count, first_records)
    if most is not None:
        assert listing.requests <= most, (listing.requests, most, outcome)
    if truthful:
        assert outcome == n
