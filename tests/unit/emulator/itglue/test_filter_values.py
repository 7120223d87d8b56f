"""IT Glue filter values as the knowledge base reads them (escaped commas, lists), and nested routes' filters."""

from __future__ import annotations

import numpy as np
import pytest

from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.itglue import ITGlueAccount
from apitoolkit.emulator.itglue.query import split_values
from tests.helpers import Api, attr

COMMA = "Kub, Reynolds and Gibson"  # the knowledge base's example
SLASH = "Back\\slash, Inc"


def _rename(account: ITGlueAccount, names: list[str]) -> None:
    account.tables["organizations"].update("name", np.arange(len(names)), np.array(names, dtype=object))


@pytest.mark.parametrize(
    ("raw", "values"),
    [
        ("Acme", ["Acme"]),
        ("a,b", ["a", "b"]),
        ("Kub\\, Reynolds and Gibson", ["Kub, Reynolds and Gibson"]),
        ("Kub\\, Reynolds and Gibson,Kub", ["Kub, Reynolds and Gibson", "Kub"]),
        ("C:\\\\temp,x", ["C:\\temp", "x"]),
        ("a\\\\,b", ["a\\", "b"]),
        ("end\\", ["end\\"]),
    ],
)
def test_split_values__unescaped_commas_split_and_backslash_keeps_the_next(raw: str, values: list[str]) -> None:
    assert split_values(raw) == values


def test_filter__name_with_escaped_comma_matches_exactly_that_record(api: Api, account: ITGlueAccount) -> None:
    _rename(account, [COMMA, "Kub", " Reynolds and Gibson"])
    found = api.all("/organizations", **{"filter[name]": "Kub\\, Reynolds and Gibson"})
    assert [attr(record, "name") for record in found] == [COMMA]
    unescaped = api.all("/organizations", **{"filter[name]": COMMA})  # read as two names, "any of"
    assert sorted(attr(record, "name") for record in unescaped) == [" Reynolds and Gibson", "Kub"]


def test_filter__list_means_any_of_and_exclude_inverts_it(api: Api, account: ITGlueAccount) -> None:
    _rename(account, [COMMA, "Acme", SLASH])
    wanted = "Kub\\, Reynolds and Gibson,Acme,Back\\\\slash\\, Inc"
    found = api.all("/organizations", **{"filter[name]": wanted})
    assert sorted(attr(record, "name") for record in found) == sorted([COMMA, "Acme", SLASH])
    rest = api.all("/organizations", **{"filter[exclude][name]": wanted})
    assert len(rest) == len(api.all("/organizations")) - 3
    assert not {COMMA, "Acme", SLASH} & {attr(record, "name") for record in rest}


@pytest.mark.parametrize("reading", [None, "ignore", "apply"])
def test_organization_expirations__filters_ignored_or_applied_as_the_dialect_says(
    app: EmulatorApp, api: Api, reading: str | None
) -> None:
    app.configure(service="itglue", dialect={"nested_route_filters": reading})
    expirations = api.all("/expirations")
    organization = attr(expirations[0], "organization-id")
    mine = [e for e in expirations if attr(e, "organization-id") == organization]
    one = mine[0]["id"]
    served = api.all(f"/organizations/{organization}/relationships/expirations", **{"filter[id]": one})
    assert served == ([mine[0]] if reading == "apply" else mine) and len(mine) > 1
    refused = api.get(f"/organizations/{organization}/relationships/expirations", **{"filter[shoe]": "9"})
    assert refused.status_code == 400  # still validated when ignored
