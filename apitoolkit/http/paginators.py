"""Pagination styles, one class each; the client owns the page loop and asks a paginator what comes next.

A paginator sees each page in order (`update_state`), says whether there is another (`has_next_page`),
prepares the next request (`update_request`), and, when page 1 already tells how many pages there are,
lists all the remaining requests at once (`remaining_requests`) so the client can fetch them concurrently.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import orjson

from apitoolkit.exceptions import PaginationError

__all__ = [
    "CappedJsonApiPaginator",
    "HeaderCursorPaginator",
    "JsonApiPaginator",
    "Page",
    "PageNumberPaginator",
    "PageRequests",
    "Paginator",
    "RequestSpec",
    "SinglePagePaginator",
    "listing_records",
]


@dataclass
class RequestSpec:
    """What to ask for: a path below the base URL, query parameters and extra headers."""

    path: str
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def copy(self) -> RequestSpec:
        """An independent copy (paginators mutate specs)."""
        return RequestSpec(self.path, dict(self.params), dict(self.headers))


@dataclass
class Page:
    """One successful response.

    Attributes:
        content: The raw body (what the flattener reads).
        payload: The parsed JSON body; the client drops it once the paginator has read it.
        headers: Response headers.
        from_cache: Whether the HTTP cache answered.
        url: The request URL with credentials removed.
        records: Number of records in the page; None when not counted (the page is not empty).
    """

    content: bytes
    payload: Any
    headers: Mapping[str, str]
    from_cache: bool
    url: str
    records: int | None


class Paginator(ABC):
    """One pagination style. Subclasses keep their state between pages."""

    @abstractmethod
    def init_request(self, request: RequestSpec) -> None:
        """Adjust the first request (e.g. add ``page[number]=1``)."""

    @abstractmethod
    def update_state(self, page: Page) -> None:
        """Read the paging information of the page just received."""

    @property
    @abstractmethod
    def has_next_page(self) -> bool:
        """Whether another page must be fetched."""

    @abstractmethod
    def update_request(self, request: RequestSpec) -> None:
        """Turn the previous request into the request for the next page."""

    def remaining_requests(self, first: RequestSpec) -> Sequence[RequestSpec] | None:
        """All requests after page 1 when their number is known from page 1, else None (made lazily)."""
        return None

    @property
    def total_pages(self) -> int | None:
        """Pages the API reports in all, when it does."""
        return None

    def check_page(self, index: int, page: Page) -> None:
        """Raise `PaginationError` when page ``index`` (0-based, any order) shows the paging is broken.

        Called by the client for every page as it arrives, fetched one after another or concurrently (page 1
        first). The default checks nothing; a style whose server may ignore its page parameter overrides it.
        """
        return None

    def reported_count(self, page: Page) -> int | None:
        """How many records the whole listing holds according to ``page``, when pages say so.

        The client compares it across the pages of one listing: a change means records were added or
        deleted while paging, so pages may have shifted (rows seen twice or skipped).
        """
        return None


class SinglePagePaginator(Paginator):
    """Everything comes in one response.

    Example:
        >>> p = SinglePagePaginator()
        >>> p.has_next_page
        True
        >>> p.update_state(Page(b"[]", [], {}, False, "", 0)); p.has_next_page
        False
    """

    def __init__(self) -> None:
        self._done = False

    def init_request(self, request: RequestSpec) -> None:
        """Nothing to add."""

    def update_state(self, page: Page) -> None:
        """One page is all there is."""
        self._done = True

    @property
    def has_next_page(self) -> bool:
        """True until the page has arrived."""
        return not self._done

    def update_request(self, request: RequestSpec) -> None:
        """Never called: there is no next page."""

    @property
    def total_pages(self) -> int | None:
        """Always one."""
        return 1


#: More pages than this is a broken total, not a listing (listing them all would exhaust memory).
MAX_PAGES = 1_000_000


class PageRequests(Sequence[RequestSpec]):
    """Copies of a first request asking for pages ``start``..``last``, made one at a time as they are read.

    Holding a range rather than a list, a listing whose ``meta`` claims a million pages costs nothing until
    its pages are requested (the client requests them a few at a time).

    Example:
        >>> reqs = PageRequests(RequestSpec("users", {"page[number]": 1}), "page[number]", 2, 4)
        >>> len(reqs), [r.params["page[number]"] for r in reqs]
        (3, [2, 3, 4])
    """

    def __init__(self, first: RequestSpec, param: str, start: int, last: int) -> None:
        self._first = first.copy()
        self._param = param
        self._numbers = range(start, last + 1)

    def __len__(self) -> int:
        return len(self._numbers)

    def extended(self, last: int) -> PageRequests:
        """The requests for the pages after these, up to page ``last`` (a listing that grew while paged)."""
        return PageRequests(self._first, self._param, self._numbers.stop, last)

    @overload
    def __getitem__(self, index: int) -> RequestSpec: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[RequestSpec]: ...

    def __getitem__(self, index: int | slice) -> RequestSpec | Sequence[RequestSpec]:
        if isinstance(index, slice):
            numbers = self._numbers[index]
            if numbers.step == 1:  # still a range: stays lazy
                return PageRequests(self._first, self._param, numbers.start, numbers.stop - 1)
            return [self[i] for i in range(*index.indices(len(self)))]
        spec = self._first.copy()
        spec.params[self._param] = self._numbers[index]
        return spec


def _page_requests(first: RequestSpec, param: str, start: int, last: int) -> PageRequests:
    """Copies of ``first`` asking for pages ``start``..``last``."""
    if last > MAX_PAGES:
        raise PaginationError(f"The API reports {last:,} pages, more than any listing: the API's paging is broken.")
    return PageRequests(first, param, start, last)


def _positive_int(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PaginationError(f"meta.{name} is {value!r}, not a page number: the API's paging is broken.")
    try:
        number = int(value)
    except ValueError:
        raise PaginationError(f"meta.{name} is {value!r}, not a page number: the API's paging is broken.") from None
    if number < 0:
        raise PaginationError(f"meta.{name} is {number}: the API's paging is broken.")
    return number


class JsonApiPaginator(Paginator):
    """JSON:API page-number pagination driven by ``meta`` (never by ``links``, which may be null or wrong).

    A page looks like::

        {"data": [...],
         "meta": {"current-page": 1, "next-page": 2, "prev-page": null, "total-pages": 36, "total-count": 359},
         "links": {"next": "...", "last": "...page[number]=17958..."}}

    When ``total-pages`` is present on page 1 the remaining pages are known at once; otherwise the paginator
    follows ``next-page``. A ``next-page`` seen before raises `PaginationError`. With ``max_pages`` (IT
    Glue's logs stop at 5) it stops there and sets ``capped`` when the API has more.

    Example:
        >>> p = JsonApiPaginator(page_size=2)
        >>> req = RequestSpec("/users"); p.init_request(req); req.params
        {'page[number]': 1, 'page[size]': 2}
        >>> p.update_state(Page(b"", {"data": [1, 2], "meta": {"total-pages": 3}}, {}, False, "", 2))
        >>> [r.params["page[number]"] for r in p.remaining_requests(req)]
        [2, 3]
    """

    def __init__(
        self,
        page_size: int = 1000,
        *,
        max_pages: int | None = None,
        number_param: str = "page[number]",
        size_param: str = "page[size]",
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.page_size = page_size
        self.max_pages = max_pages
        self.number_param = number_param
        self.size_param = size_param
        self.capped = False
        self._total: int | None = None
        self._next: int | None = None
        self._seen: set[int] = set()
        self._current = 0

    def init_request(self, request: RequestSpec) -> None:
        """Ask for page 1 at the chosen size."""
        request.params[self.number_param] = 1
        request.params[self.size_param] = self.page_size
        self._current = 1

    def update_state(self, page: Page) -> None:
        """Read ``meta``; check the page numbers never go back."""
        payload = page.payload if isinstance(page.payload, dict) else {}
        meta = payload.get("meta") or {}
        if not isinstance(meta, dict):
            raise PaginationError(f"meta is {type(meta).__name__}, not an object: the API's paging is broken.")
        current = _positive_int(meta.get("current-page"), "current-page") or self._current
        if current in self._seen:
            raise PaginationError(f"page {current} was served twice: the API's paging loops.")
        self._seen.add(current)
        self._current = current
        if self._total is None:
            self._total = _positive_int(meta.get("total-pages"), "total-pages")
        nxt = _positive_int(meta.get("next-page"), "next-page")
        if nxt is not None and nxt in self._seen:
            raise PaginationError(f"next-page {nxt} was already fetched: the API's paging loops.")
        if page.records == 0:
            nxt = None
        if nxt is None and self._total is not None and current < self._total and page.records != 0:
            nxt = current + 1
        if nxt is not None and self.max_pages is not None and nxt > self.max_pages:
            self.capped = True
            nxt = None
        self._next = nxt

    @property
    def has_next_page(self) -> bool:
        """Whether ``meta`` promised another page within ``max_pages``."""
        return self._next is not None

    def update_request(self, request: RequestSpec) -> None:
        """Ask for the next page number."""
        assert self._next is not None
        request.params[self.number_param] = self._next
        self._current = self._next

    def remaining_requests(self, first: RequestSpec) -> Sequence[RequestSpec] | None:
        """Pages 2..total when page 1 reported ``total-pages`` (bounded by ``max_pages``)."""
        if self._total is None or self._next is None:
            return None
        last = self._total
        if self.max_pages is not None and last > self.max_pages:
            self.capped = True
            last = self.max_pages
        self._next = None
        return _page_requests(first, self.number_param, self._current + 1, last)

    @property
    def total_pages(self) -> int | None:
        """``meta.total-pages`` from the first page."""
        return self._total

    def reported_count(self, page: Page) -> int | None:
        """``meta.total-count`` of the page."""
        meta = page.payload.get("meta") if isinstance(page.payload, dict) else None
        return _positive_int(meta.get("total-count"), "total-count") if isinstance(meta, dict) else None


class CappedJsonApiPaginator(JsonApiPaginator):
    """`JsonApiPaginator` for an endpoint that serves at most ``max_pages`` pages, whatever its ``meta`` says.

    Such an endpoint (IT Glue's logs: 5 pages) may report its true ``total-pages``, or ``total-pages`` capped
    at ``max_pages`` with ``next-page`` null on the last page served. Besides a ``total-pages`` above the cap,
    ``capped`` is then also set when ``total-count`` exceeds ``max_pages`` pages of page 1's size, or when page
    ``max_pages`` holds as many records as page 1 (a full last page: there may be more). The client then does
    not expect ``total-count`` records from the pages served, and the caller walks on (by a filter) itself.

    Example:
        >>> p = CappedJsonApiPaginator(2, max_pages=2)
        >>> req = RequestSpec("/logs"); p.init_request(req)
        >>> meta = {"total-pages": 2, "next-page": 2, "total-count": 9}
        >>> p.update_state(Page(b"", {"data": [1, 2], "meta": meta}, {}, False, "", 2)); p.capped
        True
    """

    def __init__(self, page_size: int = 1000, *, max_pages: int, **options: Any) -> None:
        if max_pages < 1:
            raise ValueError("max_pages must be at least 1")
        super().__init__(page_size, max_pages=max_pages, **options)
        self.max_pages: int = max_pages
        self._per_page: int | None = None

    def update_state(self, page: Page) -> None:
        """As `JsonApiPaginator`; page 1's size and ``total-count`` may already show the cap."""
        super().update_state(page)
        if self._per_page is None:
            self._per_page = page.records or 0
            count = self.reported_count(page)
            if count is not None and self._per_page and count > self.max_pages * self._per_page:
                self.capped = True
        self.check_page(self._current - 1, page)

    def check_page(self, index: int, page: Page) -> None:
        """A full page ``max_pages`` (as many records as page 1) means the endpoint may hold more."""
        if index + 1 == self.max_pages and self._per_page and _page_records(page) >= self._per_page:
            self.capped = True


def _page_records(page: Page) -> int:
    """The records of ``page``: its count, or (when its records were not counted) the length of ``data``."""
    if page.records is not None:
        return page.records
    try:
        payload = orjson.loads(page.content)
    except orjson.JSONDecodeError:
        return 0
    records = payload.get("data") if isinstance(payload, dict) else None
    return len(records) if isinstance(records, list) else 0


def _dig(payload: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(payload, dict):
            return None
        payload = payload.get(key)
    return payload


class PageNumberPaginator(Paginator):
    """``page``/``per_page`` query parameters; the end known from the body, a ``Link`` header, or a short page.

    Page 1 tells how many pages there are when the body carries the number of pages (``pages_path``, e.g.
    Laravel's ``("meta", "last_page")``) or of records (``total_path``, e.g. ``("total",)``); the rest are then
    fetched concurrently (with both, ``pages_path`` counts the pages and ``total_path`` is the `reported_count`).
    Otherwise the paginator follows an RFC 8288 ``Link: <...>; rel="next"`` header, and without one it stops at
    the first page shorter than ``page_size``.

    Example:
        >>> p = PageNumberPaginator(page_size=2, total_path=("total",))
        >>> req = RequestSpec("clients"); p.init_request(req); req.params
        {'page': 1, 'per_page': 2}
        >>> p.update_state(Page(b"", {"clients": [1, 2], "total": 5}, {}, False, "", 2))
        >>> [r.params["page"] for r in p.remaining_requests(req)]
        [2, 3]
    """

    def __init__(
        self,
        page_size: int = 100,
        *,
        page_param: str = "page",
        size_param: str = "per_page",
        pages_path: tuple[str, ...] | None = None,
        total_path: tuple[str, ...] | None = None,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be at least 1")
        self.page_size = page_size
        self.page_param = page_param
        self.size_param = size_param
        self.pages_path = pages_path
        self.total_path = total_path
        self._current = 0
        self._total: int | None = None
        self._next = False
        self._linked = False

    def init_request(self, request: RequestSpec) -> None:
        """Ask for page 1 at the chosen size."""
        request.params[self.page_param] = 1
        request.params[self.size_param] = self.page_size
        self._current = 1

    def update_state(self, page: Page) -> None:
        """Learn the number of pages, or whether another is linked, from this page."""
        if self._total is None:
            if self.pages_path is not None:
                self._total = _positive_int(_dig(page.payload, self.pages_path), ".".join(self.pages_path))
            elif self.total_path is not None:
                count = _positive_int(_dig(page.payload, self.total_path), ".".join(self.total_path))
                # Pages hold what page 1 held: a server that pages by fewer than asked still has more pages.
                size = page.records if page.records else self.page_size
                self._total = None if count is None else max(1, -(-count // size))
        link = page.headers.get("Link")
        if self._total is not None:
            self._next = self._current < self._total and page.records != 0
        elif link is not None or self._linked:
            # Once a listing links its pages, a page without a next link is the last.
            self._linked = True
            self._next = 'rel="next"' in (link or "").replace("'", '"') and page.records != 0
        else:
            self._next = page.records is None or page.records >= self.page_size

    @property
    def has_next_page(self) -> bool:
        """Whether another page is due."""
        return self._next

    def update_request(self, request: RequestSpec) -> None:
        """Ask for the next page number."""
        self._current += 1
        request.params[self.page_param] = self._current

    def remaining_requests(self, first: RequestSpec) -> Sequence[RequestSpec] | None:
        """Pages 2..total when page 1 told how many there are."""
        if self._total is None or not self._next:
            return None
        self._next = False
        return _page_requests(first, self.page_param, self._current + 1, self._total)

    @property
    def total_pages(self) -> int | None:
        """The number of pages, when the body said."""
        return self._total

    def reported_count(self, page: Page) -> int | None:
        """The value at ``total_path`` (else ``pages_path``) of the page."""
        path = self.total_path or self.pages_path
        return None if path is None else _positive_int(_dig(page.payload, path), ".".join(path))


def listing_records(payload: Any, keys: Sequence[str] = ("data",)) -> list[Any] | None:
    """The list of records of a listing page: a bare JSON array, or the first list under one of ``keys``.

    Example:
        >>> listing_records([{"id": 1}]), listing_records({"clients": [{"id": 2}]}, ("data", "clients"))
        ([{'id': 1}], [{'id': 2}])
        >>> listing_records({"errors": {"no_license": "..."}}) is None
        True
    """
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        for key in keys:
            value = payload.get(key)
            if isinstance(value, list):
                return value
    return None


_LINK_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;,]+))""", re.IGNORECASE)


def _link_says_next(header: str) -> bool:
    """Whether an RFC 8288 ``Link`` header holds a ``rel="next"`` link (``rel`` may list several types)."""
    for link in header.split(","):
        for match in _LINK_REL.finditer(link):
            rels = next(group for group in match.groups() if group is not None)
            if "next" in rels.lower().split():
                return True
    return False


def _page_number(value: Any) -> int | None:
    """A page number a body reports (an integer, or digits in a string), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _present(payload: Any, path: tuple[str, ...]) -> bool:
    """Whether the last key of ``path`` is in the object at the rest of it (even with a null value)."""
    parent = _dig(payload, path[:-1])
    return isinstance(parent, dict) and path[-1] in parent


class FlexiblePaginator(PageNumberPaginator):
    """``page``/``per_page`` listings whose shape the documents do not give: whatever page 1 shows is read.

    Records may come as a bare array, under ``data``, or under one of ``record_keys``. The end of the listing
    is read, in this order, from a number of pages (Laravel's ``meta.last_page`` or top-level ``last_page``),
    a number of records (``meta.total`` or ``total``, divided by what page 1 really held: a server that pages
    by fewer than asked still has more pages), a next link (``links.next``, ``next_page_url`` or an RFC 8288
    ``Link: <...>; rel="next"`` header; null or absent on the last page), and only when the page says none of
    these, from a page shorter than asked for. A server that ignores the page parameter (a later page
    holding page 1's records, or reporting itself as another page) raises `PaginationError` at once.

    Example:
        >>> p = FlexiblePaginator(page_size=2)
        >>> req = RequestSpec("contacts"); p.init_request(req)
        >>> p.update_state(Page(b"", {"data": [{"id": 1}], "next_page_url": "...?page=2"}, {}, False, "", 1))
        >>> p.has_next_page  # one record where two were asked, but the page says there is more
        True
        >>> p.check_page(0, Page(b"", [{"id": 1}], {}, False, "", 1))
        >>> p.check_page(1, Page(b"", [{"id": 1}], {}, False, "", 1))
        Traceback (most recent call last):
        ...
        apitoolkit.exceptions.PaginationError: page 2 holds the same records as page 1: the server ignores the \
page parameter, so paging it would never end.
    """

    PAGES_PATHS: tuple[tuple[str, ...], ...] = (("meta", "last_page"), ("last_page",))
    TOTAL_PATHS: tuple[tuple[str, ...], ...] = (("meta", "total"), ("total",))
    NEXT_PATHS: tuple[tuple[str, ...], ...] = (("links", "next"), ("next_page_url",))
    CURRENT_PATHS: tuple[tuple[str, ...], ...] = (("meta", "current_page"), ("current_page",), ("page",))
    #: The client fetches page 2 on its own before the rest, so a server ignoring ``page`` costs 2 requests.
    probe_second_page = True

    def __init__(
        self,
        page_size: int = 100,
        *,
        record_keys: Sequence[str] = ("data",),
        id_key: str = "id",
        page_param: str = "page",
        size_param: str = "per_page",
    ) -> None:
        super().__init__(page_size, page_param=page_param, size_param=size_param)
        self.record_keys = tuple(record_keys)
        self.id_key = id_key
        self._first_ids: tuple[Any, ...] | None = None
        self._read_first = False

    def update_state(self, page: Page) -> None:
        """On page 1, find where the listing says how long it is; on every page, whether another is due."""
        payload = page.payload
        if not self._read_first:
            self._read_first = True
            self.pages_path = next((p for p in self.PAGES_PATHS if _dig(payload, p) is not None), None)
            self.total_path = next((p for p in self.TOTAL_PATHS if _dig(payload, p) is not None), None)
            pages = None if self.pages_path is None else _positive_int(_dig(payload, self.pages_path), "last_page")
            count = self.reported_count(page)
            if pages is not None:
                self._total = max(1, pages)
            elif count is not None:
                size = page.records if page.records else self.page_size
                self._total = max(1, -(-count // size))
        if self._total is not None:
            self._next = self._current < self._total and page.records != 0
            return
        said = self._says_next(page)
        if said is None and self._linked:
            said = False  # once a listing links its pages, a page without a next link is the last
        if said is not None:
            self._linked = True
            self._next = said and page.records != 0
        else:
            self._next = page.records is None or page.records >= self.page_size

    def _says_next(self, page: Page) -> bool | None:
        """True/False when the page says whether another follows (a next link, null on the last), else None."""
        for path in self.NEXT_PATHS:
            if _present(page.payload, path):
                value = _dig(page.payload, path)
                return isinstance(value, str) and bool(value.strip())
        link = page.headers.get("Link") if page.headers else None
        if isinstance(link, str) and link.strip():
            return _link_says_next(link)
        return None

    def check_page(self, index: int, page: Page) -> None:
        """Raise `PaginationError` when a later page repeats page 1's records or reports another page number."""
        records = listing_records(page.payload, self.record_keys) or []
        ids = tuple(r.get(self.id_key) for r in records if isinstance(r, dict))
        if index == 0:
            self._first_ids = ids
            return
        if ids and ids == self._first_ids:
            raise PaginationError(
                f"page {index + 1} holds the same records as page 1: the server ignores the page parameter, "
                "so paging it would never end."
            )
        for path in self.CURRENT_PATHS:
            current = _dig(page.payload, path)
            number = _page_number(current)
            if number is not None:
                if number != index + 1:
                    raise PaginationError(
                        f"page {index + 1} was answered as page {number}: the server ignores the page "
                        "parameter, so paging it would never end."
                    )
                break

    def reported_count(self, page: Page) -> int | None:
        """The record count at ``meta.total`` or ``total`` (where page 1 had it), when the pages give one."""
        return None if self.total_path is None else _positive_int(_dig(page.payload, self.total_path), "total")


class HeaderCursorPaginator(Paginator):
    """A cursor returned in a response header (Hitask's ``X-Cursor``) and sent with the next request.

    The paginator follows the cursor until a response brings no records, no cursor, or the cursor it was
    sent. A cursor that comes back after others (a cycle) raises `PaginationError`. ``cursor`` holds the
    last cursor received, to store for the next incremental sync.

    Args:
        header: The response header carrying the cursor.
        apply: How a cursor goes into the next request; by default it replaces ``{cursor}`` in the path.
        cursor: A cursor from an earlier sync to start from.

    Example:
        >>> p = HeaderCursorPaginator(cursor="100")
        >>> req = RequestSpec("item/delta/{cursor}"); p.init_request(req); req.path
        'item/delta/100'
        >>> p.update_state(Page(b"[]", [{"id": 1}], {"X-Cursor": "200"}, False, "", 1)); p.cursor
        '200'
    """

    def __init__(
        self,
        header: str = "X-Cursor",
        *,
        apply: Callable[[RequestSpec, str], None] | None = None,
        cursor: str | None = None,
    ) -> None:
        self.header = header
        self.cursor = cursor
        self._apply = apply or _cursor_into_path
        self._template: RequestSpec | None = None
        self._seen: list[str] = [cursor] if cursor else []
        self._next = True

    def init_request(self, request: RequestSpec) -> None:
        """Send the starting cursor, if there is one."""
        self._template = request.copy()
        if self.cursor is not None:
            self._apply(request, self.cursor)

    def update_state(self, page: Page) -> None:
        """Take the new cursor; stop when it no longer advances or nothing came back."""
        new = page.headers.get(self.header)
        new = new.strip() if isinstance(new, str) and new.strip() else None
        if new is not None and new != self.cursor and new in self._seen:
            raise PaginationError(f"cursor {self.header} went back to an earlier value: the API's paging loops.")
        advanced = new is not None and new != self.cursor
        if new is not None:
            self.cursor = new
            self._seen.append(new)
        self._next = advanced and page.records != 0 and "{cursor}" in (self._template.path if self._template else "")

    @property
    def has_next_page(self) -> bool:
        """Whether the cursor moved and the last response had records."""
        return self._next

    def update_request(self, request: RequestSpec) -> None:
        """Start again from the template with the new cursor."""
        assert self._template is not None and self.cursor is not None
        fresh = self._template.copy()
        self._apply(fresh, self.cursor)
        request.path, request.params, request.headers = fresh.path, fresh.params, fresh.headers


def _cursor_into_path(request: RequestSpec, cursor: str) -> None:
    request.path = request.path.replace("{cursor}", cursor)
