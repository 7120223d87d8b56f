"""The paginators against generated servers: any ``meta``, body totals, ``Link`` and ``X-Cursor`` headers.

Each walk drives a paginator the way `BaseClient.paginate` does, against a server that answers with generated
pages and, once they run out, with an empty page. Invariants: only `PaginationError`, never another exception;
the walk stops by itself; the requests make sense (consecutive page numbers, never the same cursor twice).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from requests.structures import CaseInsensitiveDict

from apitoolkit.exceptions import PaginationError
from apitoolkit.http.paginators import (
    MAX_PAGES,
    FlexiblePaginator,
    HeaderCursorPaginator,
    JsonApiPaginator,
    Page,
    PageNumberPaginator,
    Paginator,
    RequestSpec,
)
from tests.unit.fuzz.strategies import JSON, SCALARS, fuzz

#: What an API may put where a page number or a total belongs.
NUMBERS = (
    st.none()
    | st.integers(-2, 40)
    | st.integers(-2, 40).map(str)
    | st.sampled_from([MAX_PAGES + 5, 2**63, 10**30, str(10**30), "9" * 5000, " 7 ", "7.0", 7.0, True, "", "x"])
    | SCALARS
    | JSON
)
RECORDS = st.none() | st.integers(0, 3)
#: Header values as an HTTP client hands them over (latin-1, no line breaks).
HEADER_TEXT = st.text(st.characters(min_codepoint=32, max_codepoint=255), max_size=12)
LINKS = (
    st.none()
    | HEADER_TEXT
    | st.sampled_from(
        ['<https://x/c?page=2>; rel="next"', "<https://x/c?page=2>; rel='next'", '<https://x/c?page=9>; rel="last"', ""]
    )
)
CURSORS = st.none() | st.sampled_from(["1", "2", "3", " 2 ", "", "  ", "{cursor}"]) | HEADER_TEXT


def walk(paginator: Paginator, start: RequestSpec, answers: list[Page], empty: Page) -> list[RequestSpec]:
    """Every request a client would send, answered in turn by ``answers`` and then ``empty``.

    When page 1 tells how many pages there are, the rest are listed at once (fetched concurrently by the client).
    """
    queue = list(answers)

    def serve() -> Page:
        page = queue.pop(0) if queue else empty
        paginator.reported_count(page)
        return page

    first = start.copy()
    paginator.init_request(first)
    sent = [first]
    paginator.update_state(serve())
    remaining = paginator.remaining_requests(first) if paginator.has_next_page else None
    if remaining is not None:
        for spec in remaining:
            serve()
            sent.append(spec)
        return sent
    current = first
    while paginator.has_next_page:
        assert len(sent) <= len(answers) + 1, "the paginator did not stop at an empty page"
        current = current.copy()
        paginator.update_request(current)
        sent.append(current)
        paginator.update_state(serve())
    return sent


def walk_or_refuse(run: Callable[[], list[RequestSpec]]) -> list[RequestSpec] | None:
    try:
        return run()
    except PaginationError:
        return None


def perturbed(draw: st.DrawFn, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with some dropped and some replaced by anything an API may send instead."""
    out = {}
    for key, value in fields.items():
        fate = draw(st.sampled_from(["keep"] * 5 + ["drop", "junk"]))
        if fate != "drop":
            out[key] = draw(NUMBERS) if fate == "junk" else value
    return out


def page(payload: Any, records: int | None, headers: dict[str, str] | None = None) -> Page:
    return Page(b"", payload, CaseInsensitiveDict(headers or {}), False, "", records)


@st.composite
def jsonapi_listings(draw: st.DrawFn) -> list[Page]:
    """A listing as IT Glue pages it, with some of its ``meta`` missing or wrong."""
    total = draw(st.integers(1, 8))
    pages = []
    for n in range(1, total + 1):
        meta = {
            "current-page": n,
            "next-page": n + 1 if n < total else None,
            "prev-page": n - 1 or None,
            "total-pages": total,
            "total-count": total * 3,
        }
        records = draw(st.sampled_from([3, 3, 3, None, 0, 1]))
        pages.append(page({"data": [{}] * (records or 3), "meta": perturbed(draw, meta)}, records))
    return pages


