"""The contract every emulated service keeps: environment, auth refusal, rate limits, faults, stats, reset."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from apitoolkit.emulator import EmulatorApp
from tests.helpers import JsonClient, JsonResponse


@dataclass(frozen=True)
class Contract:
    """How to call one service: a list request with valid credentials, one without, and its error format."""

    name: str
    prefix: str
    default_rate_limit: tuple[int, float]
    refused_status: int
    sign_in: Callable[[EmulatorApp, JsonClient], dict[str, Any]]
    list_path: str
    too_many: Callable[[Any], bool]
    server_error: Callable[[Any], bool]

    def call(self, client: JsonClient, auth: dict[str, Any]) -> JsonResponse:
        return client.get(f"{self.prefix}{self.list_path}", **auth)


def _hitask_session(app: EmulatorApp, client: JsonClient) -> dict[str, Any]:
    backend = app.hitask
    answer = client.post(
        "/hitask/user/authenticate",
        data={"api_key": backend.api_key, "login": backend.login, "password": backend.password},
    )
    return {"query_string": {"session_id": answer.json["session_id"]}}


CONTRACTS = [
    Contract(
        "itglue",
        "/itglue",
        (3000, 300.0),
        403,
        lambda app, _: {"headers": {"x-api-key": app.itglue.api_key}},
        "/users",
        lambda body: body["errors"][0]["status"] == "429",
        lambda body: body["errors"][0]["status"] == "503",
    ),
    Contract(
        "hitask",
        "/hitask",
        (600, 60.0),
        401,
        _hitask_session,
        "/item",
        lambda body: (
            body == {"response_status": 67, "error_message": "You are performing too many API requests per second"}
        ),
        lambda body: body == {"response_status": 100, "error_message": "Internal error"},
    ),
    Contract(
        "glasshat",
        "/glasshat",
        (120, 60.0),
        403,
        lambda app, _: {"query_string": {"apikey": app.glasshat.api_key}},
        "/account/0/clients",
        lambda body: body == {"errors": {"too_many_requests": "Rate limited, try again later."}},
        lambda body: list(body["errors"]) == ["server_error"],
    ),
    Contract(
        "happygrasshopper",
        "/happygrasshopper/v3",
        (120, 60.0),
        401,
        lambda app, _: {"headers": {"Authorization": f"Bearer {app.happygrasshopper.api_key}"}},
        "/contacts",
        lambda body: body == {"message": "Too Many Attempts."},
        lambda body: body == {"message": "Server Error."},
    ),
]


@pytest.fixture(params=CONTRACTS, ids=[contract.name for contract in CONTRACTS])
def contract(request: pytest.FixtureRequest) -> Contract:
    """One service's contract."""
    found: Contract = request.param
    return found


def test_contract__mounted_under_its_prefix_with_its_environment(app: EmulatorApp, contract: Contract) -> None:
    service = app.services[contract.name]
    assert service.prefix == contract.prefix and app.backend(contract.name) is getattr(app, contract.name)
    environ = service.environ(f"http://127.0.0.1:9{contract.prefix}")
    base_url = f"{contract.name.upper()}_BASE_URL"
    assert (
        environ[base_url] == f"http://127.0.0.1:9{contract.prefix}"
        and app.environ("http://127.0.0.1:9")[base_url] == environ[base_url]
    )
    assert f"{contract.name.upper()}_API_KEY" in environ


def test_contract__answers_with_credentials_and_refuses_without(
    app: EmulatorApp, client: JsonClient, contract: Contract
) -> None:
    assert contract.call(client, contract.sign_in(app, client)).status_code == 200
    refused = contract.call(client, {})
    assert refused.status_code == contract.refused_status and refused.is_json


def test_contract__default_rate_limit(app: EmulatorApp, contract: Contract) -> None:
    limiter = app._limits[contract.name].limiter
    assert limiter is not None and (limiter.limit, limiter.window) == contract.default_rate_limit


