"""One contract for every cache location: a directory and a Redis server must behave alike.

Each test runs twice, with ``APITOOLKIT_CACHE`` set to a directory and to a ``redis://`` URL (a real
``redis-server`` on loopback, with a password), against the emulator: HTTP and frame caches, account
isolation, credentials never stored, refresh, expiry, offline mode, Hitask snapshots, cache_info and
clear_cache, the stale fallback, and one rate-limit budget shared by processes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import redis

import apitoolkit
from apitoolkit.cache import FrameCache
from apitoolkit.config import cache_location
from apitoolkit.emulator import EmulatorServer
from apitoolkit.exceptions import CacheError, ConfigurationError, OfflineError
from apitoolkit.frames import pages_to_frame
from apitoolkit.hitask import flush_snapshots, load_items, load_tags
from apitoolkit.http import RequestSpec
from apitoolkit.itglue import ITGlueClient, load_organizations, load_users
from apitoolkit.loading import load_source
from apitoolkit.stores import frame_store
from apitoolkit.stores.redis import STALE_RETENTION
from tests.helpers import (
    FAST_RETRY,
    USERS,
    cached,
    cached_meta,
    files_containing,
    hitask_client,
    page,
    rec,
    redis_keys_containing,
    start_redis_server,
    stop_process,
)

OTHER_KEY = "itg-second-account-key-7f3e9a1c5b"


@dataclass
class Backend:
    """One cache location under test, with the probes the contract needs."""

    kind: str
    location: str
    root: Path

    def containing(self, secret: str) -> list[str]:
        """Every stored file or Redis key holding ``secret``."""
        if self.kind == "redis":
            return redis_keys_containing(self.location, secret)
        return [str(p) for p in files_containing(self.root, secret)]

    def drop_frames(self) -> None:
        """Forget the flattened frames only, so the HTTP cache has to answer."""
        if self.kind == "redis":
            with redis.Redis.from_url(self.location) as client:
                for key in client.scan_iter(match="apitoolkit:frames:*"):
                    client.delete(key)
        else:
            for parquet in (self.root / "frames").rglob("*.parquet"):
                parquet.unlink()

    def http_accounts(self) -> set[str]:
        """The accounts that have an HTTP cache."""
        if self.kind == "redis":
            with redis.Redis.from_url(self.location) as client:
                keys = [k.decode() for k in client.scan_iter(match="apitoolkit:http:*")]
            return {k.split(":")[2].removesuffix("-redirects").partition("-")[2] for k in keys}
        return {p.stem.partition("-")[2] for p in (self.root / "http").glob("*.sqlite")}


@pytest.fixture(params=["directory", "redis"])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, cache_dir: Path) -> Backend:
    location = request.getfixturevalue("redis_url") if request.param == "redis" else str(cache_dir)
    monkeypatch.setenv("APITOOLKIT_CACHE", location)
    return Backend(request.param, location, cache_dir)


@pytest.fixture
def itglue(backend: Backend, itglue: ITGlueClient) -> ITGlueClient:
    """The suite's IT Glue client, made once the backend's APITOOLKIT_CACHE is set."""
    return itglue


def itglue_client(emulator: EmulatorServer, key: str | None = None, **options: Any) -> ITGlueClient:
    env = emulator.environ()
    return ITGlueClient(
        api_key=key or env["ITGLUE_API_KEY"], base_url=env["ITGLUE_BASE_URL"], retry=FAST_RETRY, **options
    )


def sent(emulator: EmulatorServer) -> int:
    return emulator.app.stats.snapshot()["total"]


def contract_frames(fmt: str) -> FrameCache:
    """A frame cache of the configured location (the backend under test)."""
    store = frame_store(cache_location(), "frames", "itglue-contract", fmt=fmt)
    assert store is not None
    return FrameCache(store)


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("id").reset_index(drop=True)


def test_contract__http_and_frame_caches_answer_without_requests(
    backend: Backend, itglue: ITGlueClient, emulator: EmulatorServer
) -> None:
    first = load_users(client=itglue)
    count = sent(emulator)
    second = load_users(client=itglue)
    backend.drop_frames()
    third = load_users(client=itglue)
    assert sent(emulator) == count
    assert [load_source(f) for f in (first, second, third)] == ["network", "frame-cache", "http-cache"]
    pd.testing.assert_frame_equal(second, first)
    pd.testing.assert_frame_equal(third, first)


def test_contract__accounts_never_see_each_others_data(
    backend: Backend, itglue: ITGlueClient, emulator: EmulatorServer
) -> None:
    emulator.app.itglue.add_account(OTHER_KEY, seed=7, users=7)
    other = itglue_client(emulator, OTHER_KEY)
    mine = load_users(client=itglue)
    before = sent(emulator)
    theirs = load_users(client=other)
    assert load_source(theirs) == "network" and sent(emulator) > before
    assert len(theirs) == 7 and len(mine) != 7
    assert backend.http_accounts() == {itglue.namespace, other.namespace}
    backend.drop_frames()
    again = load_users(client=other)
    assert load_source(again) == "http-cache"
    pd.testing.assert_frame_equal(again, theirs)


def test_contract__credentials_never_stored(backend: Backend, itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    load_users(client=itglue)
    hitask = hitask_client(emulator)
    load_items(hitask)
    load_tags(hitask)
    flush_snapshots()
    env = emulator.environ()
    secrets = [env["ITGLUE_API_KEY"], env["HITASK_API_KEY"], env["HITASK_PASSWORD"], hitask._session_id]
    if backend.kind == "redis":
        password = backend.location.split(":")[2].split("@")[0]
        secrets.append(password)
        for shown in (repr(itglue), repr(itglue.config), str(apitoolkit.cache_info().to_dict())):
            assert password not in shown
    for secret in secrets:
        assert secret is not None
        assert secret and backend.containing(secret) == [], secret[:4]
    assert backend.containing(f"login={env['HITASK_LOGIN']}") == []


def test_contract__refresh_fetches_again_and_replaces(
    backend: Backend, itglue: ITGlueClient, emulator: EmulatorServer
) -> None:
    load_users(client=itglue)
    count = sent(emulator)
    refreshed = load_users(client=itglue, refresh=True)
    assert load_source(refreshed) == "network" and sent(emulator) > count
    count = sent(emulator)
    assert load_source(load_users(client=itglue)) == "frame-cache" and sent(emulator) == count


def test_contract__expired_entries_are_fetched_again(backend: Backend, emulator: EmulatorServer) -> None:
    client = itglue_client(emulator, expire_after=0.2)
    load_users(client=client)
    assert load_source(load_users(client=client)) == "frame-cache"
    time.sleep(0.25)
    count = sent(emulator)
    assert load_source(load_users(client=client)) == "network" and sent(emulator) > count


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_contract__frame_entries_round_trip_expire_and_replace_whole(backend: Backend, fmt: str) -> None:
    frames = contract_frames(fmt)
    users = pages_to_frame([page(rec(1), rec(2, reputation=None), rec(3))], USERS)
    frames.put("k", users, ttl=0.1, extra={"cursor": "7"})
    assert frames.exists("k") and not frames.exists("other")
    pd.testing.assert_frame_equal(cached(frames, "k").frame, users)
    assert cached_meta(frames, "k")["extra"] == {"cursor": "7"}
    time.sleep(0.15)
    assert frames.get("k") is None
    stale = frames.get("k", allow_expired=True)
    assert stale is not None and stale.expires_at - stale.stored_at == pytest.approx(0.1)
    frames.put("k", users.head(2), ttl=60)
    assert len(cached(frames, "k").frame) == 2 and cached_meta(frames, "k")["extra"] == {}


def test_contract__readers_never_see_half_an_entry(backend: Backend) -> None:
    frames = contract_frames("parquet")
    versions = [pages_to_frame([page(*(rec(i) for i in range(1, n + 1)))], USERS) for n in (1, 500)]
    frames.put("k", versions[0], ttl=60, extra={"rows": 1})
    stop = threading.Event()

    def rewrite() -> None:
        while not stop.is_set():
            for frame in versions:
                frames.put("k", frame, ttl=60, extra={"rows": len(frame)})

    writer = threading.Thread(target=rewrite)
    writer.start()
    seen: list[Any] = []
    deadline = time.monotonic() + 10
    try:  # read until both versions were seen, at least 40 times
        while len(seen) < 40 or {len(hit.frame) for hit in seen if hit is not None} != {1, 500}:
            assert time.monotonic() < deadline, "the reader never saw both versions"
            seen.append(frames.get("k"))
    finally:
        stop.set()
        writer.join()
    assert all(hit is not None and len(hit.frame) == hit.meta["rows"] for hit in seen)


def test_contract__offline_serves_the_cache_and_misses_clearly(
    backend: Backend, itglue: ITGlueClient, emulator: EmulatorServer
) -> None:
    online = load_users(client=itglue)
    offline = itglue_client(emulator, offline=True)
    count = sent(emulator)
    pd.testing.assert_frame_equal(load_users(client=offline), online)
    backend.drop_frames()
    assert load_source(load_users(client=offline)) == "http-cache"
    with pytest.raises(OfflineError, match="not in the cache"):
        load_organizations(client=offline)
    assert sent(emulator) == count


def test_contract__hitask_snapshot_syncs_deltas_and_serves_offline_and_stale(
    backend: Backend, emulator: EmulatorServer
) -> None:
    hitask = hitask_client(emulator)
    assert load_source(load_items(hitask)) == "network"
    flush_snapshots()
    emulator.app.hitask.mutate(fraction=0.05, seed=3)
    before = len(emulator.app.stats.requests)
    synced = load_items(hitask)
    paths = [r.path for r in emulator.app.stats.requests[before:] if r.service == "hitask"]
    assert load_source(synced) == "delta" and [p.rsplit("/", 1)[0] for p in paths] == ["/item/delta"]
    pd.testing.assert_frame_equal(by_id(synced), by_id(load_items(hitask_client(emulator, cache="off"))))
    flush_snapshots()
    offline = load_items(hitask_client(emulator, offline=True))
    assert load_source(offline) == "frame-cache"
    pd.testing.assert_frame_equal(by_id(offline), by_id(synced))
    emulator.app.faults.add("server_error", rate=1.0, service="hitask", path="delta", status=500)
    with pytest.warns(apitoolkit.StaleDataWarning, match="could not be reached"):
        assert load_source(load_items(hitask)) == "stale-cache"


def test_contract__cache_info_and_clear_cache(backend: Backend, itglue: ITGlueClient, emulator: EmulatorServer) -> None:
    load_users(client=itglue)
    hitask = hitask_client(emulator)
    load_items(hitask)
    load_tags(hitask)
    flush_snapshots()
    info = apitoolkit.cache_info()
    kinds = {service: set(rows["kind"]) for service, rows in info.groupby("service")}
    assert kinds == {"itglue": {"http", "frames"}, "hitask": {"http", "frames", "snapshots"}}
    assert (info["bytes"] > 0).all() and (info["files"] > 0).all()
    assert (info["updated"] > pd.Timestamp.now(tz="UTC") - pd.Timedelta(minutes=5)).all()
    assert set(info["account"]) == {itglue.namespace, hitask.namespace}
    assert apitoolkit.clear_cache("itglue") > 0
    assert set(apitoolkit.cache_info()["service"]) == {"hitask"}
    assert load_source(load_users(client=itglue_client(emulator))) == "network"
    assert apitoolkit.clear_cache() > 0
    assert apitoolkit.cache_info().empty
    assert load_source(load_items(hitask_client(emulator))) == "network"


def test_contract__api_down_serves_the_expired_copy(backend: Backend, emulator: EmulatorServer) -> None:
    client = itglue_client(emulator, expire_after=0.05)
    fresh = load_users(client=client)
    emulator.app.faults.add("server_error", rate=1.0, service="itglue", status=503)
    time.sleep(0.1)
    with pytest.warns(apitoolkit.StaleDataWarning, match="users: itglue could not be reached"):
        stale = load_users(client=client)
    assert load_source(stale) == "stale-cache"
    pd.testing.assert_frame_equal(stale, fresh)


WORKER = textwrap.dedent(
    """
    import sys
    from apitoolkit.http import RequestSpec
    from apitoolkit.itglue import ITGlueClient
    base_url, key = sys.argv[1], sys.argv[2]
    client = ITGlueClient(api_key=key, base_url=base_url, rate_limit=(5, 1.0))
    print("ready", flush=True)
    sys.stdin.readline()
    for number in range(1, 6):
        client.request("GET", RequestSpec("users", params={"page[size]": 1, "page[number]": number}))
    """
)


def test_contract__processes_share_one_rate_limit(backend: Backend, emulator: EmulatorServer) -> None:
    emulator.app.configure(service="itglue", rate_limit=(5, 1.0), retry_after=True)
    env = emulator.environ()
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER, env["ITGLUE_BASE_URL"], env["ITGLUE_API_KEY"]],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    here = itglue_client(emulator, rate_limit=(5, 1.0))
    assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    assert worker.stdin is not None
    worker.stdin.write("go\n")
    worker.stdin.close()
    for number in range(6, 11):  # this process and the worker at once, on one budget
        here.request("GET", RequestSpec("users", params={"page[size]": 1, "page[number]": number}))
    assert worker.wait(timeout=60) == 0
    requests = [r for r in emulator.app.stats.requests if r.service == "itglue"]
    assert [r.status for r in requests] == [200] * 10  # never a 429: one budget, not one per process
    assert emulator.app.stats.max_in_window(1.0, service="itglue") <= 5
    assert requests[-1].time - requests[0].time >= 0.9  # 10 requests at 5 per second


# ----------------------------------------------------------------------------------- Redis only
def test_redis__keys_carry_the_layout_and_expiry(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, emulator: EmulatorServer
) -> None:
    monkeypatch.setenv("APITOOLKIT_CACHE", redis_url)
    client = itglue_client(emulator, expire_after=600)
    load_users(client=client)
    with redis.Redis.from_url(redis_url) as server:
        keys = {k.decode(): server.pttl(k) / 1000 for k in server.scan_iter(match="apitoolkit:*")}
    account = f"itglue-{client.namespace}"
    frames = [k for k in keys if k.startswith(f"apitoolkit:frames:{account}:users-")]
    http = [k for k in keys if k.startswith(f"apitoolkit:http:{account}:")]
    assert len(frames) == 1 and http
    assert any(k.startswith(f"apitoolkit:ratelimit:itglue_{client.namespace}_") for k in keys)
    assert keys[frames[0]] == pytest.approx(600 + STALE_RETENTION, abs=5)
    assert all(600 < keys[k] <= 600 + 3600 for k in http)


def test_redis__unreachable_server_names_host_and_port_only(
    monkeypatch: pytest.MonkeyPatch, emulator: EmulatorServer
) -> None:
    with __import__("socket").socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("APITOOLKIT_CACHE", f"redis://:hunter2-secret@127.0.0.1:{port}/0")
    with pytest.raises(CacheError, match=rf"127\.0\.0\.1:{port}.*APITOOLKIT_CACHE") as info:
        itglue_client(emulator)
    assert "hunter2" not in str(info.value) and info.value.__cause__ is None
    with pytest.raises(CacheError, match=rf"127\.0\.0\.1:{port}"):
        apitoolkit.cache_info()


def test_redis__wrong_password_is_a_configuration_error(
    redis_url: str, monkeypatch: pytest.MonkeyPatch, emulator: EmulatorServer
) -> None:
    wrong = redis_url.replace("redis://:", "redis://:not-the-password-", 1)
    monkeypatch.setenv("APITOOLKIT_CACHE", wrong)
    with pytest.raises(ConfigurationError, match="refused the credentials") as info:
        itglue_client(emulator)
    assert "not-the-password" not in str(info.value)


def test_redis__server_lost_mid_session_is_a_cache_error(
    monkeypatch: pytest.MonkeyPatch, emulator: EmulatorServer
) -> None:
    process, url = start_redis_server("lost-server-pw")
    try:
        monkeypatch.setenv("APITOOLKIT_CACHE", f"{url}/0")
        client = itglue_client(emulator)
        load_users(client=client)
    finally:
        stop_process(process)
    port = url.rsplit(":", 1)[1]
    with pytest.raises(CacheError, match=rf"Could not reach the Redis cache at 127\.0\.0\.1:{port}") as info:
        load_organizations(client=client)
    assert "lost-server-pw" not in str(info.value)
