"""Every paginator honours one contract; then each style's own rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from apitoolkit.exceptions import PaginationError
from apitoolkit.http.paginators import (
    FlexiblePaginator,
    HeaderCursorPaginator,
    JsonApiPaginator,
    Page,
    PageNumberPaginator,
    Paginator,
    RequestSpec,
    SinglePagePaginator,
)


def requests_after(paginator: Paginator, first: RequestSpec) -> Sequence[RequestSpec]:
    """The requests of the remaining pages, which the paginator knows after page 1."""
    remaining = paginator.remaining_requests(first)
    assert remaining is not None, "the paginator does not know the remaining pages"
    return remaining


def jsonapi_page(number: int, total: int | None, records: int = 2, next_page: int | str | None = "auto") -> Page:
    meta: dict[str, object] = {"current-page": number}
    if total is not None:
        meta["total-pages"] = total
    meta["next-page"] = (number + 1 if total and number < total else None) if next_page == "auto" else next_page
    return Page(b"", {"data": [{}] * records, "meta": meta}, {}, False, "", records)


def cursor_page(cursor: str | None, records: int = 2) -> Page:
    return Page(b"", [{}] * records, {"X-Cursor": cursor} if cursor else {}, False, "", records)


# Each case: a paginator, the request it starts from, and a server that answers a request with a page.
def _jsonapi_server(spec: RequestSpec) -> Page:
    return jsonapi_page(
        spec.params["page[number]"],
        None,
        next_page=spec.params["page[number]"] + 1 if spec.params["page[number]"] < 3 else None,
    )


def _cursor_server(spec: RequestSpec) -> Page:
    n = int(spec.path.rsplit("/", 1)[1])
    return cursor_page(str(n + 1), records=0 if n >= 3 else 2)


def _laravel_server(spec: RequestSpec) -> Page:
    n = spec.params["page"]
    return Page(b"", {"data": [{}] * 2, "meta": {"last_page": 3, "current_page": n}}, {}, False, "", 2)


def _link_server(spec: RequestSpec) -> Page:
    n = spec.params["page"]
    headers = {"Link": f'<https://x/contacts?page={n + 1}>; rel="next"'} if n < 4 else {}
    return Page(b"", [{}] * 2, headers, False, "", 2)


def _short_page_server(spec: RequestSpec) -> Page:
    n = spec.params["page"]
    return Page(b"", [{}] * (2 if n < 2 else 1), {}, False, "", 2 if n < 2 else 1)


CASES: dict[str, tuple[Callable[[], Paginator], RequestSpec, Callable[[RequestSpec], Page], int]] = {
    "page-number-meta": (
        lambda: PageNumberPaginator(2, pages_path=("meta", "last_page")),
        RequestSpec("c"),
        _laravel_server,
        3,
    ),
    "page-number-link": (lambda: PageNumberPaginator(2), RequestSpec("c"), _link_server, 4),
    "page-number-short": (lambda: PageNumberPaginator(2), RequestSpec("c"), _short_page_server, 2),
    "flexible-meta": (lambda: FlexiblePaginator(2), RequestSpec("c"), _laravel_server, 3),
    "flexible-link": (lambda: FlexiblePaginator(2), RequestSpec("c"), _link_server, 4),
    "flexible-short": (lambda: FlexiblePaginator(2), RequestSpec("c"), _short_page_server, 2),
    "single": (SinglePagePaginator, RequestSpec("items"), lambda s: cursor_page(None), 1),
    "jsonapi": (lambda: JsonApiPaginator(page_size=2), RequestSpec("users"), _jsonapi_server, 3),
    "cursor": (lambda: HeaderCursorPaginator(cursor="0"), RequestSpec("item/delta/{cursor}"), _cursor_server, 4),
}


@pytest.mark.parametrize("name", list(CASES))
def test_contract__sequential_walk_terminates_with_every_page(name: str) -> None:
    make, start, serve, expected_pages = CASES[name]
    paginator = make()
    spec = start.copy()
    paginator.init_request(spec)
    pages = 0
    while True:
        page = serve(spec)
        paginator.update_state(page)
        pages += 1
        assert pages <= 10, "paginator never stopped"
        if not paginator.has_next_page:
            break
        spec = spec.copy()
        paginator.update_request(spec)
    assert pages == expected_pages


@pytest.mark.parametrize("name", list(CASES))
def test_contract__init_request_does_not_touch_the_template(name: str) -> None:
    make, start, _, _ = CASES[name]
    before = (start.path, dict(start.params))
    spec = start.copy()
    make().init_request(spec)
    assert (start.path, start.params) == before


def test_jsonapi__remaining_pages_known_from_page_one() -> None:
    p = JsonApiPaginator(page_size=100)
    spec = RequestSpec("users", params={"filter[name]": "x"})
    p.init_request(spec)
    p.update_state(jsonapi_page(1, 4))
    remaining = requests_after(p, spec)
    assert [r.params["page[number]"] for r in remaining] == [2, 3, 4]
    assert all(r.params["filter[name]"] == "x" and r.params["page[size]"] == 100 for r in remaining)
    assert p.total_pages == 4 and not p.has_next_page


def test_jsonapi__ignores_links_and_uses_meta() -> None:
    p = JsonApiPaginator()
    spec = RequestSpec("x")
    p.init_request(spec)
    page = jsonapi_page(1, 2)
    page.payload["links"] = {"next": None, "last": "http://x/?page[number]=17958"}
    p.update_state(page)
    assert [r.params["page[number]"] for r in requests_after(p, spec)] == [2]


def test_jsonapi__max_pages_caps_and_says_so() -> None:
    p = JsonApiPaginator(max_pages=5)
    spec = RequestSpec("logs")
    p.init_request(spec)
    p.update_state(jsonapi_page(1, 9))
    assert [r.params["page[number]"] for r in requests_after(p, spec)] == [2, 3, 4, 5]
    assert p.capped


def test_jsonapi__single_page_listing_has_no_remaining() -> None:
    p = JsonApiPaginator()
    spec = RequestSpec("x")
    p.init_request(spec)
    p.update_state(jsonapi_page(1, 1))
    assert not p.has_next_page and p.remaining_requests(spec) is None


def test_jsonapi__empty_page_stops_even_if_meta_promises_more() -> None:
    p = JsonApiPaginator()
    p.init_request(RequestSpec("x"))
    p.update_state(jsonapi_page(1, None, records=0, next_page=2))
    assert not p.has_next_page


def test_jsonapi__next_page_pointing_back_raises() -> None:
    p = JsonApiPaginator()
    p.init_request(RequestSpec("x"))
    p.update_state(jsonapi_page(1, None, next_page=2))
    p.update_request(RequestSpec("x"))
    with pytest.raises(PaginationError, match="already fetched"):
        p.update_state(jsonapi_page(2, None, next_page=1))


def test_jsonapi__same_page_twice_raises() -> None:
    p = JsonApiPaginator()
    p.init_request(RequestSpec("x"))
    p.update_state(jsonapi_page(1, None, next_page=2))
    with pytest.raises(PaginationError, match="twice"):
        p.update_state(jsonapi_page(1, None, next_page=2))


@pytest.mark.parametrize("bad", [{"total-pages": "many"}, {"next-page": -1}, {"current-page": True}])
def test_jsonapi__malformed_meta_raises(bad: dict[str, object]) -> None:
    p = JsonApiPaginator()
    p.init_request(RequestSpec("x"))
    with pytest.raises(PaginationError, match="broken"):
        p.update_state(Page(b"", {"data": [{}], "meta": bad}, {}, False, "", 1))


def test_cursor__stops_when_cursor_stays_put() -> None:
    p = HeaderCursorPaginator(cursor="5")
    spec = RequestSpec("item/delta/{cursor}")
    p.init_request(spec)
    assert spec.path == "item/delta/5"
    p.update_state(cursor_page("5"))
    assert not p.has_next_page and p.cursor == "5"


def test_cursor__cycle_raises() -> None:
    p = HeaderCursorPaginator(cursor="1")
    spec = RequestSpec("item/delta/{cursor}")
    p.init_request(spec)
    p.update_state(cursor_page("2"))
    p.update_request(spec)
    assert spec.path == "item/delta/2"
    with pytest.raises(PaginationError, match="earlier value"):
        p.update_state(cursor_page("1"))


def test_cursor__full_listing_keeps_cursor_for_next_sync() -> None:
    p = HeaderCursorPaginator()
    p.init_request(RequestSpec("item"))
    p.update_state(cursor_page("1478802464000"))
    assert p.cursor == "1478802464000" and not p.has_next_page


def test_page_number__total_records_gives_remaining_pages() -> None:
    p = PageNumberPaginator(100, total_path=("total",))
    spec = RequestSpec("project/1/tasks")
    p.init_request(spec)
    p.update_state(Page(b"", {"tasks": [{}] * 100, "total": 250}, {}, False, "", 100))
    assert [r.params["page"] for r in requests_after(p, spec)] == [2, 3]
    assert p.total_pages == 3


def test_page_number__empty_first_page_stops() -> None:
    p = PageNumberPaginator(100, total_path=("total",))
    p.init_request(RequestSpec("x"))
    p.update_state(Page(b"", {"tasks": [], "total": 0}, {}, False, "", 0))
    assert not p.has_next_page


def test_page_number__malformed_total_raises() -> None:
    p = PageNumberPaginator(100, pages_path=("meta", "last_page"))
    p.init_request(RequestSpec("x"))
    with pytest.raises(PaginationError):
        p.update_state(Page(b"", {"data": [{}], "meta": {"last_page": "lots"}}, {}, False, "", 1))


def test_page_number__pages_path_counts_pages_and_total_path_is_the_reported_count() -> None:
    p = PageNumberPaginator(2, pages_path=("meta", "last_page"), total_path=("meta", "total"))
    spec = RequestSpec("contacts")
    p.init_request(spec)
    page = Page(b"", {"data": [{}] * 2, "meta": {"last_page": 3, "total": 5}}, {}, False, "", 2)
    p.update_state(page)
    assert [r.params["page"] for r in requests_after(p, spec)] == [2, 3]
    assert p.reported_count(page) == 5
    assert PageNumberPaginator(2, pages_path=("meta", "last_page")).reported_count(page) == 3
    assert PageNumberPaginator(2).reported_count(page) is None


def test_reported_count__jsonapi_total_count_and_none_elsewhere() -> None:
    page = Page(b"", {"data": [{}], "meta": {"total-count": 359}}, {}, False, "", 1)
    assert JsonApiPaginator().reported_count(page) == 359
    assert JsonApiPaginator().reported_count(jsonapi_page(1, 3)) is None
    with pytest.raises(PaginationError):
        JsonApiPaginator().reported_count(Page(b"", {"meta": {"total-count": "many"}}, {}, False, "", 1))
    assert SinglePagePaginator().reported_count(page) is None
    assert HeaderCursorPaginator().reported_count(cursor_page("1")) is None


@pytest.mark.parametrize(
    ("paginator", "payload"),
    [
        (JsonApiPaginator(10), {"data": [{}], "meta": {"total-pages": 10**6 + 1}}),
        (JsonApiPaginator(10), {"data": [{}], "meta": {"total-pages": 10**30}}),
        (PageNumberPaginator(10, total_path=("total",)), {"data": [{}], "total": 10**30}),
    ],
)
def test_remaining_requests__an_absurd_total_is_refused_not_listed(paginator: Paginator, payload: dict) -> None:
    first = RequestSpec("users")
    paginator.init_request(first)
    paginator.update_state(Page(b"", payload, {}, False, "", 1))
    with pytest.raises(PaginationError, match="more than any listing"):
        paginator.remaining_requests(first)  # found by the fuzz suite: it used to build 10**30 requests


def flexible_page(payload: object, records: int, headers: dict[str, str] | None = None) -> Page:
    return Page(b"", payload, headers or {}, False, "", records)


def _rows(*ids: int) -> list[dict[str, int]]:
    return [{"id": i} for i in ids]


@pytest.mark.parametrize(
    ("payload", "headers", "pages"),
    [
        ({"data": _rows(1, 2), "meta": {"current_page": 1, "last_page": 4, "total": 8}}, {}, 4),
        ({"data": _rows(1, 2), "last_page": 3, "total": 6, "next_page_url": "x?page=2"}, {}, 3),
        ({"clients": _rows(1, 2), "page": 1, "per_page": 5, "total": 7}, {}, 4),  # 2 a page, whatever was asked
        ({"data": _rows(1, 2), "meta": {"total": 3}}, {}, 2),
    ],
)
def test_flexible__page_one_tells_how_many_pages(
    payload: dict[str, object], headers: dict[str, str], pages: int
) -> None:
    p = FlexiblePaginator(5, record_keys=("data", "clients"))
    req = RequestSpec("c")
    p.init_request(req)
    p.update_state(flexible_page(payload, 2, headers))
    remaining = p.remaining_requests(req)
    assert remaining is not None and [r.params["page"] for r in remaining] == list(range(2, pages + 1))


@pytest.mark.parametrize(
    ("payload", "headers"),
    [
        ({"data": _rows(1), "links": {"next": "x?page=2"}}, {}),
        ({"data": _rows(1), "next_page_url": "x?page=2"}, {}),
        (_rows(1), {"Link": '<https://x/c?page=2>; rel="next", <https://x/c?page=1>; rel="first"'}),
        (_rows(1), {"Link": "<https://x/c?page=2>; rel=next"}),
    ],
)
def test_flexible__a_short_page_that_says_more_is_not_the_last(payload: object, headers: dict[str, str]) -> None:
    p = FlexiblePaginator(5)
    p.init_request(RequestSpec("c"))
    p.update_state(flexible_page(payload, 1, headers))
    assert p.has_next_page and p.remaining_requests(RequestSpec("c")) is None


@pytest.mark.parametrize(
    ("payload", "headers"),
    [
        ({"data": _rows(1, 2, 3, 4, 5), "links": {"next": None}}, {}),
        ({"data": _rows(1, 2, 3, 4, 5), "next_page_url": None}, {}),
        (_rows(1, 2, 3, 4, 5), {"Link": '<https://x/c?page=1>; rel="first"'}),
        (_rows(1, 2), {}),
    ],
)
def test_flexible__the_last_page_is_known(payload: object, headers: dict[str, str]) -> None:
    p = FlexiblePaginator(5)
    p.init_request(RequestSpec("c"))
    rows = payload["data"] if isinstance(payload, dict) else payload
    assert isinstance(rows, list)
    p.update_state(flexible_page(payload, len(rows), headers))
    assert not p.has_next_page


def test_flexible__without_a_signal_a_full_page_asks_for_the_next() -> None:
    p = FlexiblePaginator(2)
    p.init_request(RequestSpec("c"))
    p.update_state(flexible_page({"data": _rows(1, 2)}, 2))
    assert p.has_next_page and p.total_pages is None


def test_flexible__once_linked_a_page_without_a_link_is_the_last() -> None:
    p = FlexiblePaginator(2)
    p.init_request(RequestSpec("c"))
    p.update_state(flexible_page(_rows(1, 2), 2, {"Link": '<https://x/c?page=2>; rel="next"'}))
    assert p.has_next_page
    p.update_request(RequestSpec("c"))
    p.update_state(flexible_page(_rows(3, 4), 2))
    assert not p.has_next_page


@pytest.mark.parametrize(
    "later",
    [
        _rows(1, 2),  # page 1's records again
        {"data": _rows(3, 4), "meta": {"current_page": 1}},  # other records, but says it is page 1
        {"clients": _rows(5, 6), "page": "1"},
    ],
)
def test_flexible__a_server_ignoring_the_page_parameter_raises(later: object) -> None:
    p = FlexiblePaginator(2, record_keys=("data", "clients"))
    p.check_page(0, flexible_page(_rows(1, 2), 2))
    with pytest.raises(PaginationError, match="ignores the page parameter"):
        p.check_page(1, flexible_page(later, 2))


def test_flexible__pages_of_a_listing_that_pages_pass_the_check_in_any_order() -> None:
    p = FlexiblePaginator(2)
    p.check_page(0, flexible_page({"data": _rows(1, 2), "meta": {"current_page": 1}}, 2))
    p.check_page(2, flexible_page({"data": _rows(5), "meta": {"current_page": 3}}, 1))
    p.check_page(1, flexible_page({"data": _rows(3, 4), "meta": {"current_page": 2}}, 2))
    p.check_page(3, flexible_page({"data": []}, 0))


def test_flexible__reported_count_reads_where_page_one_had_it() -> None:
    p = FlexiblePaginator(2)
    p.init_request(RequestSpec("c"))
    assert p.reported_count(flexible_page({"data": [], "total": 4}, 0)) is None  # before page 1
    p.update_state(flexible_page({"data": _rows(1, 2), "meta": {"total": 4, "last_page": 2}}, 2))
    assert p.reported_count(flexible_page({"data": _rows(3), "meta": {"total": 5}}, 1)) == 5
    with pytest.raises(PaginationError):
        p.reported_count(flexible_page({"meta": {"total": "lots"}}, 0))
