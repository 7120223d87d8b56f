"""Hitask's resources as the API reference documents them: items (five categories), history, tags, team."""

from __future__ import annotations

from apitoolkit.frames import Field, Schema

__all__ = ["CATEGORIES", "CONTACTS", "HISTORY", "ITEMS", "ITEM_ALIASES", "TAGS", "TEAM_MEMBERS"]

#: Item categories by their code, as documented ("0:project 1: task 2:event 4: note 5:file").
CATEGORIES: dict[int, str] = {0: "project", 1: "task", 2: "event", 4: "note", 5: "file"}

ITEMS = Schema(
    "items",
    (
        Field("id", "int"),
        Field("guid", "str"),
        Field("category", "int"),
        Field("title", "str"),
        Field("user_id", "int"),
        Field("parent", "int"),
        Field("short_name", "str"),
        Field("issue_id", "str"),
        Field("completed", "bool"),
        Field("priority", "int"),
        Field("assignee_id", "int", ("assigneeId",)),
        Field("participants", "list[int]"),
        Field("tags", "list[str]"),
        Field("start_date", "datetime"),
        Field("end_date", "datetime"),
        Field("due_date", "datetime"),
        Field("is_all_day", "bool"),
        Field("time_create", "datetime"),
        Field("time_last_update", "datetime"),
        Field("recurring", "int"),
        Field("shared", "bool"),
        Field("starred", "bool"),
        Field("time_track", "bool"),
        Field("time_est", "float"),
        Field("time_spent", "float"),
        Field("color", "int"),
        Field("color_value", "str"),
        Field("message", "str"),
        Field("permissions", "json"),
    ),
)

#: Other spellings of item fields that real responses use: the field table says ``assigneeId``, both JSON examples
#: of responses (``GET item`` and the delta) say ``"assignee"``. Either fills the one column; ``assigneeId`` wins
#: when a record carries both.
ITEM_ALIASES: dict[str, tuple[str, ...]] = {"assignee_id": ("assignee",)}

HISTORY = Schema(
    "item_history",
    (
        Field("id", "int"),
        Field("item_id", "int"),
        Field("user_id", "int"),
        Field("time", "datetime"),
        Field("type", "str"),
        Field("message", "str"),
    ),
)

TAGS = Schema("tags", (Field("id", "int"), Field("name", "str"), Field("shared", "bool")))

TEAM_MEMBERS = Schema(
    "team_members",
    (
        Field("id", "int"),
        Field("login", "str"),
        Field("first_name", "str", ("firstName",)),
        Field("last_name", "str", ("lastName",)),
        Field("email", "str"),
        Field("business_level", "int", ("businessLevel",)),
        Field("is_online", "bool", ("isOnline",), "number"),  # documented as 1/0
    ),
)

CONTACTS = Schema(
    "contacts",
    (
        Field("id", "int"),
        Field("first_name", "str", ("firstName",)),
        Field("last_name", "str", ("lastName",)),
        Field("email", "str"),
        Field("login", "str"),
    ),
)
