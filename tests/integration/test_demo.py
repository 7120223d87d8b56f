"""The demo's emulator on a stable port (so a rerun comes from the cache) and its summary's columns."""

from __future__ import annotations

import io
import os
import re
import socket
from collections.abc import Iterator
from typing import Any

import pytest

import apitoolkit.emulator.core.server
from apitoolkit.analysis import reputation_leaderboard
from apitoolkit.demo import demo_emulator, display_width, environment, fit, run_demo
from apitoolkit.emulator import EmulatorServer
from apitoolkit.envvars import emulator_environment


@pytest.fixture
def ports(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[int, int]]:
    """Two free loopback ports standing in for the shared emulator's `PORTS` (8765 may be in use on this machine)."""
    probes = [socket.create_server(("127.0.0.1", 0)) for _ in range(2)]
    chosen = tuple(p.getsockname()[1] for p in probes)
    for probe in probes:
        probe.close()
    monkeypatch.setattr(apitoolkit.emulator.core.server, "PORTS", chosen)
    yield chosen


@pytest.fixture
def busy(ports: tuple[int, int]) -> Iterator[socket.socket]:
    """The first port held by something that is not an emulator: a plain listening socket."""
    with socket.create_server(("127.0.0.1", ports[0])) as holder:
        yield holder


def _sources(printed: str) -> dict[str, str]:
    return dict(re.findall(r"^  (\S.*?) +[\d,]+ rows +[\d.]+ s  from (\S+)$", printed, flags=re.M))


#: A rerun's loads from the same cache namespace (the logs of the current day are always fetched again).
FROM_CACHE = {"users", "organizations", "user metrics (30 days)", "expirations"}


def _cached(printed: str) -> set[str]:
    sources = _sources(printed)
    assert len(sources) == 5, printed
    return {name for name, source in sources.items() if source == "frame-cache"}


def test_demo__a_rerun_comes_from_the_cache_when_the_first_port_is_busy(busy: Any, ports: tuple[int, int]) -> None:
    first, second = io.StringIO(), io.StringIO()
    assert run_demo(reports=None, out=first) == 0
    assert run_demo(reports=None, out=second) == 0
    assert f"Emulator serving on http://127.0.0.1:{ports[1]} " in first.getvalue()
    assert f"Emulator serving on http://127.0.0.1:{ports[1]} " in second.getvalue()
    assert set(_sources(first.getvalue()).values()) == {"network"}
    assert _cached(second.getvalue()) >= FROM_CACHE


def test_demo__an_emulator_already_serving_the_same_data_is_reused(ports: tuple[int, int]) -> None:
    with EmulatorServer(port=ports[0], seed=1, size="small") as running:
        printed = io.StringIO()
        assert run_demo(reports=None, out=printed) == 0
        assert f"Emulator already serving on {running.url} (seed 1, size small)." in printed.getvalue()
        assert running.app.stats.snapshot()["total"] >= 5  # the loads went to it
        again = io.StringIO()
        assert run_demo(reports=None, out=again) == 0
        assert _cached(again.getvalue()) >= FROM_CACHE
        with socket.create_connection(("127.0.0.1", ports[0]), timeout=2):
            pass  # still serving: the demo does not stop an emulator it did not start


@pytest.mark.parametrize("other", [{"seed": 2, "size": "small"}, {"seed": 1, "size": "medium"}])
def test_demo__an_emulator_with_other_data_is_not_reused(other: dict[str, Any], ports: tuple[int, int]) -> None:
    with EmulatorServer(port=ports[0], **other), demo_emulator(seed=1, size="small") as chosen:
        assert (chosen.url, chosen.reused) == (f"http://127.0.0.1:{ports[1]}", False)


def test_demo__all_ports_taken_serves_on_any_free_port(ports: tuple[int, int]) -> None:
    taken = [socket.create_server(("127.0.0.1", port)) for port in ports]
    try:
        with demo_emulator() as chosen:
            port = int(chosen.url.rsplit(":", 1)[1])
            assert port not in ports and not chosen.reused
    finally:
        for holder in taken:
            holder.close()


def test_demo__a_given_port_is_served_on_or_reused(ports: tuple[int, int]) -> None:
    with demo_emulator(port=ports[1]) as served:
        assert (served.url, served.reused) == (f"http://127.0.0.1:{ports[1]}", False)
        with demo_emulator(port=ports[1]) as reused:
            assert reused.reused and reused.environ() == served.environ()
    with socket.create_server(("127.0.0.1", ports[0])), pytest.raises(OSError), demo_emulator(port=ports[0]):
        pass


def test_emulator_environment__points_every_service_at_the_emulator_for_the_block(
    ports: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ITGLUE_BASE_URL", "https://api.itglue.com")
    monkeypatch.delenv("HITASK_BASE_URL", raising=False)
    with emulator_environment(seed=1, size="small") as emulator:
        assert emulator.url == f"http://127.0.0.1:{ports[0]}" and not emulator.reused
        assert {name: os.environ[name] for name in emulator.environ()} == emulator.environ()
        assert os.environ["HITASK_BASE_URL"] == f"{emulator.url}/hitask"
    assert os.environ["ITGLUE_BASE_URL"] == "https://api.itglue.com" and "HITASK_BASE_URL" not in os.environ
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", ports[0]), timeout=2).close()  # the emulator it started is stopped


def test_demo__summary_columns_align_by_display_width_and_ties_sort_as_the_leaderboard(ports: Any) -> None:
    printed = io.StringIO()
    with demo_emulator() as emulator, environment(emulator.environ()):
        import apitoolkit

        board = reputation_leaderboard(apitoolkit.load_users(), top=5)
        assert run_demo(reports=None, out=printed) == 0
    lines = printed.getvalue().split("Top reputations\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(lines) == 5
    assert [name in line for name, line in zip(board["name"], lines, strict=True)] == [True] * 5
    assert any(display_width(name) != len(name) for name in board["name"])  # the demo data has a CJK name
    roles = [display_width(line[: line.index(role)]) for line, role in zip(lines, board["role_name"], strict=True)]
    assert len(set(roles)) == 1, lines
    assert len({display_width(line) for line in lines}) == 1, lines
    due = printed.getvalue().split("Expirations due in the next 30 days", 1)[1].splitlines()[1:6]
    assert len({display_width(line[: line.index("(")]) for line in due}) == 1, due


def test_display_width__wide_and_combining_characters() -> None:
    assert display_width("abc") == 3
    assert display_width("聡太郎") == 6
    assert display_width("e\N{COMBINING ACUTE ACCENT}") == 1
    assert display_width("ＡＢ") == 4  # fullwidth


def test_fit__pads_and_cuts_by_display_width() -> None:
    assert fit("聡太郎 中村", 12) == "聡太郎 中村 "
    assert display_width(fit("聡太郎中村聡太郎中村", 7)) == 7
    assert fit("聡太郎中村", 6) == "聡太… "
    assert fit("abcdef", 4) == "abc…"
    assert fit("", 3) == "   "
