"""Arguments checked at the door: every bad one raises InvalidArgumentError, saying what is accepted, before any
request; good ones of every accepted kind still load."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
import pytest

from apitoolkit import glasshat, happygrasshopper, hitask, itglue
from apitoolkit.arguments import as_id, as_range, as_timestamp, filter_value
from apitoolkit.config import RateLimit, resolve_config, validate_expire_after
from apitoolkit.emulator import mock_emulator
from apitoolkit.exceptions import ConfigurationError, InvalidArgumentError
from tests.helpers import EMULATOR_NOW, FAST_RETRY

NOW = EMULATOR_NOW  # the in-process emulator's clock (tests/unit/conftest.py)


@pytest.fixture
def emu(emulator_in_process: mock_emulator) -> mock_emulator:
    """The emulator back to its seed state, with no request counted."""
    emulator_in_process.app.reset()
    return emulator_in_process


@pytest.fixture
def clients(emu: mock_emulator) -> dict[str, Any]:
    """A client of every service, pointed at the emulator (each test has its own cache directory)."""
    env = emu.environ()
    return {
        "itglue": itglue.ITGlueClient(env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY),
        "hitask": hitask.HitaskClient(
            env["HITASK_API_KEY"],
            env["HITASK_LOGIN"],
            env["HITASK_PASSWORD"],
            base_url=env["HITASK_BASE_URL"],
            retry=FAST_RETRY,
        ),
        "glasshat": glasshat.GlasshatClient(
            env["GLASSHAT_API_KEY"], base_url=env["GLASSHAT_BASE_URL"], retry=FAST_RETRY
        ),
        "happygrasshopper": happygrasshopper.HappyGrasshopperClient(
            env["HAPPYGRASSHOPPER_API_KEY"], base_url=env["HAPPYGRASSHOPPER_BASE_URL"], retry=FAST_RETRY
        ),
    }


def sent(emu: mock_emulator) -> int:
    return int(emu.app.stats.snapshot()["total"])


def refused(emu: mock_emulator, call: Callable[[], Any], phrase: str) -> str:
    """Run ``call``, expect InvalidArgumentError with ``phrase`` in its message and no request sent; the message."""
    with pytest.raises(InvalidArgumentError) as info:
        call()
    message = str(info.value)
    assert phrase in message
    assert sent(emu) == 0, "a request was sent before the argument was refused"
    return message


def queries(emu: mock_emulator, path: str) -> list[dict[str, list[str]]]:
    return [r.query for r in emu.app.stats.requests if r.path == path]


# --------------------------------------------------------------------------------------------- ids
BAD_IDS = ["²", "١٢", "12a", " 12", "", -1, 1.5, True, False, b"12", [12], {"id": 12}, float("nan"), 2**63]


@pytest.mark.parametrize("value", BAD_IDS, ids=repr)
@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("itglue", lambda c, v: itglue.load_expirations(c, organization_id=v)),
        (
            "itglue",
            lambda c, v: itglue.load_resource(
                "organizations/:organization_id/relationships/contacts", client=c, organization_id=v
            ),
        ),
        ("hitask", lambda c, v: hitask.load_item_history(v, client=c)),
        ("glasshat", lambda c, v: glasshat.load_projects(v, client=c)),
        ("glasshat", lambda c, v: glasshat.load_tasks(v, client=c)),
    ],
    ids=["expirations", "resource-path", "item-history", "projects", "tasks"],
)
def test_ids__refused_before_any_request(
    emu: mock_emulator, clients: dict[str, Any], service: str, call: Callable[..., Any], value: Any
) -> None:
    message = refused(emu, lambda: call(clients[service], value), "is not a numeric id")
    assert "whole number of 0 or more" in message and "digits 0-9" in message


@pytest.mark.parametrize("kind", [int, str, np.int64, float], ids=lambda kind: kind.__name__)
def test_ids__ints_digit_strings_and_whole_floats_load(
    emu: mock_emulator, clients: dict[str, Any], kind: Callable[[int], Any]
) -> None:
    organization = int(emu.app.itglue.accounts[emu.app.itglue.api_key].organizations[0]["id"])
    itglue.load_expirations(clients["itglue"], organization_id=kind(organization))
    first = emu.app.stats.requests[0]  # the top-level endpoint: nested routes ignore filters (issue 14, item 6)
    assert (first.path, first.query["filter[organization_id]"]) == ("/expirations", [str(organization)])


def test_as_id__bounds() -> None:
    assert as_id("0", "id") == 0 and as_id(2**63 - 1, "id") == 2**63 - 1


# --------------------------------------------------------------------------------------------- resource names
@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        (None, "is not an IT Glue list endpoint: give one as text"),
        ("", "is not an IT Glue list endpoint: give one as text"),
        ("   ", "is not an IT Glue list endpoint: give one as text"),
        (5, "is not an IT Glue list endpoint: give one as text"),
        (b"configurations", "is not an IT Glue list endpoint: give one as text"),
        (["configurations"], "is not an IT Glue list endpoint: give one as text"),
        ("configuration", "Did you mean 'configurations'"),
        ("../users", "is not an IT Glue list endpoint"),
    ],
    ids=repr,
)
def test_resource_name__refused_before_any_request(
    emu: mock_emulator, clients: dict[str, Any], name: Any, phrase: str
) -> None:
    message = refused(emu, lambda: itglue.load_resource(name, client=clients["itglue"]), phrase)
    assert "LIST_ENDPOINTS" in message


def test_resource_name__surrounding_spaces_and_slashes_are_fine(emu: mock_emulator, clients: dict[str, Any]) -> None:
    itglue.load_resource(" /organizations/ ", client=clients["itglue"])
    assert [r.path for r in emu.app.stats.requests] == ["/organizations"]


# --------------------------------------------------------------------------------------------- dates
OUT_OF_RANGE = "outside the dates apitoolkit accepts: give one from 1900-01-01 to 2100-12-31"
NOT_A_NUMBER = "numbers are never read as dates"
BAD_DATES = [
    ("9999-12-25", OUT_OF_RANGE),
    ("2101-01-01", OUT_OF_RANGE),
    ("1899-12-31T23:59:59Z", OUT_OF_RANGE),
    (date(9999, 12, 31), OUT_OF_RANGE),
    (datetime(1, 1, 1), OUT_OF_RANGE),
    (pd.Timestamp("2200-01-01"), OUT_OF_RANGE),
    (np.datetime64("2500-01-01"), OUT_OF_RANGE),
    (20261101, NOT_A_NUMBER),
    (1_700_000_000, NOT_A_NUMBER),
    (2026.5, NOT_A_NUMBER),
    (np.int64(20261101), NOT_A_NUMBER),
    (True, "is True or False, not a date"),
    (b"2026-11-01", "is not a date: use a date, a datetime, a pandas Timestamp or an ISO 8601 string"),
    ([date(2026, 11, 1)], "is not a date: use a date"),
    ("11/01/2026", "is not a date in ISO 8601 form: use 'YYYY-MM-DD'"),
    ("1 Nov 2026", "is not a date in ISO 8601 form"),
    ("", "is not a date in ISO 8601 form"),
    ("２０２６-11-01", "is not a date in ISO 8601 form"),
    ("2026-02-30", "is not a date in ISO 8601 form"),
    (pd.NaT, "is missing (NaT)"),
    (np.datetime64("NaT"), "is missing (NaT)"),
]


@pytest.mark.parametrize(("value", "phrase"), BAD_DATES, ids=repr)
@pytest.mark.parametrize(
    ("argument", "call"),
    [
        ("start", lambda c, v: itglue.load_user_metrics(start=v, end="2026-11-30", client=c)),
        ("end", lambda c, v: itglue.load_user_metrics("2026-11-01", v, client=c)),
        ("start", lambda c, v: itglue.load_logs(start=v, client=c)),
        ("end", lambda c, v: itglue.load_logs(end=v, client=c)),
        ("start", lambda c, v: itglue.load_expirations(c, start=v)),  # type: ignore[misc]
        ("end", lambda c, v: itglue.load_expirations(c, end=v)),
        ("now", lambda c, v: itglue.load_expirations(c, now=v)),
    ],
    ids=["metrics-start", "metrics-end", "logs-start", "logs-end", "expirations-start", "expirations-end", "now"],
)
def test_dates__refused_before_any_request(
    emu: mock_emulator, clients: dict[str, Any], argument: str, call: Callable[..., Any], value: Any, phrase: str
) -> None:
    message = refused(emu, lambda: call(clients["itglue"], value), phrase)
    assert message.startswith(argument)


def test_dates__start_after_end_still_refused(emu: mock_emulator, clients: dict[str, Any]) -> None:
    refused(emu, lambda: itglue.load_user_metrics("2026-11-30", "2026-11-01", client=clients["itglue"]), "swap them")


@pytest.mark.parametrize(
    "start",
    [
        "2026-11-02",
        " 2026-11-02 ",
        "2026-11-02T10:00:00Z",
        "2026-11-02T11:00:00+01:00",
        "2026-11-02 10:00",
        date(2026, 11, 2),
        datetime(2026, 11, 2, 10),
        datetime(2026, 11, 2, 5, tzinfo=timezone(timedelta(hours=-5))),
        pd.Timestamp("2026-11-02"),
        pd.Timestamp("2026-11-02 11:00", tz="Europe/Paris"),
        np.datetime64("2026-11-02"),
    ],
    ids=repr,
)
def test_dates__every_accepted_kind_loads(emu: mock_emulator, clients: dict[str, Any], start: Any) -> None:
    itglue.load_user_metrics(start, date(2026, 11, 8), client=clients["itglue"])
    assert [q["filter[date]"] for q in queries(emu, "/user_metrics")] == [["2026-11-02,2026-11-08"]]


def test_as_timestamp__naive_is_utc_and_aware_is_converted() -> None:
    expected = pd.Timestamp("2026-11-01 10:00", tz="UTC")
    assert as_timestamp("2026-11-01T10:00:00Z", "start") == expected
    assert as_timestamp(datetime(2026, 11, 1, 10), "start") == expected
    assert as_timestamp("2026-11-01T11:00:00+01:00", "start") == expected
    assert str(as_timestamp(date(2026, 11, 1), "start").tz) == "UTC"


# --------------------------------------------------------------------------------------------- filters
BAD_FILTERS = [
    ("itglue", lambda c: itglue.load_users(c, email=b"abc"), "filter email=b'abc' is bytes"),
    ("itglue", lambda c: itglue.load_users(c, email=bytearray(b"abc")), "filter email=bytearray"),
    ("itglue", lambda c: itglue.load_users(c, email={"a": 1}), "filter email={'a': 1} is a dict"),
    ("itglue", lambda c: itglue.load_users(c, email=""), "filter email='' is empty"),
    ("itglue", lambda c: itglue.load_users(c, id=[1, [2]]), "holds a list inside the list"),
    ("itglue", lambda c: itglue.load_users(c, id=[1, None]), "holds None"),
    ("itglue", lambda c: itglue.load_users(c, id={1, b"x"}), "holds bytes (b'x')"),
    ("itglue", lambda c: itglue.load_users(c, id=[1, {"x": 2}]), "holds dict"),
    ("itglue", lambda c: itglue.load_users(c, id=[]), "filter id= is an empty list"),
    ("itglue", lambda c: itglue.load_users(c, id=True), "filter id=True is not a value IT Glue accepts"),
    ("itglue", lambda c: itglue.load_users(c, id=1.5), "filter id=1.5 is not a value IT Glue accepts"),
    ("itglue", lambda c: itglue.load_users(c, id=date(2026, 11, 1)), "is not a value IT Glue accepts"),
    ("itglue", lambda c: itglue.load_users(c, id=object()), "is not a value IT Glue accepts"),
    ("itglue", lambda c: itglue.load_organizations(c, primary=1), "filter primary=1 is not a value"),
    ("itglue", lambda c: itglue.load_organizations(c, created_at=20261101), "filter created_at=20261101"),
    ("itglue", lambda c: itglue.load_organizations(c, created_at=pd.NaT), "filter created_at is missing"),
    ("itglue", lambda c: itglue.load_user_metrics(user_id=[1, b"2"], client=c), "filter user_id=[1, b'2'] holds"),  # type: ignore[list-item]
    ("itglue", lambda c: itglue.load_user_metrics(user_id=np.array([[1]]), client=c), "list inside the list"),
    ("itglue", lambda c: itglue.load_expirations(c, resource_type=b"Domain"), "filter resource_type=b'Domain'"),  # type: ignore[arg-type]
    (
        "itglue",
        lambda c: itglue.load_resource("configurations", client=c, serial_number=b"x"),
        "filter serial_number=b'x' is bytes",
    ),
    ("happygrasshopper", lambda c: happygrasshopper.load_contacts(c, email=b"abc"), "filter email=b'abc' is bytes"),
    ("happygrasshopper", lambda c: happygrasshopper.load_contacts(c, tag=["a", "b"]), "is a list"),
    ("happygrasshopper", lambda c: happygrasshopper.load_contacts(c, status=True), "is not a value"),
]


@pytest.mark.parametrize(("service", "call", "phrase"), BAD_FILTERS, ids=[p for _, _, p in BAD_FILTERS])
def test_filters__refused_naming_the_filter_and_what_it_accepts(
    emu: mock_emulator, clients: dict[str, Any], service: str, call: Callable[..., Any], phrase: str
) -> None:
    message = refused(emu, lambda: call(clients[service]), phrase)
    assert any(words in message for words in ("text or a whole number", "True, False", "a date", "leave it out"))


@pytest.mark.parametrize(
    ("filters", "sent_as"),
    [
        ({"email": "ann@example.com"}, {"filter[email]": ["ann@example.com"]}),
        ({"id": 7}, {"filter[id]": ["7"]}),
        ({"id": np.int64(7)}, {"filter[id]": ["7"]}),
        ({"id": [7, "8"]}, {"filter[id]": ["7,8"]}),
        ({"id": (7, 8)}, {"filter[id]": ["7,8"]}),
        ({"id": {8, 7}}, {"filter[id]": ["7,8"]}),
        ({"id": pd.Series([7, 8])}, {"filter[id]": ["7,8"]}),
        ({"id": None}, {}),
    ],
    ids=["text", "int", "numpy-int", "list", "tuple", "set", "series", "none"],
)
def test_filters__accepted_kinds_are_sent(
    emu: mock_emulator, clients: dict[str, Any], filters: dict[str, Any], sent_as: dict[str, list[str]]
) -> None:
    itglue.load_users(clients["itglue"], **filters)
    [query] = queries(emu, "/users")
    assert {k: v for k, v in query.items() if k.startswith("filter[")} == sent_as


def test_filters__booleans_and_dates_where_the_filter_takes_them(emu: mock_emulator, clients: dict[str, Any]) -> None:
    itglue.load_organizations(clients["itglue"], primary=True, created_at=[date(2026, 1, 1), "2026-11-01"])
    [query] = queries(emu, "/organizations")
    assert query["filter[primary]"] == ["true"]
    assert query["filter[created_at]"] == ["2026-01-01,2026-11-01"]


def test_filter_value__unknown_filters_take_every_kind() -> None:
    assert filter_value("archived", False, kind="any") == "false"
    assert filter_value("updated_at", datetime(2026, 11, 1, 10), kind="any") == "2026-11-01T10:00:00"
    assert filter_value("id", [3, "4"], kind="any") == "3,4"


# --------------------------------------------------------------------------------------------- options
BAD_OPTIONS = [
    ("itglue", lambda c: itglue.load_users(c, refresh="no"), "refresh='no' is not True or False"),  # type: ignore[arg-type]
    ("itglue", lambda c: itglue.load_users(c, refresh=1), "refresh=1 is not True or False"),  # type: ignore[arg-type]
    ("itglue", lambda c: itglue.load_users(c, progress="yes"), "progress='yes' is not True, False or None"),  # type: ignore[arg-type]
    ("itglue", lambda c: itglue.load_organizations(c, refresh=None), "refresh=None is not True or False"),  # type: ignore[arg-type]
    ("itglue", lambda c: itglue.load_expirations(c, refresh="false"), "refresh='false' is not True or False"),  # type: ignore[arg-type]
    ("itglue", lambda c: itglue.load_user_metrics(client=c, progress=0), "progress=0 is not True, False or None"),  # type: ignore[arg-type]
    ("itglue", lambda c: itglue.load_logs(client=c, refresh="yes"), "refresh='yes' is not True or False"),  # type: ignore[arg-type]
    ("itglue", lambda c: itglue.load_resource("groups", client=c, refresh="y"), "refresh='y' is not True or False"),  # type: ignore[arg-type]
    ("hitask", lambda c: hitask.load_items(c, refresh="no"), "refresh='no' is not True or False"),  # type: ignore[arg-type]
    ("hitask", lambda c: hitask.load_items(c, include_completed="no"), "include_completed='no' is not True"),  # type: ignore[arg-type]
    ("hitask", lambda c: hitask.load_items(c, category=5), "category=5 is not a Hitask category"),  # type: ignore[arg-type]
    ("hitask", lambda c: hitask.load_items(c, category=[b"task"]), "is not a Hitask category"),  # type: ignore[list-item]
    ("hitask", lambda c: hitask.load_items(c, category=[]), "is not a Hitask category"),
    ("hitask", lambda c: hitask.load_items(c, category="chore"), "Unknown Hitask categories ['chore']"),
    ("hitask", lambda c: hitask.load_tags(c, refresh="no"), "refresh='no' is not True or False"),  # type: ignore[arg-type]
    ("glasshat", lambda c: glasshat.load_clients(c, refresh="no"), "refresh='no' is not True or False"),  # type: ignore[arg-type]
    ("glasshat", lambda c: glasshat.load_tasks(client=c, progress="on"), "progress='on' is not True, False"),  # type: ignore[arg-type]
    ("happygrasshopper", lambda c: happygrasshopper.load_contacts(c, refresh=2), "refresh=2 is not True or False"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("service", "call", "phrase"), BAD_OPTIONS, ids=[p for _, _, p in BAD_OPTIONS])
def test_options__refused_before_any_request(
    emu: mock_emulator, clients: dict[str, Any], service: str, call: Callable[..., Any], phrase: str
) -> None:
    refused(emu, lambda: call(clients[service]), phrase)


def test_options__numpy_booleans_and_category_lists_are_fine(emu: mock_emulator, clients: dict[str, Any]) -> None:
    items = hitask.load_items(clients["hitask"], category=("task", "event"), include_completed=np.bool_(False))  # type: ignore[arg-type]
    assert set(items["category"].astype(str)) <= {"task", "event"}


# --------------------------------------------------------------------------------------------- client settings
BAD_SETTINGS = [
    ({"max_workers": "6"}, "max_workers='6' is not a whole number of 1 or more"),
    ({"max_workers": 6.0}, "max_workers=6.0 is not a whole number"),
    ({"max_workers": True}, "max_workers=True is not a whole number"),
    ({"max_workers": 0}, "max_workers=0 is not a whole number of 1 or more"),
    ({"rate_limit": (1,)}, "rate_limit=(1,) is not a rate limit: give (requests, seconds)"),
    ({"rate_limit": (0, 1.0)}, "rate_limit=(0, 1.0) is not a rate limit"),
    ({"rate_limit": (1.5, 1.0)}, "rate_limit=(1.5, 1.0) is not a rate limit"),
    ({"rate_limit": (10, -1)}, "rate_limit=(10, -1) is not a rate limit"),
    ({"rate_limit": (10, float("inf"))}, "rate_limit=(10, inf) is not a rate limit"),
    ({"rate_limit": (10, "60")}, "rate_limit=(10, '60') is not a rate limit"),
    ({"rate_limit": "10/60"}, "rate_limit='10/60' is not a rate limit"),
    ({"rate_limit": (1, 2, 3)}, "rate_limit=(1, 2, 3) is not a rate limit"),
    ({"timeout": -1}, "timeout=-1 is not a number of seconds: give a finite number more than 0"),
    ({"timeout": 0}, "timeout=0 is not a number of seconds"),
    ({"timeout": float("nan")}, "timeout=nan is not a number of seconds"),
    ({"timeout": float("inf")}, "timeout=inf is not a number of seconds"),
    ({"timeout": "30"}, "timeout='30' is not a number of seconds"),
    ({"timeout": True}, "timeout=True is not a number of seconds"),
    ({"lock_timeout": -1}, "lock_timeout=-1 is not a number of seconds: give a finite number 0 or more"),
    ({"lock_timeout": float("inf")}, "lock_timeout=inf is not a number of seconds"),
    ({"lock_timeout": True}, "lock_timeout=True is not a number of seconds"),
    ({"deadline": 0}, "deadline=0 is not a number of seconds"),
    ({"deadline": float("nan")}, "deadline=nan is not a number of seconds"),
    ({"max_body_size": 0}, "max_body_size=0 is not a whole number of 1 or more"),
    ({"max_body_size": 1e6}, "max_body_size=1000000.0 is not a whole number"),
    ({"offline": "maybe"}, "offline='maybe' is not understood: pass offline=True or offline=False"),
    ({"offline": 2}, "offline=2 is not understood"),
    ({"offline": ""}, "offline='' is not understood"),
    ({"cache": b"/tmp/cache"}, "cache= (a value of type bytes) is not a cache location: give a directory"),
    ({"cache": 5}, "cache= (a value of type int) is not a cache location"),
    ({"cache": False}, "cache= (a value of type bool) is not a cache location"),
    ({"cache": ""}, "cache= (empty text) is not a cache location"),
    ({"cache": "memcached://host"}, "cache=memcached://… is not a supported cache"),
    ({"region": "mars"}, "Unknown IT Glue region 'mars': use one of au, eu, us"),
    ({"region": 3}, "region= (a value of type int) is not text"),
    ({"base_url": b"https://api.itglue.com"}, "base_url= (a value of type bytes) is not text"),
    ({"base_url": "api.itglue.com"}, "base_url='api.itglue.com' is not an http(s) URL"),
]


@pytest.mark.parametrize(("options", "phrase"), BAD_SETTINGS, ids=[p for _, p in BAD_SETTINGS])
def test_client_settings__refused_as_invalid_arguments(options: dict[str, Any], phrase: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        itglue.ITGlueClient("key", **options)
    assert phrase in str(info.value)
    assert isinstance(info.value, ConfigurationError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "make",
    [
        lambda: hitask.HitaskClient("k", "l", "p", max_workers="6"),  # type: ignore[arg-type]
        lambda: glasshat.GlasshatClient("k", timeout=-1),
        lambda: happygrasshopper.HappyGrasshopperClient("k", rate_limit=(1,)),  # type: ignore[arg-type]
    ],
    ids=["hitask", "glasshat", "happygrasshopper"],
)
def test_client_settings__every_service_checks_them(make: Callable[[], Any]) -> None:
    with pytest.raises(InvalidArgumentError, match="is not"):
        make()


def test_client_settings__bad_argument_is_named_before_missing_credentials() -> None:
    with pytest.raises(InvalidArgumentError, match="max_workers"):
        itglue.ITGlueClient(max_workers="6")  # type: ignore[arg-type]


def test_client_settings__messages_never_show_a_secret() -> None:
    with pytest.raises(InvalidArgumentError, match="api_key must be text") as info:
        resolve_config("itglue", credentials={"api_key": b"s3cret-key"})  # type: ignore[dict-item]
    assert "s3cret" not in str(info.value)
    with pytest.raises(InvalidArgumentError) as info:
        resolve_config("itglue", credentials={"api_key": "k"}, cache=b"redis://:s3cret-pw@host/0")  # type: ignore[arg-type]
    assert "s3cret" not in str(info.value)
    with pytest.raises(InvalidArgumentError, match="redis://") as info:
        resolve_config("itglue", credentials={"api_key": "k"}, cache="redis://:s3cret-pw@:6379/0")
    assert "s3cret" not in str(info.value)
    with pytest.raises(InvalidArgumentError, match="is not an http") as info:
        resolve_config("itglue", credentials={"api_key": "k"}, base_url="ann:s3cret-pw@api.example.com")
    assert "s3cret" not in str(info.value)


def test_client_settings__environment_errors_stay_configuration_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APITOOLKIT_OFFLINE", "maybe")
    with pytest.raises(ConfigurationError, match="APITOOLKIT_OFFLINE") as info:
        resolve_config("itglue", credentials={"api_key": "k"})
    assert not isinstance(info.value, InvalidArgumentError)
    monkeypatch.delenv("APITOOLKIT_OFFLINE")
    monkeypatch.setenv("ITGLUE_REGION", "mars")
    with pytest.raises(ConfigurationError, match="ITGLUE_REGION") as info:
        resolve_config("itglue", credentials={"api_key": "k"})
    assert not isinstance(info.value, InvalidArgumentError)


def test_client_settings__every_accepted_kind() -> None:
    cfg = resolve_config(
        "itglue",
        credentials={"api_key": "k"},
        cache="off",
        offline="yes",
        rate_limit=[10, 1],
        timeout=2.5,
        max_workers=np.int64(3),  # type: ignore[arg-type]
        lock_timeout=0,
        deadline=10,
        max_body_size=1024,
    )
    assert (cfg.offline, cfg.rate_limit, cfg.timeout, cfg.max_workers) == (True, RateLimit(10, 1.0), 2.5, 3)
    assert (cfg.lock_timeout, cfg.deadline, cfg.max_body_size) == (0.0, 10.0, 1024)
    assert type(cfg.max_workers) is int and type(cfg.rate_limit.period) is float
    assert (
        resolve_config("itglue", credentials={"api_key": "k"}, offline=" OFF ", rate_limit=RateLimit(5, 2)).offline
        is False
    )


# --------------------------------------------------------------------------------------------- expire_after
EXPIRE_AFTER_ACCEPTS = "give seconds (a finite number, 0 or more, such as 3600), seconds per resource"


@pytest.mark.parametrize(
    "value",
    [{"users": "x"}, "600", b"600", True, -1, float("nan"), float("inf"), [600], {1: 600}, {"": 600}, {"logs": None}],
    ids=repr,
)
def test_validate_expire_after__refused(value: Any) -> None:
    with pytest.raises(InvalidArgumentError, match="expire_after=") as info:
        validate_expire_after(value)
    assert EXPIRE_AFTER_ACCEPTS in str(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), (0, 0.0), (600, 600.0), (0.5, 0.5), (np.float64(2), 2.0), ({}, {}), ({"logs": 60}, {"logs": 60.0})],
    ids=repr,
)
def test_validate_expire_after__accepted(value: Any, expected: Any) -> None:
    result = validate_expire_after(value)
    assert result == expected and (result is None or type(result) in {float, dict})


# --------------------------------------------------------------- analysis and explorers: dates at the door
ANALYSIS_DATES = {
    "events_by": lambda bad: __import__("apitoolkit.analysis", fromlist=["x"]).events_by(
        pd.DataFrame({"created_at": pd.to_datetime([], utc=True), "action": []}), "action", start=bad
    ),
    "reference_time": lambda bad: __import__("apitoolkit.analysis.checks", fromlist=["x"]).reference_time(bad),
    "throughput": lambda bad: __import__("apitoolkit.analysis", fromlist=["x"]).throughput(
        pd.DataFrame(
            {
                "id": [1],
                "project_id": [1],
                "title": ["a"],
                "priority": [1],
                "status": ["open"],
                "created": pd.to_datetime(["2026-01-01"], utc=True),
                "completed": pd.to_datetime([None], utc=True),
            }
        ),
        start=bad,
    ),
    "points_by_action": lambda bad: __import__("apitoolkit.analysis", fromlist=["x"]).points_by_action(
        pd.DataFrame(), start=bad
    ),
}


@pytest.mark.parametrize("bad", [20261101, b"2026-11-01", True, "11/01/2026"])
@pytest.mark.parametrize("function", list(ANALYSIS_DATES))
def test_analysis__a_date_argument_that_is_not_a_date_is_refused(function: str, bad: object) -> None:
    with pytest.raises(InvalidArgumentError, match="start|now"):
        ANALYSIS_DATES[function](bad)


# --------------------------------------------------------------------------------------------- date ranges
@pytest.mark.parametrize(
    "end",
    ["2026-12-02", " 2026-12-02 ", "20261202", date(2026, 12, 2), np.datetime64("2026-12-02")],
    ids=repr,
)
def test_as_range__a_date_only_end_includes_its_whole_day(end: Any) -> None:
    span = as_range("2026-11-28", end)
    assert (span.start, span.end) == (pd.Timestamp("2026-11-28", tz="UTC"), pd.Timestamp("2026-12-03", tz="UTC"))
    assert span.end_is_date and not span.end_inclusive and span.last_day == date(2026, 12, 2)
    texts = ["2026-11-27 23:59:59", "2026-11-28", "2026-12-02 23:59:59.9", "2026-12-03"]
    stamps = pd.Series(pd.to_datetime(texts, format="ISO8601"))
    assert span.contains(stamps.dt.tz_localize("UTC")).tolist() == [False, True, True, False]


@pytest.mark.parametrize(
    "end",
    [
        "2026-12-02T00:00:00Z",
        "2026-12-02 00:00",
        "2026-12-02T01:00:00+01:00",
        datetime(2026, 12, 2),
        pd.Timestamp("2026-12-02"),
        np.datetime64("2026-12-02T00:00"),
    ],
    ids=repr,
)
def test_as_range__an_end_with_a_time_is_exact(end: Any) -> None:
    span = as_range(None, end)
    assert span.start is None and span.end == pd.Timestamp("2026-12-02", tz="UTC")
    assert not span.end_is_date and span.end_inclusive and span.last_day == date(2026, 12, 2)
    texts = ["2026-12-01 23:59:59", "2026-12-02", "2026-12-02 00:00:01"]
    stamps = pd.Series(pd.to_datetime(texts, utc=True, format="ISO8601"))
    assert span.contains(stamps).tolist() == [True, True, False]


def test_as_range__open_sides_and_one_day() -> None:
    everything = as_range(None, None)
    assert (everything.start, everything.end, everything.last_day) == (None, None, None)
    assert everything.contains(pd.Series(pd.to_datetime(["1999-01-01", None], utc=True))).tolist() == [True, False]
    one_day = as_range("2026-12-02", "2026-12-02")
    assert one_day.start is not None and one_day.end is not None
    assert one_day.end - one_day.start == pd.Timedelta(days=1)
    assert as_range("2026-12-02T23:00:00Z", "2026-12-02").end_is_date
    assert as_range("2026-12-02T10:00:00Z", "2026-12-02T10:00:00Z").end_inclusive


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-12-03", "2026-12-02"),
        ("2026-12-03T00:00:00Z", "2026-12-02"),
        ("2026-12-02T10:00:01Z", "2026-12-02T10:00"),
    ],
    ids=repr,
)
def test_as_range__start_after_end_is_refused(start: str, end: str) -> None:
    with pytest.raises(InvalidArgumentError, match="start .* is after end .*swap them"):
        as_range(start, end)


@pytest.mark.parametrize(("value", "phrase"), BAD_DATES[:4], ids=repr)
def test_as_range__bounds_are_read_strictly(value: Any, phrase: str) -> None:
    with pytest.raises(InvalidArgumentError, match="^end") as info:
        as_range(None, value)
    assert phrase in str(info.value)


@pytest.mark.parametrize(
    ("end", "last_query_to"),
    [
        ("2026-11-20", "2026-11-21T00:00:00Z"),
        (date(2026, 11, 20), "2026-11-21T00:00:00Z"),
        ("2026-11-20T00:00:00Z", "2026-11-20T00:00:00Z"),
        ("2026-11-20T06:30:00Z", "2026-11-20T06:30:00Z"),
    ],
    ids=repr,
)
def test_dates__logs_walk_to_the_end_of_a_date_only_end(
    emu: mock_emulator, clients: dict[str, Any], end: Any, last_query_to: str
) -> None:
    itglue.load_logs("2026-11-19", end, client=clients["itglue"])
    ranges = sorted({q["filter[created_at]"][0] for q in queries(emu, "/logs")})
    assert ranges[0].startswith("2026-11-19T00:00:00Z,") and ranges[-1].endswith(f",{last_query_to}")


@pytest.mark.parametrize(
    ("end", "sent"),
    [
        ("2026-12-02", "2026-11-28,2026-12-02"),
        (date(2026, 12, 2), "2026-11-28,2026-12-02"),
        ("2026-12-02T00:00:00Z", "2026-11-28,2026-12-02"),
        ("2026-12-01T23:59:59Z", "2026-11-28,2026-12-01"),
    ],
    ids=repr,
)
def test_dates__expirations_include_the_end_day(
    emu: mock_emulator, clients: dict[str, Any], end: Any, sent: str
) -> None:
    itglue.load_expirations(clients["itglue"], start="2026-11-28", end=end)  # type: ignore[misc]
    assert [q["filter[range][expiration_date]"] for q in queries(emu, "/expirations")] == [[sent]]


@pytest.mark.parametrize("end", ["2026-11-08", date(2026, 11, 8), "2026-11-08T10:00:00Z", pd.Timestamp("2026-11-08")])
def test_dates__user_metrics_include_the_end_day(emu: mock_emulator, clients: dict[str, Any], end: Any) -> None:
    itglue.load_user_metrics("2026-11-02", end, client=clients["itglue"])
    assert [q["filter[date]"] for q in queries(emu, "/user_metrics")] == [["2026-11-02,2026-11-08"]]