def test_contract__rate_limit_per_key_in_the_service_format(
    app: EmulatorApp, client: JsonClient, contract: Contract
) -> None:
    auth = contract.sign_in(app, client)
    app.configure(service=contract.name, rate_limit=(2, 60.0), retry_after=True)
    statuses = [contract.call(client, auth).status_code for _ in range(3)]
    limited = contract.call(client, auth)
    assert statuses == [200, 200, 429] and contract.too_many(limited.json)
    assert 58 <= int(limited.headers["Retry-After"]) <= 60
    others = [other for other in CONTRACTS if other is not contract]
    assert all(other.call(client, other.sign_in(app, client)).status_code == 200 for other in others)


def test_contract__faults_filtered_by_service(app: EmulatorApp, client: JsonClient, contract: Contract) -> None:
    auth = contract.sign_in(app, client)
    app.faults.add("server_error", service=contract.name, count=1, status=503, retry_after=2)
    app.faults.add("rate_limit", service=contract.name, count=1, retry_after=1)
    for other in CONTRACTS:
        if other is not contract:
            assert other.call(client, other.sign_in(app, client)).status_code == 200
    failed, limited = contract.call(client, auth), contract.call(client, auth)
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "2" and contract.server_error(failed.json)
    assert limited.status_code == 429 and contract.too_many(limited.json)
    assert contract.call(client, auth).status_code == 200
    assert app.stats.snapshot()["faults_injected"] == {"server_error": 1, "rate_limit": 1}


def test_contract__changing_data_fault_adds_records_to_the_list(
    app: EmulatorApp, client: JsonClient, contract: Contract
) -> None:
    auth = contract.sign_in(app, client)

    def count() -> int:
        body = contract.call(client, auth).json
        return (
            len(body)
            if isinstance(body, list)
            else {
                "itglue": lambda: body["meta"]["total-count"],
                "glasshat": lambda: body["total"],
                "happygrasshopper": lambda: body["meta"]["total"],
            }[contract.name]()
        )

    before = count()
    app.faults.add("changing_data", service=contract.name, count=1, records=2)
    assert count() == before + 2
    app.faults.add("changing_data", service=contract.name, count=1, records=3, change="delete")
    assert count() == before - 1


def test_contract__changing_data_never_reuses_an_id(app: EmulatorApp, client: JsonClient, contract: Contract) -> None:
    auth = contract.sign_in(app, client)

    def ids() -> set[int]:
        body = contract.call(client, auth).json
        records = body if isinstance(body, list) else body.get("data") or body.get("clients")
        return {int(record["id"]) for record in records}

    seed = ids()
    app.faults.add("changing_data", service=contract.name, count=1, records=2, change="delete")
    app.faults.add("changing_data", service=contract.name, count=1, records=2)
    deleted = seed - ids()
    assert len(deleted) == 2 and not deleted & ids()


def test_contract__stats_name_the_service_and_hide_credentials(
    app: EmulatorApp, client: JsonClient, contract: Contract
) -> None:
    auth = contract.sign_in(app, client)
    contract.call(client, auth)
    record = app.stats.requests[-1]
    assert (record.service, record.path, record.status) == (contract.name, contract.list_path, 200)
    secrets = [str(value) for value in {**auth.get("query_string", {}), **auth.get("headers", {})}.values()]
    assert not any(secret in repr(app.stats.requests) for secret in secrets)
    assert app.stats.snapshot()["by_service"][contract.name] >= 1


def test_contract__reset_restores_the_seed_state(app: EmulatorApp, client: JsonClient, contract: Contract) -> None:
    auth = contract.sign_in(app, client)
    seed_body = contract.call(client, auth).get_data()
    app.faults.add("changing_data", service=contract.name, count=1, records=3)
    assert contract.call(client, auth).get_data() != seed_body
    app.faults.add("changing_data", service=contract.name, count=1, records=5, change="delete")
    assert contract.call(client, auth).get_data() != seed_body
    app.reset()
    assert contract.call(client, contract.sign_in(app, client)).get_data() == seed_body
