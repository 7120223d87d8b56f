"""Glasshat's resources: clients, their projects, and the projects' tasks (action recommendations)."""

from __future__ import annotations

from apitoolkit.frames import Field, Schema

__all__ = ["CLIENTS", "PROJECTS", "TASKS"]

CLIENTS = Schema(
    "clients", (Field("id", "int"), Field("name", "str"), Field("website", "str"), Field("created", "datetime"))
)

PROJECTS = Schema(
    "projects",
    (
        Field("id", "int"),
        Field("client_id", "int"),
        Field("name", "str"),
        Field("domain", "str"),
        Field("created", "datetime"),
    ),
)

TASKS = Schema(
    "tasks",
    (
        Field("id", "int"),
        Field("project_id", "int"),
        Field("title", "str"),
        Field("type", "str"),
        Field("priority", "int"),
        Field("status", "str"),
        Field("created", "datetime"),
        Field("updated", "datetime"),
        Field("completed", "datetime"),
    ),
)
