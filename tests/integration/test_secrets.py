"""No credential anywhere it could leak, after a full tour of the toolkit against the emulator.

One tour per cache location (a directory, and a Redis server with a password): every loader of every service,
cold, warm and refreshed; failed loads (wrong credentials, services answering 500); the report notebooks run by
`run_reports`; the demo's loads. Then every stored byte, log record, notebook, HTML page, printed line, warning,
and the repr and str of every client, session, config and error, is searched for every credential value (API
keys, the Hitask password, every Hitask session id the emulator handed out, the wrong keys tried, the Redis
password): plain, URL-encoded and base64 at any alignment. Parquet, Arrow and SQLite content is also read back
through its own reader, so compression or page boundaries hide nothing.
"""

from __future__ import annotations

import base64
import io
import logging
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from apitoolkit.archive import Archive
from apitoolkit.cache import cache_info
from apitoolkit.config import cache_location
from apitoolkit.demo import run_demo
from apitoolkit.emulator import EmulatorServer
from apitoolkit.envvars import environment
from apitoolkit.exceptions import ApiToolkitError
from apitoolkit.glasshat import GlasshatClient, load_clients, load_projects, load_tasks
from apitoolkit.happygrasshopper import HappyGrasshopperClient
from apitoolkit.happygrasshopper import load_contacts as load_hg_contacts
from apitoolkit.hitask import (
    HitaskClient,
    flush_snapshots,
    load_contacts,
    load_item_history,
    load_items,
    load_tags,
    load_team_members,
)
from apitoolkit.http.client import BaseClient
from apitoolkit.itglue import (
    ITGlueClient,
    load_expirations,
    load_logs,
    load_organizations,
    load_resource,
    load_user_metrics,
    load_users,
)
from apitoolkit.loading import frame_cache
from apitoolkit.reports import REPORTS, run_reports
from tests.helpers import FAST_RETRY, Scan, forms

pytestmark = pytest.mark.slow

LOGGERS = ("apitoolkit", "requests_cache", "urllib3")
#: Credentials tried and refused: they must not be kept either.
WRONG = {
    "ITGLUE_API_KEY (wrong)": "itg-wrong-key-3b8e1f0c9d2a",
    "HITASK_PASSWORD (wrong)": "Wrong-hitask-pass-77c1",
    "GLASSHAT_API_KEY (wrong)": "0badc0de0badc0de0badc0de0badc0de",
    "HAPPYGRASSHOPPER_API_KEY (wrong)": "hg-wrong-key-6d2f40a1",
}


@dataclass
class Tour:
    """What one tour leaves to scan besides the cache."""

    clients: list[BaseClient] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    printed: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)


def attempt(tour: Tour, load: Callable[[], Any]) -> None:
    """Run a load expected to fail, keeping its error (only a typed one: anything else fails the test)."""
    try:
        load()
    except ApiToolkitError as error:
        tour.errors.append(error)


def loads_of_every_service(tour: Tour, env: dict[str, str], refresh: bool) -> None:
    itglue = ITGlueClient(retry=FAST_RETRY)
    hitask = HitaskClient(retry=FAST_RETRY)
    glasshat = GlasshatClient(retry=FAST_RETRY)
    happygrasshopper = HappyGrasshopperClient(retry=FAST_RETRY)
    tour.clients += [itglue, hitask, glasshat, happygrasshopper]
    for load in (load_users, load_organizations, load_expirations, load_user_metrics, load_logs):
        load(client=itglue, refresh=refresh)
    organization = int(load_organizations(client=itglue)["id"].iloc[0])
    load_resource(
        "organizations/:organization_id/relationships/expirations",
        organization_id=organization,
        client=itglue,
        refresh=refresh,
    )
    items = load_items(hitask, refresh=refresh)
    load_items(hitask)  # the incremental sync: a delta against the snapshot
    load_item_history(int(items["id"].iloc[0]), client=hitask, refresh=refresh)
    for hitask_load in (load_tags, load_team_members, load_contacts):
        hitask_load(hitask, refresh=refresh)
    clients = load_clients(glasshat, refresh=refresh)
    projects = load_projects(int(clients["id"].iloc[0]), client=glasshat, refresh=refresh)
    load_projects(client=glasshat, refresh=refresh)
    load_tasks(int(projects["id"].iloc[0]), client=glasshat, refresh=refresh)
    load_tasks(client=glasshat, refresh=refresh)
    load_hg_contacts(happygrasshopper, refresh=refresh)
    flush_snapshots()


def failed_loads(tour: Tour, env: dict[str, str], emulator: EmulatorServer) -> None:
    wrong = (
        ITGlueClient(api_key=WRONG["ITGLUE_API_KEY (wrong)"], retry=FAST_RETRY),
        HitaskClient(password=WRONG["HITASK_PASSWORD (wrong)"], retry=FAST_RETRY),
        GlasshatClient(api_key=WRONG["GLASSHAT_API_KEY (wrong)"], retry=FAST_RETRY),
        HappyGrasshopperClient(api_key=WRONG["HAPPYGRASSHOPPER_API_KEY (wrong)"], retry=FAST_RETRY),
    )
    tour.clients += wrong
    attempt(tour, lambda: load_users(client=wrong[0]))
    attempt(tour, lambda: load_tags(wrong[1]))
    attempt(tour, lambda: load_clients(wrong[2]))
    attempt(tour, lambda: load_hg_contacts(wrong[3]))
    for service in ("itglue", "hitask", "glasshat", "happygrasshopper"):
        emulator.app.faults.add("server_error", rate=1.0, service=service, status=500)
    down = (
        ITGlueClient(retry=FAST_RETRY),
        HitaskClient(retry=FAST_RETRY),
        GlasshatClient(retry=FAST_RETRY),
        HappyGrasshopperClient(retry=FAST_RETRY),
    )
    tour.clients += down
    attempt(tour, lambda: load_users(client=down[0], refresh=True))
    attempt(tour, lambda: load_team_members(down[1], refresh=True))
    attempt(tour, lambda: load_clients(down[2], refresh=True))
    attempt(tour, lambda: load_hg_contacts(down[3], refresh=True))
    emulator.app.faults.clear()


