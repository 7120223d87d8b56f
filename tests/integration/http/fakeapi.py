"""A small JSON:API service for the HTTP layer's tests: pages by number, faults queued per request."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from apitoolkit.frames import Schema
from apitoolkit.http import JsonApiPaginator, RequestSpec
from apitoolkit.http.retry import RetryPolicy
from apitoolkit.loading import load_listing

SECRET_A = "sk-A-7f3c9e1b2d4a6f8e0c1b3d5f7a9e2c4b"
SECRET_B = "sk-B-0a2c4e6f8b1d3f5a7c9e1b3d5f7a9c2e"

USERS = Schema.jsonapi_resource(
    "users", [("first-name", "str"), ("reputation", "int"), ("created-at", "datetime"), ("my-glue", "bool")]
)


def user(i: int, tag: str = "A") -> dict[str, Any]:
    return {
        "id": str(i),
        "type": "users",
        "attributes": {
            "first-name": f"{tag}{i}",
            "reputation": i * 10,
            "created-at": "2026-01-01T00:00:00.000Z",
            "my-glue": i % 2 == 0,
        },
        "relationships": {},
    }


#: A fault answers a request in place of the service (or returns None to let the service answer).
Fault = Callable[[Request], Response | None]


@dataclass
class FakeJsonApi:
    """Pages ``records[key]`` by ``page[number]``/``page[size]``; faults are queued per request."""

    records: dict[str, list[dict[str, Any]]]
    latency: float = 0.0
    with_total: bool = True
    faults: list[Fault] = field(default_factory=list)
    log: list[Request] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Request) -> Response:
        with self._lock:
            self.log.append(request)
            self.arrivals.append(time.time())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            fault = self.faults.pop(0) if self.faults else None
        try:
            if self.latency:
                time.sleep(self.latency)
            if fault is not None:
                response = fault(request)
                if response is not None:
                    return response
            return self.serve(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    def serve(self, request: Request) -> Response:
        key = request.headers.get("x-api-key")
        if key not in self.records:
            return jsonapi_error(401, "Unauthorized", "Invalid API key")
        data = self.records[key]
        number = int(request.args.get("page[number]", 1))
        size = int(request.args.get("page[size]", 50))
        total = max(1, -(-len(data) // size))
        meta: dict[str, Any] = {
            "current-page": number,
            "next-page": number + 1 if number < total else None,
            "prev-page": number - 1 if number > 1 else None,
            "total-count": len(data),
        }
        if self.with_total:
            meta["total-pages"] = total
        body = {
            "data": data[(number - 1) * size : number * size],
            "meta": meta,
            # Deliberately wrong, as the IT Glue docs show: clients must not follow links.
            "links": {"next": None, "last": "http://wrong.invalid/?page[number]=17958"},
        }
        return Response(json.dumps(body, separators=(",", ":")), content_type="application/vnd.api+json")

    def max_in_window(self, seconds: float) -> int:
        times = sorted(self.arrivals)
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best

    def count(self, path: str | None = None) -> int:
        return sum(1 for r in self.log if path is None or r.path == path)


def jsonapi_error(status: int, title: str, detail: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"errors": [{"status": str(status), "title": title, "detail": detail}]})
    return Response(body, status=status, content_type="application/vnd.api+json", headers=headers or {})


def html_page(status: int = 502) -> Response:
    return Response("<html><body><h1>502 Bad Gateway</h1>nginx</body></html>", status=status, content_type="text/html")


FAST_RETRY = RetryPolicy(max_attempts=4, backoff=0.01, max_backoff=0.05, max_retry_after=2.0, jitter=0.0)


def load_users(client: Any, *, page_size: int = 100, **kwargs: Any) -> Any:
    """Every user of the fake service through `load_listing`, ``page_size`` a page."""
    return load_listing(
        client,
        resource="users",
        spec=RequestSpec("users"),
        schema=USERS,
        paginator=JsonApiPaginator(page_size=page_size),
        **kwargs,
    )


def cached_responses(cache_dir: Path) -> int:
    """Responses stored in the HTTP cache files under ``cache_dir``."""
    total = 0
    for db in (cache_dir / "http").glob("*.sqlite"):
        with sqlite3.connect(db) as con:
            total += con.execute("select count(*) from responses").fetchone()[0]
    return total
