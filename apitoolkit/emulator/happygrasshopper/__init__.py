"""The emulated Happy Grasshopper API (v3): contacts behind a bearer key, searched with OR, paged Laravel-style.

From the overview: ``{base}/v3/{resource}/{identifier}``; ``Authorization: Bearer <key>``; JSON bodies; dates
ISO 8601 UTC (``2012-04-23T02:23:11Z``); search conditions as query parameters combined with OR; 403 once a
key no longer works; 404 for a resource that does not exist.

Where the overview is silent, these are our choices, following the API's documented conventions:

- Routes under ``/happygrasshopper/v3`` (``HAPPYGRASSHOPPER_BASE_URL``): ``GET /contacts`` and ``GET
  /contacts/{id}`` (``{"data": {...}}``).
- Errors are Laravel's ``{"message": ...}``: a missing or unknown key 401 "Unauthenticated.", a revoked key
  (``HappyGrasshopperBackend.revoke``) 403 "This API key has been revoked.", an unknown contact or route 404
  "Not found.", the rate limit (120 requests per 60 s per key) 429 "Too Many Attempts." (with ``Retry-After``
  when configured), server faults "Server Error.".
- Pagination, Laravel style as the documents' format suggests: ``page`` (from 1) and ``per_page`` (default 25,
  at most 100) answered ``{"data": [...], "links": {"first", "last", "prev", "next"}, "meta":
  {"current_page", "from", "last_page", "path", "per_page", "to", "total"}}`` by id, with an RFC 8288 ``Link``
  header (``rel="next"`` while there is a next page; also first, prev, last). Links keep the other query
  parameters. A page past the end has no data, ``from`` and ``to`` null. The documents say nothing of
  listings: the ``listing`` dialect serves the other shapes a server may use (bare array, ``data``, Laravel's
  simple and length-aware paginators, ``meta`` without the header, a bare array with a ``Link`` header),
  ``page_size_cap`` fewer contacts a page than asked for, ``ignores_page`` page 1 for every page.
- Search parameters are the contact fields ``first_name``, ``last_name``, ``email``, ``phone``, ``company``,
  ``status`` and ``tag`` (any of the contact's tags); each matches case-insensitively and exactly, and a
  contact matches if any given parameter (repeated ones included) matches. An unknown parameter, or a
  ``page``/``per_page`` that is not a whole number in range, is 422 ``{"message": ..., "errors": {param:
  [...]}}``.
- Contacts: ``{"id", "first_name", "last_name", "email", "phone", "company", "tags" (a list, maybe empty),
  "status" (active, unsubscribed, bounced), "created_at", "updated_at"}``; last name, email, phone and company
  may be null.
- A ``changing_data`` fault inserts contacts that sort first before the list is served.
"""

from __future__ import annotations

from apitoolkit.emulator.happygrasshopper.models import HappyGrasshopperBackend
from apitoolkit.emulator.happygrasshopper.service import HappyGrasshopperService

__all__ = ["HappyGrasshopperBackend", "HappyGrasshopperService"]
