"""Every IT Glue user into a DataFrame without apitoolkit: prepare functions of the ``itglue`` case's rivals.

Each prepare function resets the emulator that ``ITGLUE_BASE_URL`` points to (it must be on loopback), builds
its client (untimed) and returns the timed work: fetch all users with ``page[size]`` = ``page_size``, one page
after another as each client does, and flatten the records with ``pd.json_normalize``.

- `loop`: the notebook loop, ``requests.get`` following ``meta.next-page`` until a short page.
- `py_itglue`: py-itglue 0.2.6, ``ITGlueClient.iterate_resources``. Its ``users.list_all`` stops after page
  1: it waits for a ``meta.has-next-page`` that IT Glue never sends.
- `itglue_connection`: itglue 0.2.0, ``connection.get`` with ``page[size]``, then following ``links.next``.
  Its resource classes (``Organization.get()``) send no ``page[size]``, so they get the default 50 a page.
- `dlt_rest_client`: dlt's ``RESTClient`` with a ``PageNumberPaginator`` over ``meta.total-pages``.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

Work = Callable[[], Any]
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def fresh_emulator() -> tuple[str, str]:
    """Reset the emulator (data, stats, rate-limit window); return its IT Glue base URL and API key.

    Each run thus starts with the full rate-limit budget, as a user's first load would.

    Raises:
        RuntimeError: ``ITGLUE_BASE_URL`` is not on loopback: a benchmark sends traffic nowhere else.

    Example:
        >>> base_url, api_key = fresh_emulator()  # doctest: +SKIP
    """
    base_url = os.environ["ITGLUE_BASE_URL"]
    if urlsplit(base_url).hostname not in LOOPBACK:
        raise RuntimeError(f"ITGLUE_BASE_URL must be the emulator on loopback, not {base_url}")
    root = base_url.rsplit("/itglue", 1)[0]
    urllib.request.urlopen(urllib.request.Request(f"{root}/_emulator/reset", method="POST"), timeout=30)
    return base_url, os.environ["ITGLUE_API_KEY"]


def loop(page_size: int) -> Work:
    """What an analyst writes: ``requests`` page by page, then ``pd.json_normalize`` of the records."""
    import pandas as pd
    import requests

    base_url, api_key = fresh_emulator()

    def work() -> pd.DataFrame:
        records: list[dict[str, Any]] = []
        page: int | None = 1
        while page:
            response = requests.get(
                f"{base_url}/users",
                headers={"x-api-key": api_key},
                params={"page[size]": page_size, "page[number]": page},
                timeout=60,
            )
            response.raise_for_status()
            body = response.json()
            records.extend(body["data"])
            page = body["meta"]["next-page"] if len(body["data"]) == page_size else None
        return pd.json_normalize(records)

    return work


def py_itglue(page_size: int) -> Work:
    """py-itglue: ``iterate_resources("/users", page_size=...)`` into ``pd.json_normalize``."""
    import pandas as pd
    from itglue import ITGlueClient, ITGlueConfig  # type: ignore[import-not-found]

    base_url, api_key = fresh_emulator()
    # Explicit base_url: ITGlueConfig.from_environment() ignores ITGLUE_BASE_URL unless ITGLUE_REGION is unknown.
    client = ITGlueClient(ITGlueConfig(api_key=api_key, base_url=base_url))
    return lambda: pd.json_normalize(list(client.iterate_resources("/users", page_size=page_size)))


def itglue_connection(page_size: int) -> Work:
    """itglue: ``connection.get("/users", params={"page": {"size": ...}})`` into ``pd.json_normalize``."""
    import itglue
    import pandas as pd

    base_url, api_key = fresh_emulator()
    itglue.connection.set_credentials(api_key=api_key, api_url=base_url)
    return lambda: pd.json_normalize(itglue.connection.get("/users", params={"page": {"size": page_size}}))


def dlt_rest_client(page_size: int) -> Work:
    """dlt: ``RESTClient.paginate`` with a ``PageNumberPaginator``, pages into ``pd.json_normalize``."""
    # dlt starts an anonymous usage tracker (to its own server) on first use unless told not to.
    os.environ["RUNTIME__DLTHUB_TELEMETRY"] = "false"
    import pandas as pd
    from dlt.sources.helpers.rest_client import RESTClient  # type: ignore[import-not-found]
    from dlt.sources.helpers.rest_client.paginators import PageNumberPaginator  # type: ignore[import-not-found]

    base_url, api_key = fresh_emulator()
    paginator = PageNumberPaginator(base_page=1, page_param="page[number]", total_path="meta.total-pages")
    client = RESTClient(base_url=base_url, headers={"x-api-key": api_key}, paginator=paginator, data_selector="data")

    def work() -> pd.DataFrame:
        records: list[dict[str, Any]] = []
        for page in client.paginate("/users", params={"page[size]": page_size}):
            records.extend(page)
        return pd.json_normalize(records)

    return work
