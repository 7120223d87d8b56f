"""Listing pages in every shape the documents leave open, and servers that cap the page size or ignore ``page``.

The documents of Glasshat and Happy Grasshopper say neither how a listing looks nor how it pages; each shape
below is a reading a real server may serve (the ``listing`` dialect). ``page_size_cap`` serves fewer records
per page than asked for; ``ignores_page`` answers page 1 whatever page is asked for. Both services' emulators
use it, from the core, since services of the emulator import nothing from each other.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from werkzeug.wrappers import Request, Response

JSON = "application/json"

#: Shapes of a listing page: the records as ``{key: [...]}`` with ``page``/``per_page``/``total``; a bare array;
#: ``{"data": [...]}``; Laravel's API resource (``data``, ``links``, ``meta``), with or without a ``Link``
#: header; Laravel's simple and length-aware paginators (top level ``next_page_url``, the latter with
#: ``last_page``/``total``); a bare array with an RFC 8288 ``Link`` header.
SHAPES = (
    "keyed_total",
    "bare_array",
    "data",
    "laravel_meta",
    "laravel_meta_link",
    "laravel_simple",
    "laravel_length_aware",
    "link_header",
)


@dataclass(frozen=True)
class Paging:
    """How listings are served: ``shape`` (one of `SHAPES`), ``cap`` (most records a page), ``ignores_page``."""

    shape: str
    cap: int | None = None
    ignores_page: bool = False


def listing_response(
    request: Request,
    ids: Sequence[int],
    rows: Callable[[list[int]], list[bytes]],
    *,
    page: int,
    per_page: int,
    paging: Paging,
    key: str = "data",
    hidden: Collection[str] = (),
) -> Response:
    """Page ``page`` of the records ``ids`` (serialised by ``rows``) in ``paging``'s shape.

    Links keep the request's other query parameters but ``hidden`` ones (credentials) and replace ``page``.

    Example:
        >>> r = listing_response(Request.from_values("/x"), [1, 2, 3], lambda s: [b'{"id":%d}' % i for i in s],
        ...                      page=1, per_page=2, paging=Paging("bare_array"))
        >>> r.get_data()
        b'[{"id":1},{"id":2}]'
    """
    size = min(per_page, paging.cap) if paging.cap else per_page
    served = 1 if paging.ignores_page else page
    total = len(ids)
    last = max(1, -(-total // size))
    start = (served - 1) * size
    shown = list(ids[start : start + size])
    records = b"[" + b",".join(rows(shown)) + b"]"

    def link(number: int) -> str:
        others = [(k, v) for k, v in request.args.items(multi=True) if k != "page" and k not in hidden]
        return f"{request.base_url}?{urlencode([*others, ('page', number)])}"

    links = {
        "first": link(1),
        "last": link(last),
        "prev": link(served - 1) if served > 1 else None,
        "next": link(served + 1) if served < last else None,
    }
    first_row = start + 1 if shown else None
    to = start + len(shown) if shown else None
    extra: dict[str, Any]
    if paging.shape == "keyed_total":
        extra = {"page": served, "per_page": size, "total": total}
        return _object(key, records, extra)
    if paging.shape in {"bare_array", "link_header"}:
        headers = {"Link": _link_header(links)} if paging.shape == "link_header" else {}
        return Response(records, content_type=JSON, headers=headers)
    if paging.shape == "data":
        return _object("data", records, {})
    if paging.shape in {"laravel_meta", "laravel_meta_link"}:
        meta = {
            "current_page": served,
            "from": first_row,
            "last_page": last,
            "path": request.base_url,
            "per_page": size,
            "to": to,
            "total": total,
        }
        headers = {"Link": _link_header(links)} if paging.shape == "laravel_meta_link" else {}
        return Response(
            _object("data", records, {"links": links, "meta": meta}).get_data(), content_type=JSON, headers=headers
        )
    if paging.shape in {"laravel_simple", "laravel_length_aware"}:
        extra = {
            "current_page": served,
            "first_page_url": links["first"],
            "from": first_row,
            "next_page_url": links["next"],
            "path": request.base_url,
            "per_page": size,
            "prev_page_url": links["prev"],
            "to": to,
        }
        if paging.shape == "laravel_length_aware":
            extra.update(last_page=last, last_page_url=links["last"], total=total)
        return _object("data", records, extra)
    raise ValueError(f"unknown listing shape {paging.shape!r}")


def _object(key: str, records: bytes, extra: dict[str, Any]) -> Response:
    tail = orjson.dumps(extra)[1:] if extra else b"}"
    return Response(b'{"' + key.encode() + b'":' + records + (b"," + tail if extra else tail), content_type=JSON)


def _link_header(links: dict[str, str | None]) -> str:
    return ", ".join(f'<{url}>; rel="{rel}"' for rel, url in links.items() if url)
