"""IT Glue loaders under every reading of the documents' ambiguities (emulator dialects) and the knowledge base.

Filter values with commas (escaped ``\\,``, lists "any of"), nested routes that ignore filters, and a wrong
key answered 403 (the reference) or 401.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np
import pytest

import apitoolkit
from apitoolkit.emulator import EmulatorServer
from apitoolkit.emulator.itglue import ITGlueService
from apitoolkit.exceptions import AuthenticationError, NotFoundError, PermissionDeniedError
from apitoolkit.itglue import ITGlueClient, load_expirations, load_organizations, load_resource, load_users
from tests.helpers import FAST_RETRY

#: Every reading of every IT Glue dialect, each test run once per reading (the others at their default).
READINGS = [(name, value) for name, values in ITGlueService.dialects.items() for value in values]
COMMA = "Kub, Reynolds and Gibson"  # the knowledge base's example
SLASH = "C:\\Clients\\Kub, Inc"


@pytest.fixture(params=READINGS, ids=[f"{name}={value}" for name, value in READINGS])
def dialect(request: pytest.FixtureRequest, itglue_dialect: Callable[[str, str], None]) -> tuple[str, str]:
    itglue_dialect(*request.param)
    return request.param


def _account(emulator: EmulatorServer) -> Any:
    backend = emulator.app.itglue
    return backend.accounts[backend.api_key]


def _rename(emulator: EmulatorServer, names: list[str]) -> list[int]:
    """Give the first organizations these names; their ids."""
    table = _account(emulator).tables["organizations"]
    table.update("name", np.arange(len(names)), np.array(names, dtype=object))
    return [int(i) for i in table.columns["id"][: len(names)]]


def _sent(emulator: EmulatorServer, path: str, name: str) -> list[str]:
    return [value for r in emulator.app.stats.requests if r.path == path for value in r.query.get(name, [])]


def test_load_organizations__name_with_a_comma_matches_exactly_that_record(
    itglue: ITGlueClient, emulator: EmulatorServer, dialect: tuple[str, str]
) -> None:
    ids = _rename(emulator, [COMMA, "Kub", " Reynolds and Gibson"])
    found = load_organizations(client=itglue, name=COMMA)
    assert found["id"].tolist() == [ids[0]] and found["name"].tolist() == [COMMA]
    assert _sent(emulator, "/organizations", "filter[name]") == ["Kub\\, Reynolds and Gibson"]


def test_load_organizations__a_list_means_any_of(
    itglue: ITGlueClient, emulator: EmulatorServer, dialect: tuple[str, str]
) -> None:
    ids = _rename(emulator, [COMMA, "Acme", "Kub"])
    found = load_organizations(client=itglue, name=[COMMA, "Acme"])
    assert sorted(found["id"]) == sorted(ids[:2])
    exclusion: dict[str, Any] = {"exclude[name]": [COMMA, "Acme"]}
    others = load_organizations(client=itglue, **exclusion)
    assert set(others["id"]) == {int(r["id"]) for r in _account(emulator).organizations} - set(ids[:2])


def test_load_organizations__a_backslash_round_trips(
    itglue: ITGlueClient, emulator: EmulatorServer, dialect: tuple[str, str]
) -> None:
    ids = _rename(emulator, [SLASH, "C:\\Clients\\Kub", " Inc"])
    found = load_organizations(client=itglue, name=SLASH)
    assert found["id"].tolist() == [ids[0]] and found["name"].tolist() == [SLASH]
    both = load_organizations(client=itglue, name={SLASH, "C:\\Clients\\Kub"})
    assert sorted(both["id"]) == sorted(ids[:2])


def test_load_users__filter_values_with_commas_are_escaped(
    itglue: ITGlueClient, emulator: EmulatorServer, dialect: tuple[str, str]
) -> None:
    user = _account(emulator).users[0]["attributes"]
    role = user["role-name"]
    found = load_users(client=itglue, role_name=[role, "No, such role"])
    truth = {int(r["id"]) for r in _account(emulator).users if r["attributes"]["role-name"] == role}
    assert set(found["id"]) == truth and truth
    assert _sent(emulator, "/users", "filter[role_name]")[-1] == f"{role},No\\, such role"


def _expected_expirations(emulator: EmulatorServer, organization: int, kind: str, lo: date, hi: date) -> set[int]:
    kept = set()
    for record in _account(emulator).expirations:
        a = record["attributes"]
        day = date.fromisoformat(a["expiration-date"][:10])
        if a["organization-id"] == organization and a["resource-type-name"] == kind and lo <= day <= hi:
            kept.add(int(record["id"]))
    return kept


def test_load_expirations__organization_filters_hold_whatever_the_nested_route_does(
    itglue: ITGlueClient, emulator: EmulatorServer, dialect: tuple[str, str]
) -> None:
    records = _account(emulator).expirations
    organization = records[0]["attributes"]["organization-id"]
    mine = [r["attributes"] for r in records if r["attributes"]["organization-id"] == organization]
    kind = mine[0]["resource-type-name"]
    days = sorted(date.fromisoformat(a["expiration-date"][:10]) for a in mine)
    lo, hi = days[0], days[len(days) // 2]
    frame = load_expirations(
        client=itglue, organization_id=organization, start=lo, end=hi.isoformat(), resource_type=kind
    )
    expected = _expected_expirations(emulator, organization, kind, lo, hi)
    assert set(frame["id"]) == expected and expected
    assert (frame["organization_id"] == organization).all()
    assert not [r for r in emulator.app.stats.requests if "relationships" in r.path]
    assert _sent(emulator, "/expirations", "filter[organization_id]") == [str(organization)]
    everything = load_expirations(client=itglue, organization_id=str(organization))  # type: ignore[arg-type]
    assert sorted(everything["id"]) == sorted(
        int(r["id"]) for r in records if r["attributes"]["organization-id"] == organization
    )


def test_load_expirations__unknown_organization_is_not_found(
    itglue: ITGlueClient, emulator: EmulatorServer, dialect: tuple[str, str]
) -> None:
    with pytest.raises(NotFoundError) as info:
        load_expirations(client=itglue, organization_id=987654321)
    assert info.value.status == 404


def test_load_resource__nested_route_with_filters_is_refused_before_any_request(
    itglue: ITGlueClient, emulator: EmulatorServer, dialect: tuple[str, str]
) -> None:
    route = "organizations/:organization_id/relationships/expirations"
    with pytest.raises(apitoolkit.InvalidArgumentError, match=r"filter\[organization_id\]") as info:
        load_resource(route, organization_id=1, resource_type_name="Domain", client=itglue)
    assert "load_resource('expirations'" in str(info.value)
    assert emulator.app.stats.snapshot()["total"] == 0


def test_load_resource__nested_route_without_filters_lists_the_organization(
    itglue: ITGlueClient, emulator: EmulatorServer, dialect: tuple[str, str]
) -> None:
    records = _account(emulator).expirations
    organization = records[0]["attributes"]["organization-id"]
    nested = load_resource(
        "organizations/:organization_id/relationships/expirations", organization_id=organization, client=itglue
    )
    top = load_resource("expirations", organization_id=organization, client=itglue)
    truth = sorted(int(r["id"]) for r in records if r["attributes"]["organization-id"] == organization)
    assert sorted(nested["id"].astype(int)) == sorted(top["id"].astype(int)) == truth


def test_client__wrong_key_is_refused_once_with_the_region_hint(
    emulator: EmulatorServer, dialect: tuple[str, str]
) -> None:
    status = int(dialect[1]) if dialect[0] == "wrong_key_status" else 403
    client = ITGlueClient(api_key="itg-wrong-key-0a1b2c3d", base_url=emulator.base_url("itglue"), retry=FAST_RETRY)
    with pytest.raises(AuthenticationError if status == 401 else PermissionDeniedError) as info:
        load_users(client=client)
    assert info.value.status == status
    assert "ITGLUE_API_KEY" in str(info.value) and "ITGLUE_REGION" in str(info.value)
    assert emulator.app.stats.snapshot()["total"] == 1
