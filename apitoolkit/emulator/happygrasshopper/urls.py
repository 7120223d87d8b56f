"""Happy Grasshopper routes under ``/happygrasshopper/v3``; endpoint names are handler names of the responses."""

from __future__ import annotations

from werkzeug.routing import Map, Rule

URL_MAP = Map(
    [
        Rule("/contacts", endpoint="contacts", methods=["GET"]),
        Rule("/contacts/<id>", endpoint="contact", methods=["GET"]),
    ],
    strict_slashes=False,
)
