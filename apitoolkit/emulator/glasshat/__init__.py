"""The emulated Glasshat API: clients, their projects and the projects' SEO action tasks, behind an ``apikey``.

From the overview: GET for queries and POST for changes, item ids in the path; ``apikey`` (a 32-character
licence key) on every request, in the query string or, for POST, a form or JSON body; every response a JSON
object; errors ``{"errors": {name: message}}`` with the documented names and statuses (``no_license`` 403,
``too_many_requests`` 429, ``invalid_parameter`` 400, ``too_many_items`` 402, ``client_exists`` and
``project_exists`` 409, ``no_client``, ``no_project`` and ``no_task`` 404).

Where the overview is silent, these are our choices, following the API's documented conventions:

- Routes under ``/glasshat`` (``GLASSHAT_BASE_URL``): ``GET /account/0/clients``, ``POST
  /account/0/clients/create`` (``name``), ``GET /client/{client_id}/projects``, ``POST
  /client/{client_id}/projects/create`` (``name``, ``domain`` optional), ``GET /project/{project_id}/tasks``,
  ``GET /task/{task_id}/get``, ``POST /task/{task_id}/update`` (``status``, ``priority``, ``title``).
- Lists take ``page`` (from 1) and ``per_page`` (default 100, at most 500; beyond, 400 ``invalid_parameter``)
  and answer ``{"<resource>": [...], "page": N, "per_page": M, "total": T}``, by id; a page past the end is
  empty. Other parameters are ignored. The documents say nothing of listings: the ``listing`` dialect serves
  the other shapes a server may use (bare array, ``data``, Laravel's paginators, a ``Link`` header),
  ``page_size_cap`` fewer records a page than asked for, ``ignores_page`` page 1 for every page.
- Records: clients ``{"id", "name", "website", "created"}`` (``website`` may be null), projects ``{"id",
  "client_id", "name", "domain", "created"}``, tasks ``{"id", "project_id", "title", "type" (content,
  technical, links, local, social), "priority" (1 highest to 5), "status" (open, in_progress, done,
  dismissed), "created", "updated", "completed"}``; times ISO 8601 UTC with ``Z``; ``completed`` is null
  unless the task is done.
- Single records and changes answer ``{"task": ...}``, ``{"client": ...}``, ``{"project": ...}``. An update
  sets ``updated`` to now and ``completed`` when the status becomes done (null when it leaves done); no
  field to change, or a value out of range, is 400 ``invalid_parameter``. Names clash case-insensitively.
- The key is checked first (403), then the allowance (402 while ``GlasshatBackend.over_allowance``), then the
  rate limit: 120 requests per 60 s per key, 429 ``too_many_requests``. An unknown endpoint is 404
  ``no_endpoint``, a wrong method 405 ``invalid_method``, a server fault ``server_error``.
- A ``changing_data`` fault inserts records that sort first into the list about to be served.
"""

from __future__ import annotations

from apitoolkit.emulator.glasshat.models import GlasshatAccount, GlasshatBackend
from apitoolkit.emulator.glasshat.service import GlasshatService

__all__ = ["GlasshatAccount", "GlasshatBackend", "GlasshatService"]
