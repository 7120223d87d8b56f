"""Column schemas: `Field`, `Schema`, the column kinds and their Arrow types, and `snake_case`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

__all__ = ["ARROW_TYPES", "Field", "Kind", "Raw", "Schema", "snake_case"]

Kind = Literal["int", "float", "str", "bool", "datetime", "date", "list[str]", "list[int]", "json"]
Raw = Literal["number", "string", "bool", "any"]

#: The Arrow type of each column kind.
ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    "bool": pa.bool_(),
    "datetime": pa.timestamp("us", tz="UTC"),
    "date": pa.date32(),
    "list[str]": pa.list_(pa.string()),
    "list[int]": pa.list_(pa.int64()),
    "json": pa.string(),
}
_RAW_DEFAULT: dict[str, Raw] = {
    "int": "number",
    "float": "number",
    "str": "string",
    "bool": "bool",
    "datetime": "string",
    "date": "string",
    "list[str]": "any",
    "list[int]": "any",
    "json": "any",
}

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_case(name: str) -> str:
    """``kebab-case``, ``camelCase`` or ``Title Case`` to ``snake_case``.

    Example:
        >>> snake_case("my-glue-account-id"), snake_case("firstName"), snake_case("Resource Type")
        ('my_glue_account_id', 'first_name', 'resource_type')
    """
    return re.sub(r"[^0-9a-zA-Z]+", "_", _CAMEL.sub("_", name)).strip("_").lower()


@dataclass(frozen=True)
class Field:
    """One output column.

    Attributes:
        name: The column name (snake_case).
        kind: The column's type; ``"json"`` keeps a nested value (object or array) as JSON text.
        path: Where the value sits in a record, e.g. ``("attributes", "first-name")``; default: the name.
        raw: The JSON type the API sends (``"string"`` for ids sent as ``"123"``); default from ``kind``.

    Example:
        >>> Field("parent_id", "int", ("attributes", "parent-id"), "string").source
        ('attributes', 'parent-id')
    """

    name: str
    kind: Kind
    path: tuple[str, ...] = ()
    raw: Raw | None = None

    @property
    def source(self) -> tuple[str, ...]:
        """The path, defaulting to the column name."""
        return self.path or (self.name,)

    @property
    def raw_type(self) -> Raw:
        """The JSON type read from the page."""
        return self.raw or _RAW_DEFAULT[self.kind]


@dataclass(frozen=True)
class Schema:
    """The columns of one resource, in order, and how to find them in a record.

    Attributes:
        name: Resource name (``"users"``).
        fields: The columns.
        primary_key: Column that identifies a record (for de-duplication); None when there is none.
        jsonapi: Records are JSON:API resource objects: unknown ``attributes`` and ``relationships`` are kept
            as columns.

    Example:
        >>> Schema("tags", (Field("id", "int"), Field("name", "str"))).columns
        ['id', 'name']
    """

    name: str
    fields: tuple[Field, ...]
    primary_key: str | None = "id"
    jsonapi: bool = False

    @classmethod
    def jsonapi_resource(cls, name: str, attributes: Sequence[tuple[str, Kind] | tuple[str, Kind, Raw]]) -> Schema:
        """A JSON:API schema: ``id`` plus kebab-case attributes listed as ``(kebab-name, kind[, raw])``.

        Example:
            >>> s = Schema.jsonapi_resource("users", [("first-name", "str"), ("reputation", "int")])
            >>> [f.name for f in s.fields]
            ['id', 'first_name', 'reputation']
        """
        fields = [Field("id", "int", ("id",), "string")]
        for spec in attributes:
            attr, kind = spec[0], spec[1]
            raw = spec[2] if len(spec) == 3 else None
            fields.append(Field(snake_case(attr), kind, ("attributes", attr), raw))
        return cls(name, tuple(fields), "id", jsonapi=True)

    @property
    def columns(self) -> list[str]:
        """Column names in order."""
        return [f.name for f in self.fields]
