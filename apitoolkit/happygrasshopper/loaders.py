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
        >>> import tempfile
        >>> from apitoolkit.emulator import mock_emulator
        >>> with tempfile.TemporaryDirectory() as cache, mock_emulator(seed=1) as emu:  # an emulated Happy Grasshopper
        ...     client = HappyGrasshopperClient(
        ...         emu.app.happygrasshopper.api_key, base_url=emu.base_url("happygrasshopper"), cache=cache
        ...     )
        ...     contacts = load_contacts(client, company="Acme", tag="newsletter")
        >>> bool(contacts["tags"].map(lambda tags: "newsletter" in tags).all())  # no company is "Acme" here
        True
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
    return load_listing(
        HappyGrasshopperClient.resolve(client),
        resource="contacts",
        spec=RequestSpec("contacts", params=params),
        schema=CONTACTS,
        paginator=FlexiblePaginator(PAGE_SIZE),
        refresh=refresh,
        progress=progress,
    )