def run_tour(tour: Tour, env: dict[str, str], emulator: EmulatorServer, out: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loads_of_every_service(tour, env, refresh=False)
        loads_of_every_service(tour, env, refresh=False)  # from the caches
        loads_of_every_service(tour, env, refresh=True)
        failed_loads(tour, env, emulator)
    tour.warnings += [str(w.message) for w in caught]
    history = Archive(out / "archive")  # a sync's tables (and the trends report reading them) hold no secret either
    tour.printed.append(history.sync().to_string())
    tour.printed.append(history.info().to_string())
    with environment({"APITOOLKIT_ARCHIVE": history.location}):
        reports = run_reports(None, out / "reports", {"interactive": False}, log=tour.printed.append)
    assert [r.name for r in reports] == list(REPORTS)
    printed = io.StringIO()
    assert run_demo(port=0, reports=None, out=printed) == 0
    tour.printed.append(printed.getvalue())


@pytest.fixture(params=["directory", "redis"])
def location(request: pytest.FixtureRequest, cache_dir: Path) -> str:
    return request.getfixturevalue("redis_url") if request.param == "redis" else str(cache_dir)


def scan_what_the_tour_left(
    scan: Scan, tour: Tour, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    """Log records, printed text, warnings, and the reprs of every client, error and cache of the tour."""
    for record in caplog.records:
        scan.text(f"log record {record.name}", f"{record.getMessage()}\n{record.args!r}", "log records")
    scan.text("log text", caplog.text, "log texts")
    captured = capsys.readouterr()
    for where, text in (("stdout", captured.out), ("stderr", captured.err), *(("printed", p) for p in tour.printed)):
        scan.text(where, text, "printed texts")
    for message in tour.warnings:
        scan.text("warning", message, "warnings")
    for client in tour.clients:
        scan.objects("client", client, client.session, client.config, client.config.credentials, client.config.cache)
        scan.objects("client's cache", getattr(client.session, "cache", None), frame_cache(client))
    for error in tour.errors:
        scan.objects("error", error, *error.args, *(getattr(error, a, None) for a in ("url", "code", "detail", "hint")))
    scan.objects("cache", cache_location(), cache_info())


def test_secrets__nowhere_after_loads_reports_demo_and_failures(
    emulator: EmulatorServer,
    location: str,
    cache_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = emulator.environ()
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APITOOLKIT_CACHE", location)
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    tour = Tour()
    start_session = emulator.app.hitask.start_session

    def recording_start_session() -> dict[str, Any]:
        answer = start_session()
        tour.sessions.append(answer["session_id"])
        return answer

    monkeypatch.setattr(emulator.app.hitask, "start_session", recording_start_session)
    run_tour(tour, env, emulator, tmp_path)

    secrets = {name: env[name] for name in env if name.endswith(("_API_KEY", "_PASSWORD"))}
    secrets.update(WRONG)
    secrets.update({f"Hitask session {i + 1}": session for i, session in enumerate(dict.fromkeys(tour.sessions))})
    redis_password = urlsplit(location).password
    if redis_password:
        secrets["Redis password"] = redis_password
    assert len(tour.sessions) >= 3 and all(len(s) >= 8 for s in secrets.values())
    scan = Scan(secrets)
    scan.tree(cache_dir)
    scan.tree(tmp_path / "reports")
    scan.tree(tmp_path / "archive")
    if location.startswith("redis://"):
        scan.redis(location)
    scan_what_the_tour_left(scan, tour, caplog, capsys)
    kinds = Counter(type(error).__name__ for error in tour.errors)
    print(  # the figures for RELIABILITY.md (pytest -s or -rP shows them)
        f"\nsecrets scan, {location.split(':')[0] if '://' in location else 'directory'} cache: "
        f"{len(secrets)} secrets x {len(forms('x' * 16))} forms; {dict(sorted(scan.counts.items()))}; "
        f"{len(tour.clients)} clients; errors {dict(kinds)}; {len(tour.sessions)} Hitask sessions; "
        f"found {len(scan.found)}"
    )
    assert scan.found == [], Counter((where.split(":")[0][:60], name, form) for where, name, form in scan.found)
    assert kinds.keys() >= {"AuthenticationError", "ServerError"}


def test_scan__finds_every_form_of_a_secret_anywhere_in_a_text() -> None:
    secret = "s3cret-value-81f2"
    for prefix in ("", "a", "ab", "abc"):
        scan = Scan({"key": secret})
        raw = (prefix + secret + "tail").encode()
        scan.blob("plain", raw)
        scan.blob("base64", b"x" + base64.b64encode(raw))
        scan.blob("base64url", base64.urlsafe_b64encode(b"\xff\xfe" + raw))
        scan.blob("url", f"?k={quote(prefix + secret)}".encode())
        assert {where for where, _, _ in scan.found} == {"plain", "base64", "base64url", "url"}, prefix
    clean = Scan({"key": secret})
    clean.blob("other", base64.b64encode(b"s3cret-valve-81f2" * 3) + quote("s3cret value 81f2").encode())
    assert clean.found == []
