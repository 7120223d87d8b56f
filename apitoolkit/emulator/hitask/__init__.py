"""The emulated Hitask API: session sign-in, items with ``X-Cursor`` deltas, history, tags, team, groups, contacts.

Routes under ``/hitask`` (``HITASK_BASE_URL``), as the documents name their methods: ``GET|POST
user/authenticate``, ``GET|POST user/signout``, ``GET item``, ``GET item/delta/{cursor}``, ``GET
item/history?id={id}`` and ``GET team`` (both as the public API documentation, ``HiTask/api``, names them),
``GET tag``, ``GET group``, ``GET contact``. Errors are ``{"response_status": code, "error_message": text}``
with the document's codes and templates. Where the documents disagree, each reading is a dialect (see
`HitaskService`): ``assignee_field``, ``delta``, ``session_status``.

Where the document is silent, these are our choices, following the API's documented conventions:

- Sign-in: ``api_key``, ``login`` and ``password`` in the query string or a form body, checked in that order:
  missing -> 400 code 4 "<name> is mandatory", then 401 code 8 "Invalid API Key", 401 code 1 "User not found",
  401 code 36 "Provided password does not match your current password". No error repeats a credential. The
  answer is ``{"session_id", "id", "login_id", "level": 0, "account_type": "TEAM_BUSINESS", "email"}``.
- Sessions: every other endpoint needs ``session_id`` in the query string (a form body works too); a missing,
  unknown or expired one is 401 code 7 "Session not found, please authenticate first" (the ``session_status``
  dialect serves it with 200, 400 or 403). A session lives ``session_ttl`` seconds (3600) from sign-in.
  ``user/signout`` ends it and answers ``{"response_status": 0}``, also for a session that has already ended
  (only a missing ``session_id`` is an error, 400 code 4).
- ``GET item``: every current item by id; ``X-Cursor`` is the latest ``time_last_update`` among them in
  milliseconds since the epoch (the server's time when there is none).
- ``GET item/delta/{cursor}``: every current item by id, in full with ``"changed": true`` (as in the document's
  example) if its ``time_last_update`` in ms is after the cursor, else the stub ``{"id", "changed": false}``;
  a deleted item is absent (the ``delta`` dialect ``changes_only`` leaves the stubs out). ``X-Cursor`` is the
  latest ``time_last_update`` among the changed items, else the cursor given. A cursor that is not an integer
  is 400 code 5 "Invalid data format of delta"; one more than 1 s past the server's time (or its latest stamp)
  is 400 code 6 "delta is not valid".
- Items: the documented fields (the assignee as ``assigneeId``, as the field table says; the ``assignee_field``
  dialect ``assignee`` spells it as the JSON examples do); times are ISO 8601 with milliseconds in the owner's
  UTC offset (``2016-08-27T00:00:00.000+04:00``); flags are booleans; ``participants`` are user ids and ``permissions``
  ``{"principal": user id, "level": n}``; empty ``tags`` and ``participants`` are null, as in the document's
  example. History events are ``{"id", "item_id", "user_id", "time", "type" (create, update, comment,
  complete), "message"}``, oldest first; an unknown item is 404 code 1 "Item not found", a missing ``id`` 400
  code 4.
- Lists: ``tag`` ``[{"id", "name", "shared"}]``; ``team`` ``[{"id", "login", "firstName", "lastName",
  "email", "businessLevel", "isOnline"}]`` (the signing-in user first, level 100); ``group`` ``[{"id",
  "name", "members"}]`` ("Everyone" first); ``contact`` ``[{"id", "firstName", "lastName", "email", "login"}]``.
- Rate limit: 600 requests per 60 s per API key; beyond it 429 code 67 "You are performing too many API
  requests per second". An unknown method is 404 code 1 "Method not found"; server faults are code 100.
- Mutations (``HitaskBackend`` and ``POST /_emulator/hitask/<operation>``) stamp ``time_last_update`` with
  max(now, latest stamp + 1 ms). A ``changing_data`` fault adds tasks before ``item`` or a delta is served.
- Simulated time (`EmulatorApp.advance`): items are changed, tasks completed and items added at moments inside
  the elapsed span (stamped max(that moment, latest stamp + 1 ms)), so a delta from an earlier cursor returns
  them; see `ItemStore.advance_span` for the rates.
"""

from __future__ import annotations

from apitoolkit.emulator.hitask.models import HitaskBackend
from apitoolkit.emulator.hitask.service import HitaskService

__all__ = ["HitaskBackend", "HitaskService"]
