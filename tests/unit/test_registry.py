"""The service registry: every entry imports, and what lists services (settings, exports, CLI, emulator) follows it."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any, ClassVar

import pytest
from werkzeug.routing import Map, Rule
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

import apitoolkit
from apitoolkit import exceptions
from apitoolkit.cli import main
from apitoolkit.config import SERVICES, resolve_config
from apitoolkit.emulator import EmulatorApp
from apitoolkit.emulator.core.service import Service, ServiceError
from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.http.client import BaseClient, configure
from apitoolkit.registry import REGISTRY, RateLimit, Resource, ServiceEntry, ServiceSpec, entry, load_object

ROOT = Path(__file__).resolve().parents[2]


class _FakeBackend:
    def reset(self) -> None:
        """Nothing to reset."""


class FakeService(Service):
    """A service that exists only in this test's registry entry."""

    name: ClassVar[str] = "fake"
    url_map: ClassVar[Map] = Map([Rule("/things", endpoint="things")])

    def __init__(self, *, seed: int, size: str, now: Any, counts: dict[str, int] | None = None) -> None:
        self.backend = _FakeBackend()

    def authenticate(self, request: Request, path: str) -> str:
        return "fake-key"

    def handle(self, request: Request, endpoint: str, args: dict[str, Any], account: str) -> Response:
        return Response('{"things": []}', content_type="application/json")

    def error_response(self, error: ServiceError) -> Response:
        return Response(error.detail, status=error.status_code)

    def environ(self, base_url: str) -> dict[str, str]:
        return {"FAKE_BASE_URL": base_url}


FAKE = ServiceEntry(
    ServiceSpec("fake", "Fake", {"api_key": "FAKE_API_KEY"}, "FAKE_BASE_URL", "https://fake", RateLimit(60, 60)),
    client="apitoolkit.itglue.client:ITGlueClient",
    resources=(Resource("widgets", "apitoolkit.itglue.loaders:load_users"),),
    emulator=f"{__name__}:FakeService",
)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_registry__every_entry_imports(name: str) -> None:
    service = REGISTRY[name]
    assert service.name == name
    assert issubclass(service.client_class(), BaseClient)
    assert service.client_class().__name__ == service.client.rpartition(":")[2]
    emulated = service.emulator_class()
    assert issubclass(emulated, Service) and emulated.name == name
    for resource in service.resources:
        loader = resource.load_function()
        assert loader.__name__ == f"load_{resource.name}"
        assert loader is getattr(importlib.import_module(f"apitoolkit.{name}"), loader.__name__)
        first_two = list(inspect.signature(loader).parameters)[:2]
        assert (first_two == ["start", "end"]) is resource.date_range, resource


def test_registry__lists_the_four_services_in_order() -> None:
    assert list(REGISTRY) == ["itglue", "hitask", "glasshat", "happygrasshopper"]


def test_config_services__are_the_registry_specs() -> None:
    assert {name: service.spec for name, service in REGISTRY.items()} == SERVICES


def test_entry__unknown_service_names_the_services() -> None:
    assert entry("hitask") is REGISTRY["hitask"]
    with pytest.raises(InvalidArgumentError, match="'itglu': use one of itglue, hitask, glasshat, happygrasshopper"):
        entry("itglu")


def test_resource__unknown_name_lists_the_resources() -> None:
    assert entry("itglue").resource("logs").date_range
    with pytest.raises(InvalidArgumentError, match="Glasshat has no resource 'users': use one of clients, projects"):
        entry("glasshat").resource("users")


@pytest.mark.parametrize("path", ["apitoolkit.registry", "apitoolkit.nothing:x", "apitoolkit.registry:nothing"])
def test_load_object__bad_path_says_so(path: str) -> None:
    with pytest.raises(InvalidArgumentError, match="registry entry|object path"):
        load_object(path)


@pytest.mark.parametrize("name", list(REGISTRY))
def test_cli_fetch__lists_the_registry_resources(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fetch", "nothing", "--service", name, "--out", "out.csv"]) == 2
    error = capsys.readouterr().err
    assert all(resource.name in error for resource in REGISTRY[name].resources), error


def test_cli_fetch__unknown_service_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["fetch", "users", "--service", "nothing", "--out", "out.csv"])
    error = capsys.readouterr().err
    assert all(name in error for name in REGISTRY), error


def test_emulator_app__mounts_the_registry_services() -> None:
    app = EmulatorApp()
    assert list(app.services) == list(REGISTRY)
    assert all(type(app.services[name]) is service.emulator_class() for name, service in REGISTRY.items())


def test_emulator_app__mounts_a_new_registry_entry_without_other_edits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REGISTRY, "fake", FAKE)
    app = EmulatorApp()
    assert isinstance(app.services["fake"], FakeService)
    assert app.environ("http://127.0.0.1:1")["FAKE_BASE_URL"] == "http://127.0.0.1:1/fake"
    assert Client(app).get("/fake/things").get_json() == {"things": []}


def test_exports__follow_the_rule() -> None:
    exported = set(apitoolkit.__all__)
    assert set(exceptions.__all__) <= exported
    assert {service.client.rpartition(":")[2] for service in REGISTRY.values()} <= exported
    assert {"load_users", "load_items", "load_clients", "load_tasks", "cache_info", "to_excel"} <= exported
    assert "load_contacts" not in exported  # Hitask's and Happy Grasshopper's: it stays in each package


def test_exports__a_new_registry_entry_exports_its_loaders(monkeypatch: pytest.MonkeyPatch) -> None:
    widgets = Resource("widgets", "apitoolkit.glasshat.loaders:load_widgets")
    monkeypatch.setitem(REGISTRY, "fake", ServiceEntry(FAKE.spec, FAKE.client, (widgets,), FAKE.emulator))
    assert apitoolkit._exports()["load_widgets"] == "apitoolkit.glasshat.loaders"


def test_exports__type_checkers_see_every_exported_name() -> None:
    tree = ast.parse((ROOT / "apitoolkit" / "__init__.py").read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
    imports = [node for node in block.body if isinstance(node, ast.ImportFrom)]
    seen = {alias.asname or alias.name for node in imports for alias in node.names if alias.name != "*"}
    star = {node.module for node in imports if node.names[0].name == "*"}
    assert star == {"apitoolkit.exceptions"}
    assert seen | set(exceptions.__all__) == set(apitoolkit.__all__) - {"__version__"}


@pytest.mark.parametrize("name", list(REGISTRY))
def test_client_resolve__refuses_another_class_naming_it(name: str) -> None:
    cls = REGISTRY[name].client_class()
    article = "an" if cls.__name__[0] in "AEIOU" else "a"
    with pytest.raises(InvalidArgumentError, match=f"^client must be {article} {cls.__name__}, not object.$"):
        cls.resolve(object())


def test_client_resolve__none_is_a_client_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLASSHAT_API_KEY", "k" * 32)
    glasshat = entry("glasshat").client_class()
    client = glasshat.resolve(None)
    assert type(client) is glasshat and glasshat.resolve(client) is client


def test_resolve_config__unknown_setting_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cahce"):
        resolve_config("glasshat", credentials={"api_key": "k"}, cahce="off")  # type: ignore[call-arg]


def test_configure__passes_every_setting_to_resolve_config() -> None:
    kwargs = configure("glasshat", {"api_key": "k"}, {"cache": "off", "timeout": 5, "max_workers": 2, "retry": None})
    config = kwargs["config"]
    assert (str(config.cache), config.timeout, config.max_workers) == ("off", 5.0, 2)
    assert set(kwargs) == {"config", "session", "retry", "expire_after"}
