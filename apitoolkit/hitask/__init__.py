"""Hitask: the client and its loaders (items with incremental sync, item history, tags, team, contacts)."""

from __future__ import annotations

from apitoolkit.hitask.client import HitaskClient
from apitoolkit.hitask.loaders import (
    SyncWarning,
    explode,
    flush_snapshots,
    load_contacts,
    load_item_history,
    load_items,
    load_tags,
    load_team_members,
)

__all__ = [
    "HitaskClient",
    "SyncWarning",
    "explode",
    "flush_snapshots",
    "load_contacts",
    "load_item_history",
    "load_items",
    "load_tags",
    "load_team_members",
]
