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
import contextlib
import io
import logging
import sqlite3
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import redis

from apitoolkit.cache import cache_info
from apitoolkit.config import cache_location
from apitoolkit.demo import run_demo
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
from apitoolkit.reports import run_reports
from tests.conftest import FAST_RETRY, redis_values

pytestmark = pytest.mark.slow

LOGGERS = ("apitoolkit", "requests_cache", "urllib3")
#: Credentials tried and refused: they must not be kept either.
WRONG = {
    "ITGLUE_API_KEY (wrong)": "itg-wrong-key-3b8e1f0c9d2a",
    "HITASK_PASSWORD (wrong)": "Wrong-hitask-pass-77c1",
    "GLASSHAT_API_KEY (wrong)": "0badc0de0badc0de0badc0de0badc0de",
    "HAPPYGRASSHOPPER_API_KEY (wrong)": "hg-wrong-key-6d2f40a1",
}


def forms(secret: str) -> dict[str, bytes]:
    """The spellings a secret may take: plain, URL-encoded, base64 (standard and URL-safe) at each alignment."""
    raw = secret.encode()
    found = {"plain": raw, "url-encoded": quote(secret, safe="").encode(), "form-encoded": quote_plus(secret).encode()}
    for shift in range(3):
        for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            text = encode(b"\0" * shift + raw)
            # Drop the characters that also encode the bytes before and after the secret: the rest is the same
            # wherever the secret sits in a longer encoded text.
            start = -(-shift * 4 // 3)
            end = (shift + len(raw)) * 4 // 3
            found[f"{name}@{shift}"] = text[start:end]
    return found


@dataclass
class Scan:
    """Searches whatever it is shown for every form of every secret, counting what it saw."""

    secrets: dict[str, str]
    found: list[tuple[str, str, str]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    def blob(self, where: str, data: bytes) -> None:
        self.counts["bytes"] += len(data)
        for name, secret in self.secrets.items():
            for form, needle in forms(secret).items():
                if needle in data:
                    self.found.append((where, name, form))

    def text(self, where: str, text: str, kind: str) -> None:
        self.counts[kind] += 1
        self.blob(where, text.encode("utf-8", "surrogatepass"))

    def file(self, path: Path) -> None:
        data = path.read_bytes()
        self.counts["files"] += 1
        self.blob(str(path), data)
        for view, decoded in _decoded(path, data):
            self.counts[f"files read as {view}"] += 1
            self.blob(f"{path} ({view})", decoded)

    def tree(self, root: Path) -> None:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            self.file(path)

    def redis(self, url: str) -> None:
        with redis.Redis.from_url(url) as client:
            for key in client.scan_iter(count=500):
                self.counts["redis keys"] += 1
                self.blob(f"redis key {key!r}", key)
                for value in redis_values(client, key):
                    self.counts["redis values"] += 1
                    self.blob(f"redis value of {key!r}", value)
                    for view, decoded in _decoded_bytes(value):
                        self.counts[f"redis values read as {view}"] += 1
                        self.blob(f"redis value of {key!r} ({view})", decoded)

    def objects(self, where: str, *objects: object) -> None:
        for obj in objects:
            self.text(f"{where}: {type(obj).__name__}", f"{obj!r}\n{obj!s}", "reprs")


def _decoded_bytes(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Stored tables read back through Arrow: every value and all metadata as text."""
    if data.startswith(b"PAR1"):
        yield "parquet", _table_text(pq.read_table(io.BytesIO(data)))
    elif data.startswith(b"ARROW1"):
        yield "arrow", _table_text(pa.ipc.open_file(pa.BufferReader(data)).read_all())
    elif data[:8].startswith((b"\xff\xff\xff\xff", b"\x10\x00\x00\x00")):  # an Arrow IPC stream
        with contextlib.suppress(pa.ArrowInvalid):
            yield "arrow stream", _table_text(pa.ipc.open_stream(pa.BufferReader(data)).read_all())


def _decoded(path: Path, data: bytes) -> Iterator[tuple[str, bytes]]:
    yield from _decoded_bytes(data)
    if data.startswith(b"SQLite format 3\x00"):
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
            tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            rows = [repr(row).encode() for table in tables for row in db.execute(f'SELECT * FROM "{table}"')]
        yield "sqlite rows", b"\n".join(rows)


def _table_text(table: pa.Table) -> bytes:
    metadata = repr(table.schema.metadata or {}).encode()
    return metadata + b"\n" + repr(table.to_pydict()).encode("utf-8", "surrogatepass")


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


def failed_loads(tour: Tour, env: dict[str, str], emulator: Any) -> None:
    wrong = [
        ITGlueClient(api_key=WRONG["ITGLUE_API_KEY (wrong)"], retry=FAST_RETRY),
        HitaskClient(password=WRONG["HITASK_PASSWORD (wrong)"], retry=FAST_RETRY),
        GlasshatClient(api_key=WRONG["GLASSHAT_API_KEY (wrong)"], retry=FAST_RETRY),
        HappyGrasshopperClient(api_key=WRONG["HAPPYGRASSHOPPER_API_KEY (wrong)"], retry=FAST_RETRY),
    ]
    tour.clients += wrong
    attempt(tour, lambda: load_users(client=wrong[0]))
    attempt(tour, lambda: load_tags(wrong[1]))
    attempt(tour, lambda: load_clients(wrong[2]))
    attempt(tour, lambda: load_hg_contacts(wrong[3]))
    for service in ("itglue", "hitask", "glasshat", "happygrasshopper"):
        emulator.app.faults.add("server_error", rate=1.0, service=service, status=500)
    down = [ITGlueClient(retry=FAST_RETRY), HitaskClient(retry=FAST_RETRY), GlasshatClient(retry=FAST_RETRY)]
    down.append(HappyGrasshopperClient(retry=FAST_RETRY))
    tour.clients += down
    attempt(tour, lambda: load_users(client=down[0], refresh=True))
    attempt(tour, lambda: load_team_members(down[1], refresh=True))
    attempt(tour, lambda: load_clients(down[2], refresh=True))
    attempt(tour, lambda: load_hg_contacts(down[3], refresh=True))
    emulator.app.faults.clear()


def run_tour(tour: Tour, env: dict[str, str], emulator: Any, out: Path) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loads_of_every_service(tour, env, refresh=False)
        loads_of_every_service(tour, env, refresh=False)  # from the caches
        loads_of_every_service(tour, env, refresh=True)
        failed_loads(tour, env, emulator)
    tour.warnings += [str(w.message) for w in caught]
    reports = run_reports(None, out / "reports", {"interactive": False}, log=tour.printed.append)
    assert len(reports) == 5
    printed = io.StringIO()
    assert run_demo(port=0, reports=None, out=printed) == 0
    tour.printed.append(printed.getvalue())


@pytest.fixture(params=["directory", "redis"])
def location(request: pytest.FixtureRequest, cache_dir: Path) -> str:
    return request.getfixturevalue("redis_url") if request.param == "redis" else str(cache_dir)


def test_secrets__nowhere_after_loads_reports_demo_and_failures(
    emulator: Any,
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
    if location.startswith("redis://"):
        scan.redis(location)
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
        scan.objects("client's cache", getattr(client.session, "cache", None), client.frame_cache)
    for error in tour.errors:
        scan.objects("error", error, *error.args, *(getattr(error, a, None) for a in ("url", "code", "detail", "hint")))
    scan.objects("cache", cache_location(), cache_info())
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
