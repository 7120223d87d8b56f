"""Happy Grasshopper's contacts."""

from __future__ import annotations

from apitoolkit.frames import Field, Schema

__all__ = ["CONTACTS", "SEARCH_FIELDS"]

CONTACTS = Schema(
    "contacts",
    (
        Field("id", "int"),
        Field("first_name", "str"),
        Field("last_name", "str"),
        Field("email", "str"),
        Field("phone", "str"),
        Field("company", "str"),
        Field("status", "str"),
        Field("tags", "list[str]"),
        Field("created_at", "datetime"),
        Field("updated_at", "datetime"),
    ),
)

#: Query parameters `load_contacts` searches by; several are combined with OR by the API.
SEARCH_FIELDS = frozenset({"first_name", "last_name", "email", "phone", "company", "status", "tag"})
