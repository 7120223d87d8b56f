"""Case ``warm``: loading the same records again, from the HTTP cache, the frame cache or plain parquet.

The ``reparse`` contender reads the pages from a requests-cache SQLite file (WAL, as apitoolkit's sessions
use it), filled once in setup by sending each page through a `CachedSession` whose transport is a mock
adapter serving the stored bytes under fake URLs; it then flattens them again with ``pages_to_frame``.
``frame_cache`` reads the frame that setup stored with `FrameCache.put`; ``parquet_floor`` is
``pd.read_parquet`` of the same frame written by pandas.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import data
from benchmarks.harness import Case, Contender, Target, ratio

Work = Callable[[], Any]
BASE_URL = "https://bench.invalid/api/people"
FRAME_KEY = "people-bench"
TTL = 10 * 365 * 86400


def _directory(records: int) -> Path:
    return data.WORK / f"warm-{records}"


def _urls(pages: int) -> list[str]:
    return [f"{BASE_URL}?page[number]={n}&page[size]={data.PAGE_SIZE}" for n in range(1, pages + 1)]


def setup(records: int) -> None:
    """Fill the HTTP cache through a mock transport, store the frame in a FrameCache and as plain parquet."""
    import io
    from urllib.parse import parse_qs, urlsplit

    from requests import PreparedRequest, Response
    from requests.adapters import HTTPAdapter
    from requests_cache import CachedSession, SQLiteCache
    from urllib3 import HTTPResponse

    from apitoolkit.cache import FrameCache
    from apitoolkit.frames import pages_to_frame

    pages = data.load_pages(records)

    class PagesAdapter(HTTPAdapter):
        def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
            number = int(parse_qs(urlsplit(str(request.url)).query)["page[number]"][0])
            raw = HTTPResponse(
                body=io.BytesIO(pages[number - 1]),
                headers={"Content-Type": "application/vnd.api+json"},
                status=200,
                preload_content=False,
                request_url=request.url,
            )
            return self.build_response(request, raw)

    directory = _directory(records)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    session = CachedSession(backend=SQLiteCache(directory / "http.sqlite", wal=True), expire_after=-1)
    session.mount("https://bench.invalid/", PagesAdapter())
    for url in _urls(len(pages)):
        session.get(url).raise_for_status()
    session.close()

    frame = pages_to_frame(pages, data.schema())
    FrameCache(directory / "frames").put(FRAME_KEY, frame, ttl=TTL)
    frame.to_parquet(directory / "floor.parquet")


def reparse(records: int) -> Work:
    """Open the HTTP cache, read every page (``only_if_cached``: no network) and flatten them again."""
    from requests_cache import CachedSession, SQLiteCache

    from apitoolkit.frames import pages_to_frame

    path = _directory(records) / "http.sqlite"
    urls = _urls(-(-records // data.PAGE_SIZE))
    schema = data.schema()

    def work() -> Any:
        session = CachedSession(backend=SQLiteCache(path, wal=True), expire_after=-1)
        responses = [session.get(url, only_if_cached=True) for url in urls]
        session.close()
        if not all(r.status_code == 200 and getattr(r, "from_cache", False) for r in responses):
            raise RuntimeError("a page was missing from the HTTP cache: run the setup again")
        return pages_to_frame([r.content for r in responses], schema)

    return work


def frame_cache(records: int) -> Work:
    """``FrameCache.get(key).frame``."""
    from apitoolkit.cache import FrameCache

    cache = FrameCache(_directory(records) / "frames")

    def work() -> Any:
        cached = cache.get(FRAME_KEY)
        if cached is None:
            raise RuntimeError("the frame cache is empty: run the setup again")
        return cached.frame

    return work


def parquet_floor(records: int) -> Work:
    """``pd.read_parquet`` of the same frame."""
    import pandas as pd

    path = _directory(records) / "floor.parquet"
    return lambda: pd.read_parquet(path)


def build(records: int) -> Case:
    """The case for ``records`` records."""
    kwargs = {"records": records}
    here = __name__
    return Case(
        name="warm",
        contenders=[
            Contender("reparse", f"{here}:reparse", kwargs),
            Contender("frame_cache", f"{here}:frame_cache", kwargs),
            Contender("parquet_floor", f"{here}:parquet_floor", kwargs),
        ],
        setup=f"{here}:setup",
        setup_kwargs=kwargs,
        targets=[
            Target("frame_cache speed-up over reparse", ratio("reparse", "frame_cache"), ">=", 20),
            Target("frame_cache time / parquet_floor time", ratio("frame_cache", "parquet_floor"), "<=", 3),
        ],
    )
