"""Helpers shared by test modules: quick retries, emulator clients, frames with the loaders' dtypes, secret scans."""

# Fixtures stay in the conftest.py files; test modules import helpers from here, never from a conftest or another
# test module. The fake servers are helper modules of their own: integration/http/fakeapi.py (a JSON:API service),
# integration/hostile.py and hostile_apps.py (misbehaving servers), integration/crashing_load.py (a load run in a
# child process), unit/fuzz/strategies.py (Hypothesis strategies) and data/trim_itglue_spec.py.

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote, urlencode

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from werkzeug.test import Client, TestResponse

from apitoolkit.cache import CachedFrame, FrameCache
from apitoolkit.emulator import EmulatorServer
from apitoolkit.emulator.hitask import HitaskBackend
from apitoolkit.frames import Schema
from apitoolkit.hitask import HitaskClient
from apitoolkit.http.retry import RetryPolicy

#: Retries that give up within a second, for tests that provoke failures.
FAST_RETRY = RetryPolicy(max_attempts=5, backoff=0.01, max_backoff=0.05, max_retry_after=1.0, jitter=0.0)


#: The emulator's clock in the unit tests that load through it.
EMULATOR_NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


# ------------------------------------------------------------------------------------------ files and Redis


def files_containing(root: Path, needle: str) -> list[Path]:
    """Every file under ``root`` whose bytes contain ``needle`` (UTF-8), to prove a secret is absent."""
    raw = needle.encode()
    return [p for p in root.rglob("*") if p.is_file() and raw in p.read_bytes()]


