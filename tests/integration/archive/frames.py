"""Synthetic loader frames for the archive's integration tests (logs and users with the loaders' dtypes)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from apitoolkit.frames import empty_frame
from apitoolkit.itglue.schema import LOGS

#: The actions synthetic logs use.
ACTIONS = ["sign_in", "view", "edit", "export"]
#: The first moment of synthetic logs; ids spread them over about four months from here.
ORIGIN = pd.Timestamp("2026-08-01 00:00", tz="UTC")


def logs(ids: Iterable[int]) -> pd.DataFrame:
    """Log rows with ``load_logs()``'s columns and dtypes; each row depends only on its id (same id, same row).

    Ids run through about four months (id ``i`` at ``ORIGIN`` + i * 37 minutes plus a jitter of the id).
    """
    chosen = np.asarray(list(ids), dtype="int64")
    minutes = chosen * 37 + (chosen * 7919) % 31
    frame = empty_frame(LOGS)
    n = len(chosen)
    values = {
        "id": chosen,
        "created_at": ORIGIN + pd.to_timedelta(minutes, unit="min"),
        "level": np.full(n, 1),
        "account_id": np.full(n, 99),
        "user_id": chosen % 13,
        "organization_id": chosen % 5,
        "action": [ACTIONS[i % len(ACTIONS)] for i in (chosen * 31) % 97],
        "resource_type": ["Password"] * n,
        "resource_name": [f"secret {i}" for i in chosen],
        "ip_address": ["10.0.0.1"] * n,
        "ip_city": ["Pune"] * n,
        "ip_region": ["MH"] * n,
        "ip_country": ["IN"] * n,
        "user_agent": ["pytest"] * n,
    }
    return pd.DataFrame({name: pd.Series(values[name]).astype(frame[name].dtype) for name in frame.columns})


def users(count: int, *, tag: str = "") -> pd.DataFrame:
    """``count`` users with the columns and dtypes of a users snapshot."""
    return pd.DataFrame(
        {
            "id": pd.array(range(1, count + 1), dtype="Int64"),
            "first_name": pd.Series([f"User{i}{tag}" for i in range(1, count + 1)], dtype="str"),
            "role_name": pd.Series(["Editor"] * count, dtype="str"),
            "reputation": pd.array([i * 3 for i in range(count)], dtype="Int64"),
        }
    )
