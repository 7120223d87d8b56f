"""IT Glue routes under the service prefix; endpoint names are the handler names of ``ITGlueResponses``."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

URL_MAP = Map(
    [
        Rule("/users", endpoint="users", methods=["GET"]),
        Rule("/users/<id>", endpoint="user", methods=["GET"]),
        Rule("/user_metrics", endpoint="user_metrics", methods=["GET"]),
        Rule("/logs", endpoint="logs", methods=["GET"]),
        Rule("/expirations", endpoint="expirations", methods=["GET"]),
        Rule("/expirations/<id>", endpoint="expiration", methods=["GET"]),
        Rule(
            "/organizations/<organization_id>/relationships/expirations",
            endpoint="organization_expirations",
            methods=["GET"],
        ),
        Rule(
            "/organizations/<organization_id>/relationships/expirations/<id>",
            endpoint="organization_expiration",
            methods=["GET"],
        ),
        Rule("/organizations", endpoint="organizations", methods=["GET"]),
        Rule("/organizations/<id>", endpoint="organization", methods=["GET"]),
    ],
    strict_slashes=False,
)