def start_redis_server(password: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``redis-server`` on a free loopback port, without persistence; its process and URL (no db).

    Skips the test when the binary is missing (CI installs it: ``apt-get install redis-server``).
    """
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: apt-get install redis-server (CI installs it)")
    import redis

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = ["--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--requirepass", password]
    process = subprocess.Popen([binary, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://:{password}@127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    with redis.Redis.from_url(f"{url}/0") as client:
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    stop_process(process)
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.02)
    return process, url


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process we started, wait for it, and kill it if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def redis_keys_containing(url: str, needle: str) -> list[str]:
    """Every Redis key whose name or value (any type) contains ``needle`` (as is, or URL-encoded)."""
    import redis

    needles = {needle.encode(), quote(needle, safe="").encode()}
    found = []
    with redis.Redis.from_url(url) as client:
        for key in client.scan_iter(count=500):
            if any(n in blob for n in needles for blob in [key, *redis_values(client, key)]):
                found.append(key.decode())
    return found


def redis_values(client: Any, key: bytes) -> list[bytes]:
    """Everything a Redis key holds, whatever its type: a string's value, a hash's fields and values, the
    members of a sorted set, list or set."""
    kind = client.type(key).decode()
    if kind == "string":
        return [client.get(key) or b""]
    if kind == "hash":
        return [b for pair in client.hgetall(key).items() for b in pair]
    if kind == "zset":
        return [member for member, _ in client.zrange(key, 0, -1, withscores=True)]
    if kind == "list":
        return list(client.lrange(key, 0, -1))
    return list(client.smembers(key))


# --------------------------------------------------------------------------------------- the emulator's clients


def hitask_client(emulator: EmulatorServer, **options: Any) -> HitaskClient:
    """A Hitask client for the emulator's default account, with quick retries; ``options`` override any argument."""
    env = emulator.environ()
    arguments: dict[str, Any] = {
        "api_key": env["HITASK_API_KEY"],
        "login": env["HITASK_LOGIN"],
        "password": env["HITASK_PASSWORD"],
        "base_url": env["HITASK_BASE_URL"],
        "retry": FAST_RETRY,
        **options,
    }
    return HitaskClient(**arguments)


def hitask_calls(emulator: EmulatorServer, fragment: str) -> int:
    """How many Hitask requests the emulator saw whose path contains ``fragment``."""
    return sum(1 for r in emulator.app.stats.requests if r.service == "hitask" and fragment in r.path)


# ------------------------------------------------------------------------------ emulator apps, called in process


class JsonResponse(TestResponse):
    """werkzeug's test response, its ``json`` typed ``Any``: the tests index the documents they expect."""

    @property
    def json(self) -> Any:
        """The parsed JSON body (``None`` for another content type)."""
        return self.get_json()


class JsonClient(Client):
    """werkzeug's test client answering `JsonResponse` objects."""

    def __init__(self, app: Any) -> None:
        super().__init__(app, response_wrapper=JsonResponse)

    def open(self, *args: Any, **kwargs: Any) -> JsonResponse:
        response = super().open(*args, **kwargs)
        assert isinstance(response, JsonResponse)
        return response

    def get(self, *args: Any, **kwargs: Any) -> JsonResponse:
        return self.open(*args, method="GET", **kwargs)

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        return self.open(*args, method="POST", **kwargs)

    def put(self, *args: Any, **kwargs: Any) -> JsonResponse:
        return self.open(*args, method="PUT", **kwargs)

    def patch(self, *args: Any, **kwargs: Any) -> JsonResponse:
        return self.open(*args, method="PATCH", **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> JsonResponse:
        return self.open(*args, method="DELETE", **kwargs)


#: The clock of the emulator apps of the emulator's unit tests.
APP_NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


#: A UTC timestamp as Glasshat and Happy Grasshopper write it.
ISO_Z = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"


#: A timestamp with milliseconds and an offset, as Hitask writes it.
ISO_MS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d"


#: The path of the Happy Grasshopper API on the emulator app.
HG_BASE = "/happygrasshopper/v3"


@dataclass
class Api:
    """Calls the IT Glue routes of an app through werkzeug's test client."""

    client: JsonClient
    key: str

    def get(self, path: str, key: str | None = None, **params: Any) -> JsonResponse:
        """``GET /itglue{path}`` with ``params`` as query and ``key`` (default: the app's) as x-api-key."""
        headers = {"x-api-key": self.key if key is None else key}
        return self.client.get(f"/itglue{path}", query_string=params, headers=headers)

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        """The JSON document of a request that must succeed."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        document: dict[str, Any] = response.json
        return document

    def all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every record of a list endpoint, paging with ``meta`` (1000 a page)."""
        records: list[dict[str, Any]] = []
        number = 1
        while True:
            document = self.ok(path, **{"page[size]": 1000, "page[number]": number, **params})
            records += document["data"]
            if document["meta"]["next-page"] is None:
                return records
            number += 1

    def ids(self, path: str, **params: Any) -> list[int]:
        """The ids of every record of a list endpoint, in the served order."""
        return [int(record["id"]) for record in self.all(path, **params)]


def attr(record: dict[str, Any], name: str) -> Any:
    """One attribute of a JSON:API record."""
    return record["attributes"][name]


@dataclass
class Hitask:
    """Calls the Hitask routes of an app through werkzeug's test client."""

    client: JsonClient
    backend: HitaskBackend
    session_id: str = ""

    def sign_in(self, method: str = "GET", **overrides: str | None) -> JsonResponse:
        """``user/authenticate`` with the backend's credentials; an override of None leaves one out."""
        backend = self.backend
        params = {"api_key": backend.api_key, "login": backend.login, "password": backend.password, **overrides}
        sent = {name: value for name, value in params.items() if value is not None}
        if method == "POST":
            return self.client.post("/hitask/user/authenticate", data=sent)
        return self.client.get("/hitask/user/authenticate", query_string=sent)

    def get(self, path: str, session_id: str | None = None, **params: Any) -> JsonResponse:
        """``GET /hitask{path}`` with the session (or ``session_id``) in the query string."""
        session = self.session_id if session_id is None else session_id
        return self.client.get(f"/hitask{path}", query_string={"session_id": session, **params})

    def ok(self, path: str, **params: Any) -> Any:
        """The JSON of a request that must succeed."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json

    def listing(self) -> tuple[list[dict[str, Any]], int]:
        """``GET /item``: the items and the ``X-Cursor``."""
        response = self.get("/item")
        assert response.status_code == 200
        return response.json, int(response.headers["X-Cursor"])

    def delta(self, cursor: int) -> tuple[list[dict[str, Any]], int]:
        """``GET /item/delta/{cursor}``: the entries and the new ``X-Cursor``."""
        response = self.get(f"/item/delta/{cursor}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.json, int(response.headers["X-Cursor"])


def hitask_error(response: JsonResponse) -> tuple[int, int, str]:
    """``(HTTP status, response_status, error_message)`` of a Hitask error."""
    body = response.json
    assert set(body) == {"response_status", "error_message"}
    return response.status_code, body["response_status"], body["error_message"]


@dataclass
class Glasshat:
    """Calls the Glasshat routes of an app through werkzeug's test client."""

    client: JsonClient
    key: str

    def get(self, path: str, key: str | None = None, **params: Any) -> JsonResponse:
        """``GET /glasshat{path}`` with ``apikey`` (default: the app's) in the query string."""
        return self.client.get(f"/glasshat{path}", query_string={"apikey": self.key if key is None else key, **params})

    def post(self, path: str, **kwargs: Any) -> JsonResponse:
        """``POST /glasshat{path}`` (``query_string``, ``data`` or ``json`` as given)."""
        return self.client.post(f"/glasshat{path}", **kwargs)

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        """The JSON object of a GET that must succeed."""
        response = self.get(path, **params)
        assert response.status_code == 200, response.get_data(as_text=True)
        document: dict[str, Any] = response.json
        return document

    def all(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """Every record of a list endpoint, 500 a page."""
        records: list[dict[str, Any]] = []
        page = 1
        while True:
            document = self.ok(path, page=page, per_page=500, **params)
            records += document[key]
            if page * 500 >= document["total"]:
                return records
            page += 1


def glasshat_error(response: JsonResponse) -> tuple[int, str]:
    """``(HTTP status, error name)`` of a Glasshat error document."""
    errors = response.json["errors"]
    assert len(errors) == 1 and all(isinstance(message, str) and message for message in errors.values())
    return response.status_code, next(iter(errors))


@dataclass
class HappyGrasshopper:
    """Calls the Happy Grasshopper routes of an app through werkzeug's test client."""

    client: JsonClient
    key: str

    def get(self, path: str, params: Any = None, key: str | None = None) -> JsonResponse:
        """``GET /happygrasshopper/v3{path}`` with ``Authorization: Bearer <key>``; ``params`` dict or pairs."""
        return self.client.get(
            f"{HG_BASE}{path}",
            query_string=params,
            headers={"Authorization": f"Bearer {self.key if key is None else key}"},
        )

    def ok(self, path: str, params: Any = None) -> dict[str, Any]:
        """The JSON document of a request that must succeed."""
        response = self.get(path, params)
        assert response.status_code == 200, response.get_data(as_text=True)
        document: dict[str, Any] = response.json
        return document

    def all(self, params: Any = None) -> list[dict[str, Any]]:
        """Every contact matching ``params``, following ``links.next``."""
        contacts: list[dict[str, Any]] = []
        document = self.ok("/contacts", {"per_page": 100, **(params or {})})
        while True:
            contacts += document["data"]
            if document["links"]["next"] is None:
                return contacts
            document = self.ok("/contacts" + document["links"]["next"].split("/contacts", 1)[1])


# ---------------------------------------------------------------------------------------------- JSON:API pages
#: An IT Glue-like ``users`` schema with one field of every kind (``parent-id`` comes as a string).
USERS = Schema.jsonapi_resource(
    "users",
    [
        ("first-name", "str"),
        ("reputation", "int"),
        ("score", "float"),
        ("my-glue", "bool"),
        ("created-at", "datetime"),
        ("date", "date"),
        ("parent-id", "int", "string"),
    ],
)


def page(*records: dict[str, Any], compact: bool = True) -> bytes:
    """A JSON:API page holding ``records``, as the raw bytes a server sends (compact or indented)."""
    body = {"data": list(records), "meta": {"current-page": 1}}
    return json.dumps(body, separators=(",", ":") if compact else None, indent=None if compact else 2).encode()


def rec(i: int, **attrs: object) -> dict[str, Any]:
    """User ``i`` as a JSON:API record of `USERS`, ``attrs`` replacing or adding attributes."""
    base = {
        "first-name": f"Ünïcode {i}",
        "reputation": i,
        "score": 1.5,
        "my-glue": True,
        "created-at": "2026-01-02T03:04:05.000Z",
        "date": "2026-01-02",
        "parent-id": "7",
    }
    base.update(attrs)
    return {"id": str(i), "type": "users", "attributes": base, "relationships": {}}


# ------------------------------------------------------------------------- frames with the loaders' dtypes


#: A row of `users` or `metrics`.
Row = tuple[Any, ...]


def users(rows: Sequence[Row]) -> pd.DataFrame:
    """A frame with the dtypes ``load_users`` produces; rows are (id, first, last, email, role, reputation)."""
    ids, first, last, email, role, reputation = (list(c) for c in zip(*rows, strict=True)) if rows else [[]] * 6
    return pd.DataFrame(
        {
            "id": pd.array(ids, dtype="Int64"),
            "first_name": pd.Series(first, dtype="str"),
            "last_name": pd.Series(last, dtype="str"),
            "role_name": pd.Series(role, dtype="str"),
            "email": pd.Series(email, dtype="str"),
            "reputation": pd.array(reputation, dtype="Int64"),
            "created_at": pd.Series(pd.to_datetime(["2024-01-01"] * len(ids), utc=True), dtype="datetime64[us, UTC]"),
        }
    )


def metrics(rows: Sequence[Row]) -> pd.DataFrame:
    """A frame with the dtypes ``load_user_metrics`` produces; rows are (user, type, created, edited, viewed, day)."""
    user_ids, types, created, edited, viewed, days = (list(c) for c in zip(*rows, strict=True)) if rows else [[]] * 6
    n = len(user_ids)
    return pd.DataFrame(
        {
            "id": pd.array(range(1, n + 1), dtype="Int64"),
            "user_id": pd.array(user_ids, dtype="Int64"),
            "organization_id": pd.array([5] * n, dtype="Int64"),
            "resource_type": pd.Series(types, dtype="str"),
            "created": pd.array(created, dtype="Int64"),
            "edited": pd.array(edited, dtype="Int64"),
            "viewed": pd.array(viewed, dtype="Int64"),
            "deleted": pd.array([3] * n, dtype="Int64"),  # deletions earn nothing: any count must leave points alone
            "date": pd.Series([date.fromisoformat(d) if d else None for d in days], dtype=pd.ArrowDtype(pa.date32())),
        }
    )


#: `users` rows of a team of five: names with spaces, empty and missing, three roles sharing a reputation.
TEAM = [
    (1, "Dan", "Lee", "dan@x.io", "Editor", 40),
    (2, " Bo ", "", "bo@x.io", "Manager", 95),
    (3, "cy", "do", "cy@x.io", "Editor", 40),
    (4, "", None, "zed@x.io", "Lite", 40),
    (5, None, "", None, "Read-only", 10),
]


#: Metrics rows over three weeks: a Monday, the Sunday of the same week, and a Tuesday two weeks on.
WEEKS = [
    (7, "Password", 1, 0, 2, "2026-11-02"),  # Monday
    (8, "Document", 0, 1, 1, "2026-11-08"),  # Sunday, same week
    (7, "Password", 0, 0, 4, "2026-11-17"),  # Tuesday two weeks on; the week of 11-09 has nothing
]


#: Metrics rows over two users and two resource types, with a deleted-only row, no type, and no user.
TYPES = [
    (8, "Password", 0, 1, 0, "2026-11-02"),
    (7, "Password", 1, 0, 2, "2026-11-02"),
    (7, "Password", 0, 0, 1, "2026-11-09"),
    (7, "Document", 0, 0, 0, "2026-11-09"),  # deleted only: no points, no row
    (8, None, 0, 0, 2, "2026-11-10"),
    (None, "Password", 9, 9, 9, "2026-11-10"),
]


#: The dtype of Hitask's ``category`` column.
CATEGORY = pd.CategoricalDtype(["project", "task", "event", "note", "file"])


def hitask_items(*rows: dict[str, Any]) -> pd.DataFrame:
    """Hitask items with the loader's dtypes; each row gives the fields that matter (ids count from 1)."""
    defaults = {
        "category": "task", "title": "Task", "project_id": None, "project_title": None, "assignee_id": 0,
        "priority": 20000, "completed": False, "time_create": None, "time_last_update": None, "due_date": None,
    }  # fmt: skip
    raw = pd.DataFrame([{"id": i, **defaults, **row} for i, row in enumerate(rows, 1)], columns=["id", *defaults])
    frame = raw.astype(
        {
            "id": "Int64", "category": CATEGORY, "title": "str", "project_id": "Int64", "project_title": "str",
            "assignee_id": "Int64", "priority": "Int64", "completed": "boolean",
        }
    )  # fmt: skip
    for name in ("time_create", "time_last_update", "due_date"):
        frame[name] = pd.to_datetime(raw[name], utc=True, format="ISO8601").astype("datetime64[us, UTC]")
    return frame


def glasshat_tasks(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """Glasshat tasks (id, project_id, priority, status, created, completed) with the loader's dtypes."""
    raw = pd.DataFrame(list(rows), columns=["id", "project_id", "priority", "status", "created", "completed"])
    return pd.DataFrame(
        {
            "id": raw["id"].astype("Int64"),
            "project_id": raw["project_id"].astype("Int64"),
            "title": ("Task " + raw["id"].astype("str")).astype("str"),
            "type": pd.Series(["content"] * len(raw), dtype="str"),
            "priority": raw["priority"].astype("Int64"),
            "status": raw["status"].astype("str"),
            "created": pd.to_datetime(raw["created"], utc=True, format="ISO8601").astype("datetime64[us, UTC]"),
            "updated": pd.to_datetime(raw["created"], utc=True, format="ISO8601").astype("datetime64[us, UTC]"),
            "completed": pd.to_datetime(raw["completed"], utc=True, format="ISO8601").astype("datetime64[us, UTC]"),
        }
    )


def logs_frame(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """Log rows (created_at, organization_id, action) with the dtypes ``load_logs()`` produces."""
    raw = pd.DataFrame(list(rows), columns=["created_at", "organization_id", "action"])
    return pd.DataFrame(
        {
            "created_at": pd.to_datetime(raw["created_at"], utc=True).astype("datetime64[us, UTC]"),
            "user_id": pd.array([7] * len(rows), dtype="Int64"),
            "organization_id": raw["organization_id"].astype("Int64"),
            "action": raw["action"].astype("str"),
        }
    )


def expirations(
    dates: Sequence[str | None], orgs: Sequence[str | None] | None = None, types: Sequence[str | None] | None = None
) -> pd.DataFrame:
    """A frame with the dtypes ``load_expirations`` produces."""
    n = len(dates)
    return pd.DataFrame(
        {
            "id": pd.array(range(1, n + 1), dtype="Int64"),
            "organization_name": pd.Series(orgs if orgs is not None else ["Acme"] * n, dtype="str"),
            "expiration_date": pd.Series(
                pd.to_datetime(list(dates), utc=True, format="ISO8601"), dtype="datetime64[us, UTC]"
            ),
            "resource_type_name": pd.Series(types if types is not None else ["Domain"] * n, dtype="str"),
            "resource_name": pd.Series([f"r{i}" for i in range(1, n + 1)], dtype="str"),
            "days_until": pd.array([0] * n, dtype="Int64"),
        }
    )


# Logs, "GET /logs", "Example return value".
LOGS = """\
{
"data":[
{
"id": "574989297464115201",
"type": "logs",
"attributes":{
"created-at": "2021-07-24T00:55:31.000Z",
"level": 2,
"account-id": 1,
"user-id": 1,
"organization-id": 1,
"action": "create",
"resource-type": "User",
"resource-name": "Super Admin",
"ip-address": "10.21.0.10",
"ip-city": "San Diego",
"ip-region": "CA",
"ip-country": "United States",
"user-agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/91.0.4472.164 Safari/537.36"
}
}
]
}
"""  # noqa: E501 (the example verbatim: its user-agent is one long line)


def cached(cache: FrameCache, key: str) -> CachedFrame:
    """The entry a frame cache must hold under ``key``."""
    entry = cache.get(key)
    assert entry is not None, f"no fresh entry {key!r}"
    return entry


def cached_meta(cache: FrameCache, key: str) -> dict[str, Any]:
    """The metadata of the entry a frame cache must hold under ``key``."""
    meta = cache.meta(key)
    assert meta is not None, f"no entry {key!r}"
    return meta


# ---------------------------------------------------------------------------------------------------- secrets


#: A Hitask password with characters that URL and form encodings change.
HITASK_PASSWORD = "p@ss word&Secret#1"


#: Every character an encoding treats specially, non-ASCII (two, three and four UTF-8 bytes) included.
NASTY_PASSWORD = "pä\"ss\\/wörd&<Secret>#1 €💥'+%~"


def echoes(secret: str) -> dict[str, str]:
    """Each way a server may quote ``secret`` back, by name (what `scrub` must recognise)."""
    as_json = json.dumps(secret)[1:-1]
    return {
        "raw": secret,
        "quote": quote(secret, safe=""),
        "quote safe=/": quote(secret),
        "quote lower-case hex": _lower_hex(quote(secret, safe="")),
        "quote_plus": quote_plus(secret),
        "quote_plus safe=/": quote_plus(secret, safe="/"),
        "form-encoded": urlencode({"password": secret}).split("=", 1)[1],
        "form-encoded lower-case hex": _lower_hex(quote_plus(secret)),
        "unquote of quote_plus (+ for space)": unquote(quote_plus(secret)),
        "quote twice": quote(quote(secret, safe=""), safe=""),
        "quote_plus twice": quote_plus(quote_plus(secret)),
        "json": as_json,
        "json upper-case \\u": _upper_hex(as_json),
        "json ensure_ascii=False": json.dumps(secret, ensure_ascii=False)[1:-1],
        "json escaped /": as_json.replace("/", "\\/"),
        "json twice": json.dumps(as_json)[1:-1],
        "html": html.escape(secret),
        "html &#39;": html.escape(secret).replace("&#x27;", "&#39;"),
        "html quote=False": html.escape(secret, quote=False),
        "html of json": html.escape(as_json),
        "json of quote_plus": json.dumps(quote_plus(secret))[1:-1],
    }


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


def _upper_hex(text: str) -> str:
    return re.sub(r"\\u[0-9a-f]{4}", lambda m: "\\u" + m.group()[2:].upper(), text)


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
        import redis

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


# ---------------------------------------------------------------------------------------------------- figures


def figure_of(ax: Axes) -> Figure:
    """The figure an Axes draws on (a top-level figure in these tests, not a subfigure)."""
    figure = ax.get_figure(root=True)
    assert isinstance(figure, Figure)
    return figure


def legend_of(ax: Axes) -> Legend:
    """The Axes' legend, which the test expects to be there."""
    legend = ax.get_legend()
    assert legend is not None, "the Axes has no legend"
    return legend


def legend_texts(ax: Axes) -> list[str]:
    """The labels of the Axes' legend, in order."""
    legend = ax.get_legend()
    assert legend is not None, "the Axes has no legend"
    return [text.get_text() for text in legend.get_texts()]


def bars(ax: Axes) -> list[Rectangle]:
    """The Axes' patches, every one a bar (a Rectangle)."""
    rectangles = [patch for patch in ax.patches if isinstance(patch, Rectangle)]
    assert len(rectangles) == len(ax.patches), f"not only bars: {ax.patches}"
    return rectangles


def ydata(line: Line2D) -> list[Any]:
    """A line's y values as a list."""
    return list(np.asarray(line.get_ydata()).tolist())


def offsets(collection: Collection) -> np.ndarray[Any, Any]:
    """The positions of a collection's markers, one row per point."""
    return np.asarray(collection.get_offsets())


def image_array(ax: Axes, index: int = 0) -> np.ndarray[Any, Any]:
    """The values of the Axes' ``index``-th image (a heatmap's cells)."""
    array = ax.images[index].get_array()
    assert array is not None, "the image has no data"
    return np.asarray(array)