JSONAPI_PAGES = st.builds(
    page,
    st.fixed_dictionaries(
        {"data": st.lists(st.just({}), max_size=3)},
        optional={
            "meta": st.fixed_dictionaries(
                {},
                optional={
                    key: NUMBERS for key in ("current-page", "next-page", "prev-page", "total-pages", "total-count")
                },
            )
            | JSON,
            "links": JSON,
        },
    )
    | JSON,
    RECORDS,
)


@fuzz()
@given(jsonapi_listings() | st.lists(JSONAPI_PAGES, max_size=6), st.none() | st.integers(1, 6), st.integers(1, 1000))
def test_jsonapi_paginator__generated_meta(answers: list[Page], max_pages: int | None, page_size: int) -> None:
    paginator = JsonApiPaginator(page_size, max_pages=max_pages)
    empty = Page(b"", {"data": [], "meta": {}}, CaseInsensitiveDict(), False, "", 0)
    sent = walk_or_refuse(lambda: walk(paginator, RequestSpec("users"), answers, empty))
    if sent is None:
        return
    numbers = [spec.params["page[number]"] for spec in sent]
    assert all(type(n) is int and n >= 0 for n in numbers)
    assert all(spec.params["page[size]"] == page_size and spec.path == "users" for spec in sent)
    assert max(numbers) <= (max_pages or MAX_PAGES)
    assert not paginator.capped or max_pages is not None


