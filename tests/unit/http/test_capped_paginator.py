"""`CappedJsonApiPaginator`: an endpoint's page cap noticed whatever its ``meta`` reports."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
import pytest

from apitoolkit.http.paginators import CappedJsonApiPaginator, JsonApiPaginator, Page, RequestSpec


def page(number: int, records: int, meta: Mapping[str, Any] | None = None, *, counted: bool = True) -> Page:
    body = {"data": [{"id": str(i)} for i in range(records)], "meta": {"current-page": number, **(meta or {})}}
    return Page(orjson.dumps(body), body, {}, False, "", records if counted else None)


def walk(paginator: CappedJsonApiPaginator, pages: list[Page]) -> int:
    """Feed ``pages`` one after another as the client does without ``remaining_requests``; the pages read."""
    request = RequestSpec("logs")
    paginator.init_request(request)
    read = 0
    for item in pages:
        paginator.update_state(item)
        paginator.check_page(read, item)
        read += 1
        if not paginator.has_next_page:
            break
        paginator.update_request(request)
    return read


def test_capped_paginator__total_count_beyond_the_cap_on_page_1() -> None:
    p = CappedJsonApiPaginator(2, max_pages=5)
    p.init_request(RequestSpec("logs"))
    p.update_state(page(1, 2, {"total-pages": 5, "next-page": 2, "total-count": 11}))
    assert p.capped


def test_capped_paginator__full_last_page_with_next_page_null() -> None:
    metas = [{"total-pages": 5, "next-page": n + 1 if n < 5 else None} for n in range(1, 6)]
    p = CappedJsonApiPaginator(2, max_pages=5)
    assert walk(p, [page(n, 2, m) for n, m in zip(range(1, 6), metas, strict=True)]) == 5
    assert p.capped and not p.has_next_page


def test_capped_paginator__uncounted_full_page_is_counted_from_its_body() -> None:
    p = CappedJsonApiPaginator(3, max_pages=2)
    p.init_request(RequestSpec("logs"))
    p.update_state(page(1, 3, {"total-pages": 2, "next-page": 2}))
    assert not p.capped
    p.check_page(1, page(2, 3, counted=False))
    assert p.capped


@pytest.mark.parametrize("last", [0, 1])
def test_capped_paginator__short_last_page_is_the_end(last: int) -> None:
    metas = [{"total-pages": 5, "next-page": n + 1 if n < 5 else None, "total-count": 8 + last} for n in range(1, 6)]
    sizes = [2, 2, 2, 2, last]
    p = CappedJsonApiPaginator(2, max_pages=5)
    walk(p, [page(n, s, m) for n, s, m in zip(range(1, 6), sizes, metas, strict=True)])
    assert not p.capped


@pytest.mark.parametrize("kind", [JsonApiPaginator, CappedJsonApiPaginator])
def test_capped_paginator__true_total_pages_beyond_the_cap(kind: type[JsonApiPaginator]) -> None:
    p = kind(2, max_pages=5)
    first = RequestSpec("logs")
    p.init_request(first)
    p.update_state(page(1, 2, {"total-pages": 7, "next-page": 2}))
    assert [r.params["page[number]"] for r in p.remaining_requests(first) or []] == [2, 3, 4, 5]
    assert p.capped


def test_capped_paginator__plain_paginator_sees_only_meta() -> None:
    p = JsonApiPaginator(2, max_pages=5)
    p.init_request(RequestSpec("logs"))
    p.update_state(page(1, 2, {"total-pages": 5, "next-page": 2, "total-count": 11}))
    p.check_page(4, page(5, 2))
    assert not p.capped
