"""IT Glue's resources: their columns, filters and list endpoints as the API reference documents them."""

from __future__ import annotations

from apitoolkit.frames import Schema

__all__ = ["FILTERS", "LIST_ENDPOINTS"]

USERS = Schema.jsonapi_resource(
    "users",
    [
        ("first-name", "str"),
        ("last-name", "str"),
        ("role-name", "str"),
        ("email", "str"),
        ("avatar", "str"),
        ("invitation-sent-at", "datetime"),
        ("invitation-accepted-at", "datetime"),
        ("current-sign-in-at", "datetime"),
        ("current-sign-in-ip", "str"),
        ("last-sign-in-at", "datetime"),
        ("last-sign-in-ip", "str"),
        ("reputation", "int"),
        ("my-glue", "bool"),
        ("my-glue-account-id", "int"),
        ("created-at", "datetime"),
        ("updated-at", "datetime"),
    ],
)

USER_METRICS = Schema.jsonapi_resource(
    "user_metrics",
    [
        ("user-id", "int"),
        ("organization-id", "int"),
        ("resource-type", "str"),
        ("created", "int"),  # the points actions in the order they appear everywhere: created, edited, viewed
        ("edited", "int"),
        ("viewed", "int"),
        ("deleted", "int"),
        ("date", "date"),
    ],
)

LOGS = Schema.jsonapi_resource(
    "logs",
    [
        ("created-at", "datetime"),
        ("level", "int"),
        ("account-id", "int"),
        ("user-id", "int"),
        ("organization-id", "int"),
        ("action", "str"),
        ("resource-type", "str"),
        ("resource-name", "str"),
        ("ip-address", "str"),
        ("ip-city", "str"),
        ("ip-region", "str"),
        ("ip-country", "str"),
        ("user-agent", "str"),
    ],
)

EXPIRATIONS = Schema.jsonapi_resource(
    "expirations",
    [
        ("organization-id", "int"),
        ("organization-name", "str"),
        ("resource-url", "str"),
        ("description", "str"),
        ("expiration-date", "datetime"),
        ("created-at", "datetime"),
        ("updated-at", "datetime"),
        ("resource-id", "int"),
        ("resource-type", "str"),
        ("resource-type-name", "str"),
        ("resource-name", "str"),
    ],
)

ORGANIZATIONS = Schema.jsonapi_resource(
    "organizations",
    [
        ("name", "str"),
        ("alert", "str"),
        ("description", "str"),
        ("organization-type-id", "int"),
        ("organization-type-name", "str"),
        ("organization-status-id", "int"),
        ("organization-status-name", "str"),
        ("primary", "bool"),
        ("logo", "str"),
        ("quick-notes", "str"),
        ("short-name", "str"),
        ("created-at", "datetime"),
        ("updated-at", "datetime"),
        # The reference sends parent-id as a string ("1") while other ids are numbers.
        ("parent-id", "int", "string"),
        ("ancestor-ids", "str"),
        ("my-glue-account-id", "int"),
    ],
)

#: Filter names each resource accepts (``filter[<name>]``; nested ones as ``exclude[id]``), from the reference.
FILTERS: dict[str, frozenset[str]] = {
    "users": frozenset({"id", "name", "email", "role_name", "salesforce_id"}),
    "user_metrics": frozenset({"user_id", "organization_id", "resource_type", "date"}),
    "logs": frozenset({"created_at"}),
    "expirations": frozenset(
        {
            "id",
            "resource_id",
            "resource_name",
            "resource_type_name",
            "description",
            "expiration_date",
            "organization_id",
            "range[expiration_date]",
        }
    ),
    "organizations": frozenset(
        {
            "id",
            "name",
            "organization_type_id",
            "organization_status_id",
            "created_at",
            "updated_at",
            "my_glue_account_id",
            "psa_id",
            "psa_integration_type",
            "group_id",
            "primary",
            "exclude[id]",
            "exclude[name]",
            "exclude[organization_type_id]",
            "exclude[organization_status_id]",
            "range[my_glue_account_id]",
        }
    ),
}

#: Every list endpoint of the reference (``GET``), for `load_resource`; ``:name`` parts are filled in.
LIST_ENDPOINTS: tuple[str, ...] = (
    "configuration_statuses",
    "configuration_types",
    "configurations",
    "configurations/:configuration_id/relationships/configuration_interfaces",
    "contact_types",
    "contacts",
    "copilot_smart_assist/documents",
    "countries",
    "countries/:country_id/relationships/regions",
    "domains",
    "expirations",
    "exports",
    "flexible_asset_types",
    "flexible_asset_types/:flexible_asset_type_id/relationships/flexible_asset_fields",
    "flexible_assets",
    "groups",
    "locations",
    "logs",
    "manufacturers",
    "manufacturers/:manufacturer_id/relationships/models",
    "models",
    "operating_systems",
    "organization_statuses",
    "organization_types",
    "organizations",
    "organizations/:organization_id/relationships/configurations",
    "organizations/:organization_id/relationships/contacts",
    "organizations/:organization_id/relationships/domains",
    "organizations/:organization_id/relationships/expirations",
    "organizations/:organization_id/relationships/locations",
    "organizations/:organization_id/relationships/passwords",
    "password_categories",
    "passwords",
    "platforms",
    "regions",
    "user_metrics",
    "users",
)
