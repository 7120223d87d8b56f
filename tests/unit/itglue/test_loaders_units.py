"""IT Glue loaders' pure steps: ordering and de-duplication of stitched windows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from apitoolkit.itglue.loaders import _dedupe_sorted, _is_sorted


def logs(times: list[str], ids: list[int | None]) -> pd.DataFrame:
    return pd.DataFrame({"created_at": pd.to_datetime(times, utc=True), "id": pd.array(ids, dtype="Int64")})


def test_is_sorted__lexicographic_on_every_key() -> None:
    assert _is_sorted(logs(["2026-11-01", "2026-11-01", "2026-11-02"], [1, 2, 0]), ["created_at", "id"])
    assert not _is_sorted(logs(["2026-11-01", "2026-11-01"], [2, 1]), ["created_at", "id"])
    assert not _is_sorted(logs(["2026-11-02", "2026-11-01"], [1, 2]), ["created_at", "id"])
    assert not _is_sorted(logs(["2026-11-01", "2026-11-02"], [1, None]), ["created_at", "id"])  # missing: sort
    assert _is_sorted(logs(["2026-11-01"], [1]), ["created_at", "id"])


def test_dedupe_sorted__last_copy_wins_in_order_and_no_copy_when_nothing_to_do() -> None:
    mixed = logs(["2026-11-02", "2026-11-01", "2026-11-02"], [5, 4, 5])
    out = _dedupe_sorted(mixed, ["created_at", "id"])
    assert out["id"].tolist() == [4, 5] and out.index.tolist() == [0, 1]
    clean = logs(["2026-11-01", "2026-11-02"], [1, 2])
    clean.attrs["apitoolkit"] = {"source": "network"}
    kept = _dedupe_sorted(clean, ["created_at", "id"])
    assert kept.attrs == clean.attrs
    assert np.shares_memory(kept["created_at"].array.asi8, clean["created_at"].array.asi8)
