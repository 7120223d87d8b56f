"""IT Glue: the client and its loaders (users, user metrics, logs, expirations, organizations, any list)."""

from __future__ import annotations

from apitoolkit.itglue.client import ITGlueClient
from apitoolkit.itglue.loaders import (
    add_days_until,
    load_expirations,
    load_logs,
    load_organizations,
    load_resource,
    load_user_metrics,
    load_users,
)

__all__ = [
    "ITGlueClient",
    "add_days_until",
    "load_expirations",
    "load_logs",
    "load_organizations",
    "load_resource",
    "load_user_metrics",
    "load_users",
]
