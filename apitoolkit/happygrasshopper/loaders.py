"""Happy Grasshopper loaders: contacts, searched with the API's query parameters (combined with OR)."""

from __future__ import annotations

import difflib
from typing import Any

import pandas as pd

from apitoolkit.arguments import as_flag, as_optional_flag, filter_value
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.happygrasshopper.client import HappyGrasshopperClient
from apitoolkit.happygrasshopper.schema import CONTACTS, SEARCH_FIELDS
from apitoolkit.http.paginators import FlexiblePaginator, RequestSpec
from apitoolkit.loading import load_listing

__all__ = ["load_contacts"]

PAGE_SIZE = 100


def load_contacts(
    client: HappyGrasshopperClient | None = None,
    *,
    refresh: bool = False,
    progress: bool | None = None,
    **search: Any,
) -> pd.DataFrame:
    """Contacts; with search parameters, those matching any of them (the API combines them with OR).

    Args:
        client: The account (default: one from the environment).
        refresh: Fetch again and replace the cached copy.
        progress: Show a progress bar.
        **search: ``first_name``, ``last_name``, ``email``, ``phone``, ``company``, ``status``, ``tag``.

    Example:
        >>> load_contacts(company="Acme", tag="newsletter")  # doctest: +SKIP
    """
    as_flag(refresh, "refresh")
    as_optional_flag(progress, "progress")
    params: dict[str, str] = {}
    for name, value in search.items():
        if name not in SEARCH_FIELDS:
            close = difflib.get_close_matches(name, sorted(SEARCH_FIELDS), n=1)
            also = f" Did you mean {close[0]!r}?" if close else ""
            raise InvalidArgumentError(
                f"Happy Grasshopper contacts cannot be searched by {name!r}.{also} "
                f"Use {', '.join(sorted(SEARCH_FIELDS))}."
            )
        if value is not None:
            params[name] = filter_value(name, value, service="Happy Grasshopper", many=False)
    c = client if client is not None else HappyGrasshopperClient()
    if not isinstance(c, HappyGrasshopperClient):
        raise InvalidArgumentError(f"client must be a HappyGrasshopperClient, not {type(c).__name__}.")
    return load_listing(
        c,
        resource="contacts",
        spec=RequestSpec("contacts", params=params),
        schema=CONTACTS,
        paginator=FlexiblePaginator(PAGE_SIZE),
        refresh=refresh,
        progress=progress,
    )
