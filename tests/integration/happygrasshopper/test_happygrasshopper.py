"""Happy Grasshopper client and contacts loader against the running emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

import apitoolkit
from apitoolkit.emulator import EmulatorServer
from apitoolkit.exceptions import AuthenticationError, InvalidRequestError, PermissionDeniedError
from apitoolkit.happygrasshopper import HappyGrasshopperClient, load_contacts
from apitoolkit.http import RequestSpec
from tests.helpers import FAST_RETRY, files_containing


@pytest.fixture
def hg(emulator: EmulatorServer) -> HappyGrasshopperClient:
    env = emulator.environ()
    return HappyGrasshopperClient(
        api_key=env["HAPPYGRASSHOPPER_API_KEY"], base_url=env["HAPPYGRASSHOPPER_BASE_URL"], retry=FAST_RETRY
    )


def test_load_contacts__every_contact_across_pages(hg: HappyGrasshopperClient, emulator: EmulatorServer) -> None:
    contacts = load_contacts(hg)
    requests = [r for r in emulator.app.stats.requests if r.service == "happygrasshopper"]
    assert len(contacts) >= 150 and contacts["id"].is_unique
    assert len(requests) == -(-len(contacts) // 100)
    assert str(contacts["created_at"].dtype) == "datetime64[us, UTC]"
    assert isinstance(contacts.loc[0, "tags"], list) and contacts["tags"].notna().all()


def test_load_contacts__search_is_or(hg: HappyGrasshopperClient) -> None:
    everyone = load_contacts(hg)
    company = str(everyone["company"].dropna().iloc[0])
    status = "unsubscribed"
    found = load_contacts(hg, company=company, status=status)
    expected = everyone[(everyone["company"] == company) | (everyone["status"] == status)]
    assert sorted(found["id"]) == sorted(expected["id"])


def test_load_contacts__unknown_search_parameter(hg: HappyGrasshopperClient, emulator: EmulatorServer) -> None:
    with pytest.raises(apitoolkit.InvalidArgumentError, match="Did you mean 'email'"):
        load_contacts(hg, emial="x@y.z")
    with pytest.raises(InvalidRequestError) as info:
        hg.request("GET", RequestSpec("contacts", params={"shoe": "9"}))
    assert info.value.status == 422


def test_happygrasshopper__bearer_key_never_stored(
    hg: HappyGrasshopperClient, emulator: EmulatorServer, cache_dir: Path
) -> None:
    load_contacts(hg)
    key = emulator.environ()["HAPPYGRASSHOPPER_API_KEY"]
    assert files_containing(cache_dir, key) == []
    assert key not in repr(hg)


def test_happygrasshopper__wrong_key_401_revoked_key_403(hg: HappyGrasshopperClient, emulator: EmulatorServer) -> None:
    env = emulator.environ()
    wrong = HappyGrasshopperClient(api_key="hg-wrong-0123456789abcdef", base_url=env["HAPPYGRASSHOPPER_BASE_URL"])
    with pytest.raises(AuthenticationError):
        load_contacts(wrong)
    emulator.app.happygrasshopper.revoke(env["HAPPYGRASSHOPPER_API_KEY"])
    with pytest.raises(PermissionDeniedError, match="revoked") as info:
        load_contacts(hg, refresh=True)
    assert info.value.status == 403


def test_happygrasshopper__single_contact(hg: HappyGrasshopperClient) -> None:
    first = load_contacts(hg).iloc[0]
    page = hg.request("GET", RequestSpec(f"contacts/{int(first['id'])}"))
    assert page.payload["data"]["email"] == first["email"]
