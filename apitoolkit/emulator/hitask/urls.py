"""Hitask routes under the service prefix; endpoint names are the handler names of ``HitaskResponses``."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

URL_MAP = Map(
    [
        Rule("/user/authenticate", endpoint="authenticate", methods=["GET", "POST"]),
        Rule("/user/signout", endpoint="signout", methods=["GET", "POST"]),
        Rule("/item", endpoint="items", methods=["GET"]),
        Rule("/item/delta/<cursor>", endpoint="delta", methods=["GET"]),
        Rule("/item/history", endpoint="history", methods=["GET"]),
        Rule("/tag", endpoint="tags", methods=["GET"]),
        Rule("/team", endpoint="members", methods=["GET"]),
        Rule("/group", endpoint="groups", methods=["GET"]),
        Rule("/contact", endpoint="contacts", methods=["GET"]),
    ],
    strict_slashes=False,
)
