"""The emulated IT Glue resources: attributes, filters and sorts as the API reference lists them.

Default orders: ``id`` ascending, except Logs, newest first (``-created_at``). Ties are broken by ``id``
ascending, so ``sort=created_at`` on Logs orders rows of one second by id. The emulated data holds no
PSA ids, groups or Salesforce ids: ``filter[psa_id]``, ``filter[group_id]`` and ``filter[salesforce_id]``
are validated and match nothing.
"""

from __future__ import annotations

from apitoolkit.emulator.itglue.query import (
    AnyOf,
    Equals,
    Flag,
    NoMatch,
    NumberRange,
    Resource,
    SameTime,
    TimeRange,
)
from apitoolkit.emulator.itglue.table import Field

ORGANIZATIONS = Resource(
    key="organizations",
    type="organizations",
    fields=(
        Field("name", "str"),
        Field("alert", "str"),
        Field("description", "str"),
        Field("organization-type-id", "int", nullable=True),
        Field("organization-type-name", "str"),
        Field("organization-status-id", "int", nullable=True),
        Field("organization-status-name", "str"),
        Field("primary", "bool"),
        Field("logo", "str"),
        Field("quick-notes", "str"),
        Field("short-name", "str"),
        Field("created-at", "time"),
        Field("updated-at", "time"),
        Field("my-glue-account-id", "int", nullable=True),
        Field("parent-id", "int", nullable=True),
        Field("ancestor-ids", "str"),
    ),
    filters={
        "id": AnyOf("id"),
        "name": Equals("name"),
        "organization_type_id": AnyOf("organization-type-id"),
        "organization_status_id": AnyOf("organization-status-id"),
        "created_at": TimeRange("created-at"),
        "updated_at": TimeRange("updated-at"),
        "my_glue_account_id": AnyOf("my-glue-account-id"),
        "psa_id": NoMatch(),
        "psa_integration_type": NoMatch(
            choices=("manage", "autotask", "tigerpaw", "kaseya-bms", "pulseway-psa", "vorex")
        ),
        "group_id": NoMatch(),
        "primary": Flag("primary"),
        "exclude[id]": AnyOf("id", exclude=True),
        "exclude[name]": Equals("name", exclude=True),
        "exclude[organization_type_id]": AnyOf("organization-type-id", exclude=True),
        "exclude[organization_status_id]": AnyOf("organization-status-id", exclude=True),
        "range[my_glue_account_id]": NumberRange("my-glue-account-id"),
    },
    sorts={
        "name": "name",
        "id": "id",
        "updated_at": "updated-at",
        "organization_status_name": "organization-status-name",
        "organization_type_name": "organization-type-name",
        "created_at": "created-at",
        "short_name": "short-name",
        "my_glue_account_id": "my-glue-account-id",
    },
    params=frozenset({"include"}),
    requires={"psa_id": "psa_integration_type"},
)

USERS = Resource(
    key="users",
    type="users",
    fields=(
        Field("first-name", "str"),
        Field("last-name", "str"),
        Field("role-name", "str"),
        Field("email", "str"),
        Field("avatar", "str"),
        Field("invitation-sent-at", "time"),
        Field("invitation-accepted-at", "time", nullable=True),
        Field("current-sign-in-at", "time", nullable=True),
        Field("current-sign-in-ip", "str"),
        Field("last-sign-in-at", "time", nullable=True),
        Field("last-sign-in-ip", "str"),
        Field("reputation", "int"),
        Field("my-glue", "bool"),
        Field("my-glue-account-id", "int", nullable=True),
        Field("created-at", "time"),
        Field("updated-at", "time"),
    ),
    filters={
        "id": AnyOf("id"),
        "name": Equals("name"),
        "email": Equals("email"),
        "role_name": Equals("role-name"),
        "salesforce_id": NoMatch(),
    },
    sorts={
        "name": "name",
        "email": "email",
        "reputation": "reputation",
        "id": "id",
        "created_at": "created-at",
        "updated_at": "updated-at",
    },
)

USER_METRICS = Resource(
    key="user_metrics",
    type="user-metrics",
    fields=(
        Field("user-id", "int"),
        Field("organization-id", "int"),
        Field("resource-type", "str"),
        Field("created", "int"),
        Field("viewed", "int"),
        Field("edited", "int"),
        Field("deleted", "int"),
        Field("date", "date"),
    ),
    filters={
        "user_id": AnyOf("user-id"),
        "organization_id": AnyOf("organization-id"),
        "resource_type": Equals("resource-type"),
        "date": TimeRange("date", kind="date", week_only=True),
    },
    sorts={name: name for name in ("id", "created", "viewed", "edited", "deleted", "date")},
)

LOGS = Resource(
    key="logs",
    type="logs",
    fields=(
        Field("created-at", "time"),
        Field("level", "int"),
        Field("account-id", "int"),
        Field("user-id", "int", nullable=True),
        Field("organization-id", "int", nullable=True),
        Field("action", "str"),
        Field("resource-type", "str"),
        Field("resource-name", "str"),
        Field("ip-address", "str"),
        Field("ip-city", "str"),
        Field("ip-region", "str"),
        Field("ip-country", "str"),
        Field("user-agent", "str"),
    ),
    filters={"created_at": TimeRange("created-at")},
    sorts={"created_at": "created-at", "id": "id"},
    default_sort=("-created_at",),
    max_page=5,
)

EXPIRATIONS = Resource(
    key="expirations",
    type="expirations",
    fields=(
        Field("organization-id", "int"),
        Field("organization-name", "str"),
        Field("resource-url", "str"),
        Field("description", "str"),
        Field("expiration-date", "time"),
        Field("created-at", "time"),
        Field("updated-at", "time"),
        Field("resource-id", "int"),
        Field("resource-type", "str"),
        Field("resource-type-name", "str"),
        Field("resource-name", "str"),
    ),
    filters={
        "id": AnyOf("id"),
        "resource_id": AnyOf("resource-id"),
        "resource_name": Equals("resource-name"),
        "resource_type_name": Equals("resource-type-name"),
        "description": Equals("description"),
        "expiration_date": SameTime("expiration-date"),
        "organization_id": AnyOf("organization-id"),
        "range[expiration_date]": TimeRange("expiration-date"),
    },
    sorts={
        "id": "id",
        "organization_id": "organization-id",
        "expiration_date": "expiration-date",
        "created_at": "created-at",
        "updated_at": "updated-at",
    },
)

RESOURCES = (ORGANIZATIONS, USERS, USER_METRICS, LOGS, EXPIRATIONS)