@st.composite
def page_number_listings(draw: st.DrawFn, page_size: int) -> list[Page]:
    """A ``page``/``per_page`` listing with its totals and ``Link`` headers, some missing or wrong."""
    count = draw(st.integers(0, 20))
    last = max(1, -(-count // page_size))
    pages = []
    for n in range(1, last + 1):
        records = min(page_size, count - (n - 1) * page_size)
        body = perturbed(draw, {"meta": {"last_page": last}, "total": count})
        link = f'<https://x/c?page={n + 1}>; rel="next"' if n < last else '<https://x/c?page=1>; rel="first"'
        headers = {"Link": link} if draw(st.booleans()) else {}
        pages.append(page({"data": [{}] * records, **body}, draw(st.sampled_from([records, records, None])), headers))
    return pages


PAGE_NUMBER_PAGES = st.builds(
    lambda payload, link, records: page(payload, records, None if link is None else {"Link": link}),
    st.fixed_dictionaries(
        {"data": st.lists(st.just({}), max_size=3)},
        optional={"meta": st.fixed_dictionaries({}, optional={"last_page": NUMBERS}) | JSON, "total": NUMBERS},
    )
    | JSON,
    LINKS,
    RECORDS,
)


@fuzz()
@given(
    st.integers(1, 4).flatmap(lambda size: st.tuples(st.just(size), page_number_listings(size)))
    | st.tuples(st.integers(1, 4), st.lists(PAGE_NUMBER_PAGES, max_size=6)),
    st.sampled_from([{}, {"pages_path": ("meta", "last_page")}, {"total_path": ("total",)}]),
)
def test_page_number_paginator__generated_totals_and_link_headers(
    listing: tuple[int, list[Page]], where: dict[str, Any]
) -> None:
    page_size, answers = listing
    paginator = PageNumberPaginator(page_size, **where)
    empty = Page(b"", {"data": []}, CaseInsensitiveDict(), False, "", 0)
    sent = walk_or_refuse(lambda: walk(paginator, RequestSpec("contacts"), answers, empty))
    if sent is None:
        return
    assert [spec.params["page"] for spec in sent] == list(range(1, len(sent) + 1))
    assert all(spec.params["per_page"] == page_size for spec in sent)


CURSOR_PAGES = st.builds(
    lambda cursor, name, records: Page(
        b"", [], CaseInsensitiveDict({} if cursor is None else {name: cursor}), False, "", records
    ),
    CURSORS,
    st.sampled_from(["X-Cursor", "x-cursor", "X-CURSOR"]),
    RECORDS,
)


@fuzz()
@given(
    st.lists(CURSOR_PAGES, max_size=8),
    st.sampled_from([("1", "item/delta/{cursor}"), ("100", "item/delta/{cursor}"), (None, "items")]),
)
def test_header_cursor_paginator__generated_cursors(answers: list[Page], start: tuple[str | None, str]) -> None:
    cursor, path = start
    paginator = HeaderCursorPaginator(cursor=cursor)
    empty = Page(b"", [], CaseInsensitiveDict(), False, "", 0)
    sent = walk_or_refuse(lambda: walk(paginator, RequestSpec(path), answers, empty))
    if sent is None:
        return
    paths = [spec.path for spec in sent]
    assert len(set(paths)) == len(paths), "a cursor was sent twice"
    assert "{cursor}" in path or len(sent) == 1
    received = [p.headers.get("X-Cursor", "").strip() for p in answers[: len(sent)]]
    assert paginator.cursor == next((c for c in reversed(received) if c), cursor)


@st.composite
def flexible_listings(draw: st.DrawFn, page_size: int) -> list[Page]:
    """A ``page``/``per_page`` listing in any shape an undocumented API may use, its paging fields perturbed."""
    count = draw(st.integers(0, 20))
    served = draw(st.integers(1, page_size))  # a server may serve fewer a page than asked for
    last = max(1, -(-count // served))
    shape = draw(st.sampled_from(["bare", "data", "clients", "meta", "simple", "length_aware", "link"]))
    pages = []
    for n in range(1, last + 1):
        rows = [{"id": i} for i in range((n - 1) * served, min(count, n * served))]
        nxt = f"https://x/c?page={n + 1}" if n < last else None
        fields_by_shape: dict[str, dict[str, Any]] = {
            "bare": {},
            "data": {},
            "clients": {"page": n, "per_page": served, "total": count},
            "meta": {"links": {"next": nxt}, "meta": {"current_page": n, "last_page": last, "total": count}},
            "simple": {"current_page": n, "next_page_url": nxt},
            "length_aware": {"current_page": n, "next_page_url": nxt, "last_page": last, "total": count},
            "link": {},
        }
        fields = fields_by_shape[shape]
        key = "clients" if shape == "clients" else "data"
        payload: Any = rows if shape in {"bare", "link"} else {key: rows, **perturbed(draw, fields)}
        headers = {"Link": f'<{nxt}>; rel="next"'} if shape == "link" and nxt else {}
        pages.append(page(payload, draw(st.sampled_from([len(rows), len(rows), None])), headers))
    return pages


FLEXIBLE_PAGES = st.builds(
    lambda payload, link, records: page(payload, records, None if link is None else {"Link": link}),
    st.fixed_dictionaries(
        {"data": st.lists(st.fixed_dictionaries({}, optional={"id": SCALARS}), max_size=3)},
        optional={
            "meta": st.fixed_dictionaries(
                {}, optional={"last_page": NUMBERS, "total": NUMBERS, "current_page": NUMBERS}
            )
            | JSON,
            "links": st.fixed_dictionaries({}, optional={"next": NUMBERS}) | JSON,
            "total": NUMBERS,
            "last_page": NUMBERS,
            "next_page_url": NUMBERS,
            "page": NUMBERS,
        },
    )
    | JSON,
    LINKS,
    RECORDS,
)


@fuzz()
@given(
    st.integers(1, 4).flatmap(lambda size: st.tuples(st.just(size), flexible_listings(size)))
    | st.tuples(st.integers(1, 4), st.lists(FLEXIBLE_PAGES, max_size=6)),
)
def test_flexible_paginator__generated_shapes_totals_and_links(listing: tuple[int, list[Page]]) -> None:
    page_size, answers = listing
    paginator = FlexiblePaginator(page_size, record_keys=("data", "clients"))
    empty = Page(b"", [], CaseInsensitiveDict(), False, "", 0)
    sent = walk_or_refuse(lambda: walk(paginator, RequestSpec("contacts"), answers, empty))
    for index, answer in enumerate(answers[: len(sent or [])]):
        try:
            paginator.check_page(index, answer)  # only PaginationError, whatever the body holds
        except PaginationError:
            break
    if sent is None:
        return
    assert [spec.params["page"] for spec in sent] == list(range(1, len(sent) + 1))


@fuzz()
@given(flexible_listings(3).filter(lambda pages: len(pages) >= 2 and (pages[0].records or 0) > 0))
def test_flexible_paginator__a_server_answering_page_1_every_time_is_refused_at_page_2(answers: list[Page]) -> None:
    paginator = FlexiblePaginator(3, record_keys=("data", "clients"))
    paginator.check_page(0, answers[0])
    try:
        paginator.check_page(1, answers[0])
    except PaginationError:
        return
    raise AssertionError("page 1 served as page 2 was not refused")
