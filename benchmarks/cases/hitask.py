"""Case ``hitask``: refreshing 50,000 Hitask items with 1% changed, incrementally or by a full reload.

The emulator (large: 50,000 items) runs in its own process. Before each timed run, untimed: ``incremental``
loads everything once into a fresh cache (the snapshot and cursor), then the emulator changes 1% of the
items (a mix of edits, completions, additions and deletions); the work is the next `load_items`, which asks
only for the delta and merges it. ``full`` gets the same 1% change and then reloads everything
(``refresh=True``). Both return the same frame.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import urllib.request
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Case, Contender, Target, ratio


def _mutate(fraction: float) -> None:
    root = os.environ["HITASK_BASE_URL"].rsplit("/hitask", 1)[0]
    body = json.dumps({"fraction": fraction, "seed": os.getpid()}).encode()
    request = urllib.request.Request(
        f"{root}/_emulator/hitask/mutate", data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    urllib.request.urlopen(request, timeout=60)  # loopback only


def _client() -> Any:
    from apitoolkit.hitask import HitaskClient

    return HitaskClient(cache=tempfile.mkdtemp(prefix="bench-hitask-"))


def incremental(fraction: float) -> Callable[[], Any]:
    """A synced snapshot, then ``fraction`` of the items changed; the work is the incremental refresh."""
    from apitoolkit.hitask import load_items

    client = _client()
    load_items(client)
    _mutate(fraction)
    return lambda: load_items(client)


def full(fraction: float) -> Callable[[], Any]:
    """The same change; the work is a full reload."""
    from apitoolkit.hitask import load_items

    client = _client()
    client.sign_in()
    _mutate(fraction)
    return lambda: load_items(client, refresh=True)


def build(records: int) -> Case:
    """The case; ``records`` is not used (50,000 items, as the issue sets)."""
    module = "benchmarks.cases.hitask"
    command = [sys.executable, "-m", "apitoolkit", "emulator", "--port", "0", "--size", "large"]
    return Case(
        name="hitask",
        contenders=[
            Contender("full", f"{module}:full", {"fraction": 0.01}),
            Contender("incremental", f"{module}:incremental", {"fraction": 0.01}),
        ],
        service=command,
        targets=[Target("refresh speed-up: full reload / incremental", ratio("full", "incremental"), ">=", 20.0)],
    )
