"""Glasshat: the client and its loaders (clients, projects, tasks)."""

from __future__ import annotations

from apitoolkit.glasshat.client import GlasshatClient
from apitoolkit.glasshat.loaders import load_clients, load_projects, load_tasks

__all__ = ["GlasshatClient", "load_clients", "load_projects", "load_tasks"]
