"""Glasshat routes under the service prefix; endpoint names are the handler names of ``GlasshatResponses``.

GET for queries, POST for changes, item ids in the path, as the overview's ``/account/0/clients``,
``/task/{task_id}/get`` and ``/task/{task_id}/update`` show.
"""

from __future__ import annotations

from werkzeug.routing import Map, Rule

URL_MAP = Map(
    [
        Rule("/account/0/clients", endpoint="clients", methods=["GET"]),
        Rule("/account/0/clients/create", endpoint="create_client", methods=["POST"]),
        Rule("/client/<client_id>/projects", endpoint="projects", methods=["GET"]),
        Rule("/client/<client_id>/projects/create", endpoint="create_project", methods=["POST"]),
        Rule("/project/<project_id>/tasks", endpoint="tasks", methods=["GET"]),
        Rule("/task/<task_id>/get", endpoint="task", methods=["GET"]),
        Rule("/task/<task_id>/update", endpoint="update_task", methods=["POST"]),
    ],
    strict_slashes=False,
)
LIST_ENDPOINTS = {"clients": "clients", "projects": "projects", "tasks": "tasks"}
"""List endpoints and the records each one lists (where ``changing_data`` faults apply)."""
