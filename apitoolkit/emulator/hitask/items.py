"""Hitask items: the live store with ``X-Cursor`` listings and deltas, item history, and mutations.

Every mutation stamps the item's ``time_last_update`` with max(now, latest stamp so far + 1 ms), in ms, so a
delta from any earlier cursor sees it. Deleting an item deletes the items inside it too; a deleted item is
simply absent from later listings and deltas.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from apitoolkit.emulator.core.fake import slug
from apitoolkit.emulator.core.records import RecordStore
from apitoolkit.emulator.hitask.data import (
    CATEGORIES,
    CATEGORY_NAMES,
    CATEGORY_WEIGHTS,
    DAY_MS,
    PROJECT_COLORS,
    DataGenerator,
    HitaskData,
    parse_time,
    render_time,
)

_STUB = b'{"id":%d,"changed":false}'
_CHANGED = b',"changed":true}'


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_permission(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"principal", "level"} and all(map(_is_int, value.values()))


_CHECKS: dict[str, Callable[[Any], bool]] = {
    "str": lambda value: isinstance(value, str),
    "str?": lambda value: value is None or isinstance(value, str),
    "int": _is_int,
    "bool": lambda value: isinstance(value, bool),
    "float": lambda value: _is_int(value) or isinstance(value, float),
    "time?": lambda value: value is None or isinstance(value, str),
    "ints?": lambda value: value is None or (isinstance(value, list) and all(map(_is_int, value))),
    "strs?": lambda value: value is None or (isinstance(value, list) and all(isinstance(v, str) for v in value)),
    "permissions": lambda value: isinstance(value, list) and all(map(_is_permission, value)),
}
EDITABLE: dict[str, str] = {
    "title": "str",
    "short_name": "str?",
    "issue_id": "str?",
    "completed": "bool",
    "color": "int",
    "color_value": "str?",
    "message": "str?",
    "parent": "int",
    "recurring": "int",
    "assigneeId": "int",
    "participants": "ints?",
    "start_date": "time?",
    "end_date": "time?",
    "due_date": "time?",
    "is_all_day": "bool",
    "shared": "bool",
    "starred": "bool",
    "time_track": "bool",
    "time_est": "float",
    "time_spent": "float",
    "priority": "int",
    "tags": "strs?",
    "permissions": "permissions",
    "user_id": "int",
}
"""The item fields a mutation may set, and the kind of value each takes (``?``: null allowed)."""


CHANGED_PER_DAY = 0.015
"""Share of the items changed per simulated day (`ItemStore.advance_span`)."""
COMPLETED_PER_DAY = 0.005
"""Open tasks completed per simulated day, as a share of all items."""
ADDED_PER_DAY = 0.005
"""Items created per simulated day, as a share of all items."""


def now_ms() -> int:
    """The current time in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


class ItemStore:
    """The current items of the account, their history, and the mutations that change them.

    Example:
        >>> from datetime import UTC, datetime
        >>> from apitoolkit.emulator.hitask.models import HitaskBackend
        >>> store = HitaskBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC)).items
        >>> body, cursor = store.list_json()
        >>> store.change(store.records.ids()[0], title="Renamed")["title"]
        'Renamed'
    """

    def __init__(self, generator: DataGenerator, data: HitaskData) -> None:
        self._generator = generator
        self._members = data.members
        self.owner = int(data.members[0]["id"])
        self._offset = data.offsets[self.owner]
        self.records = RecordStore(data.items, hidden=("_updated_ms", "_offset"))
        self._lock = threading.RLock()
        self._seed_clock = max((item["_updated_ms"] for item in data.items), default=0)
        self._seed_next_id = max((item["id"] for item in data.items), default=3_360_000) + 1
        self.reset()

    def reset(self) -> None:
        """Back to the seed items and history."""
        with self._lock:
            self.records.reset()
            self.clock = self._seed_clock
            self._next_id = self._seed_next_id
            self._next_event = self._seed_next_id * 100
            self._events: dict[int, list[dict[str, Any]]] = {}
            self._index: tuple[int, np.ndarray, np.ndarray, bytes, list[int]] | None = None

    # ------------------------------------------------------------------ reading
    def list_json(self) -> tuple[bytes, int]:
        """The JSON array of every current item by id, and its cursor (the latest ``time_last_update`` in ms)."""
        with self._lock:
            ids = self.records.ids()
            body = b"[" + b",".join(self.records.json_many(ids)) + b"]"
            latest = max((self._stamp(id_) for id_ in ids), default=None)
        return body, now_ms() if latest is None else latest

    def delta_json(self, cursor: int, *, stubs: bool = True) -> tuple[bytes, int]:
        """Every current item by id: in full (with ``"changed": true``) if stamped after ``cursor``, else a stub.

        Returns the body and the new cursor: the latest stamp among changed items, else ``cursor``. Like a
        real server's index on the update time, the ids, stamps and stubs are kept ready (rebuilt after
        changes), so a delta only splices the changed items into the stubs. ``stubs=False`` leaves the
        unchanged items out (the "changes only" reading of the document).
        """
        with self._lock:
            ids, stamps, blob, starts = self._delta_index()
            changed = np.flatnonzero(stamps > cursor)
            parts, previous = [], 0
            for index in changed.tolist():
                if stubs:
                    parts.append(blob[starts[previous] : starts[index]])
                parts.append(self.records.json(int(ids[index]))[:-1] + _CHANGED + b",")
                previous = index + 1
            if stubs:
                parts.append(blob[starts[previous] : starts[len(ids)]])
            latest = max(cursor, int(stamps[changed].max())) if len(changed) else cursor
        return b"[" + b"".join(parts).removesuffix(b",") + b"]", latest

    def _delta_index(self) -> tuple[np.ndarray, np.ndarray, bytes, list[int]]:
        """Ids and stamps in id order, every stub followed by a comma in one blob, and where each starts."""
        if self._index is None or self._index[0] != self.records.version:
            ids = np.array(self.records.ids(), dtype=np.int64)
            stamps = np.fromiter((self._stamp(int(i)) for i in ids), dtype=np.int64, count=len(ids))
            pieces = [_STUB % i + b"," for i in ids.tolist()]
            starts = [0]
            for piece in pieces:
                starts.append(starts[-1] + len(piece))
            self._index = (self.records.version, ids, stamps, b"".join(pieces), starts)
        return self._index[1], self._index[2], self._index[3], self._index[4]

    def history(self, item_id: int) -> list[dict[str, Any]]:
        """The history of a current item, oldest first: its seed events, then those of later mutations.

        Raises:
            KeyError: No current item has this id.
        """
        with self._lock:
            if item_id not in self.records:
                raise KeyError(f"no Hitask item {item_id}")
            seed = self.records.original(item_id)
            events = self._generator.history(seed, self._members) if seed is not None else []
            return events + self._events.get(item_id, [])

    # ---------------------------------------------------------------- mutations
    def change(self, item_id: int, **fields: Any) -> dict[str, Any]:
        """Set fields of an item (``EDITABLE``); returns the item as served.

        Raises:
            KeyError: No current item has this id.
            ValueError: A field cannot be set, or its value is of the wrong kind.

        Example:
            >>> from datetime import UTC, datetime
            >>> from apitoolkit.emulator.hitask.models import HitaskBackend
            >>> store = HitaskBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC)).items
            >>> changed = store.change(3360004, priority=30000, due_date="2025-03-10T00:00:00.000+01:00")
            >>> changed["priority"]
            30000
        """
        with self._lock:
            record = self._current(item_id)
            changes = self._validated(fields, record["_offset"])
            completing = changes.get("completed") is True and not record["completed"]
            kind, message = (
                ("complete", f"Completed {CATEGORY_NAMES[record['category']]}")
                if completing
                else ("update", f"Changed {', '.join(sorted(changes)) or 'nothing'}")
            )
            return self._apply(item_id, changes, kind, message)

    def add(self, category: str | int = "task", **fields: Any) -> int:
        """Create an item of a category (name or code) and return its id; unspecified fields get defaults.

        Raises:
            ValueError: Unknown category, or a field that cannot be set.

        Example:
            >>> from datetime import UTC, datetime
            >>> from apitoolkit.emulator.hitask.models import HitaskBackend
            >>> store = HitaskBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC)).items
            >>> store.add("event", title="Kickoff", start_date="2025-03-03T09:00:00.000+01:00")
            3361207
        """
        code = CATEGORIES.get(category) if isinstance(category, str) else category
        if code not in CATEGORY_NAMES:
            raise ValueError(f"unknown item category {category!r}: use one of {', '.join(CATEGORIES)}")
        with self._lock:
            return self._create(code, self._validated(fields, self._offset), self._tick())

    def _create(self, code: int, changes: dict[str, Any], stamp: int) -> int:
        """Store a new item of category ``code`` with ``changes``, created at ``stamp`` (ms); returns its id."""
        with self._lock:
            id_ = self._next_id
            self._next_id += 1
            rng = np.random.default_rng([self._generator.seed, 11, id_])
            title = changes.get("title") or self._generator.title(rng, code, self._members)
            moment = render_time(stamp, self._offset)
            item = {
                "id": id_,
                "guid": str(uuid.UUID(bytes=rng.bytes(16), version=4)),
                "user_id": self.owner,
                "title": title,
                "short_name": (slug(title, 6) or "PRJ").upper() if code == 0 else None,
                "issue_id": str(id_ - 3_360_000) if code in (0, 1) else None,
                "completed": False,
                "color": 0,
                "color_value": PROJECT_COLORS[0] if code == 0 else None,
                "category": code,
                "message": None,
                "parent": 0,
                "recurring": 0,
                "assigneeId": 0,
                "participants": None,
                "start_date": None,
                "end_date": None,
                "due_date": None,
                "is_all_day": False,
                "shared": True,
                "time_last_update": moment,
                "time_create": moment,
                "starred": False,
                "time_track": False,
                "time_est": 0.0,
                "time_spent": 0.0,
                "priority": 20_000,
                "tags": None,
                "permissions": [{"principal": self.owner, "level": 100}],
                **changes,
                "_updated_ms": stamp,
                "_offset": self._offset,
            }
            self.records.put(item)
            self._event(id_, stamp, "create", f"Created {CATEGORY_NAMES[code]}")
            return id_

    def complete(self, item_id: int) -> None:
        """Mark an item completed.

        Raises:
            KeyError: No current item has this id.
        """
        with self._lock:
            record = self._current(item_id)
            self._apply(item_id, {"completed": True}, "complete", f"Completed {CATEGORY_NAMES[record['category']]}")

    def delete(self, item_id: int) -> list[int]:
        """Delete an item and every item inside it; returns the deleted ids.

        Raises:
            KeyError: No current item has this id.
        """
        with self._lock:
            self._current(item_id)
            children: dict[int, list[int]] = {}
            for record in self.records:
                children.setdefault(record["parent"], []).append(record["id"])
            doomed, queue = [], [item_id]
            while queue:
                current = queue.pop()
                doomed.append(current)
                queue += children.get(current, [])
            self._remove(doomed)
            return sorted(doomed)

    def mutate(self, fraction: float = 0.01, seed: int = 0) -> dict[str, int]:
        """A seeded random mix of changes touching about ``fraction`` of the items.

        About 60% of them are changed (priority, due date, star, assignee or description), 15% added,
        15% completed (open tasks) and 10% deleted (items with nothing inside them).

        Returns:
            ``{"changed": n, "added": n, "completed": n, "deleted": n}``.

        Example:
            >>> from datetime import UTC, datetime
            >>> from apitoolkit.emulator.hitask.models import HitaskBackend
            >>> store = HitaskBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC)).items
            >>> store.mutate(0.01, seed=3)
            {'changed': 3, 'added': 0, 'completed': 0, 'deleted': 0}
        """
        if not 0 < fraction <= 1:
            raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
        with self._lock:
            rng = np.random.default_rng([self._generator.seed, 13, seed, len(self.records)])
            ids = list(self.records.ids())
            total = max(1, round(fraction * len(ids)))
            quota = {"completed": round(0.15 * total), "deleted": round(0.1 * total), "added": round(0.15 * total)}
            quota["changed"] = total - sum(quota.values()) if ids else 0
            quota["added"] = quota["added"] if ids else total
            parents = {record["parent"] for record in self.records}
            chosen: dict[str, list[int]] = {"completed": [], "deleted": [], "changed": []}
            for index in rng.permutation(len(ids)).tolist():
                record = self.records.get(ids[index])
                assert record is not None
                if (
                    len(chosen["completed"]) < quota["completed"]
                    and record["category"] == 1
                    and not record["completed"]
                ):
                    chosen["completed"].append(record["id"])
                elif (
                    len(chosen["deleted"]) < quota["deleted"]
                    and record["category"] != 0
                    and record["id"] not in parents
                ):
                    chosen["deleted"].append(record["id"])
                elif len(chosen["changed"]) < quota["changed"]:
                    chosen["changed"].append(record["id"])
                if all(len(chosen[name]) >= quota[name] for name in chosen):
                    break
            for id_ in chosen["changed"]:
                self.change(id_, **self._random_change(rng, id_))
            for id_ in chosen["completed"]:
                self.complete(id_)
            self._remove(chosen["deleted"])
            codes = list(CATEGORIES.values())
            for _ in range(quota["added"]):
                self.add(int(rng.choice(codes, p=CATEGORY_WEIGHTS)))
            self._delta_index()  # rebuilt with the writes, as a server's index would be
            return {
                "changed": len(chosen["changed"]),
                "added": quota["added"],
                "completed": len(chosen["completed"]),
                "deleted": len(chosen["deleted"]),
            }

    def advance_span(self, start: int, end: int, rng: np.random.Generator) -> dict[str, int]:
        """What the team does in ``[start, end)`` (ms, at most a day): changes, completions, new items.

        Per day: ``CHANGED_PER_DAY`` of the items get one field changed (priority, due date, star, assignee or
        description), ``COMPLETED_PER_DAY`` of them (open tasks, those due soonest likelier) are completed and
        ``ADDED_PER_DAY`` as many are created (tasks mostly, many in an open project, with a due date). Each is
        stamped at its moment in the span (or 1 ms after the latest stamp, if that is later).

        Returns:
            ``{"changed": n, "completed": n, "added": n}``.
        """
        with self._lock:
            share, ids = (end - start) / DAY_MS, self.records.ids()
            changed = rng.choice(ids, min(len(ids), int(rng.poisson(CHANGED_PER_DAY * len(ids) * share))), False)
            open_tasks = [record for record in self.records if record["category"] == 1 and not record["completed"]]
            due = np.array([parse_time(r["due_date"]) if r["due_date"] else end + 60 * DAY_MS for r in open_tasks])
            closing = int(min(len(open_tasks), rng.poisson(COMPLETED_PER_DAY * len(ids) * share)))
            weights = 1.0 / (1.0 + np.abs(due - end) / DAY_MS) if len(open_tasks) else np.ones(0)
            completed = rng.choice(
                [r["id"] for r in open_tasks], closing, replace=False, p=weights / weights.sum() if closing else None
            )
            added = int(rng.poisson(ADDED_PER_DAY * max(len(ids), 1) * share))
            plan = [(1, int(id_)) for id_ in changed] + [(2, int(id_)) for id_ in completed] + [(3, 0)] * added
            moments = np.sort(rng.integers(start, end, len(plan)))
            projects = [record["id"] for record in self.records if record["category"] == 0 and not record["completed"]]
            for moment, index in zip(moments.tolist(), rng.permutation(len(plan)).tolist(), strict=True):
                action, item_id = plan[index]
                self._simulate(action, item_id, moment, rng, projects)
            return {"changed": len(changed), "completed": closing, "added": added}

    def _simulate(self, action: int, item_id: int, moment: int, rng: np.random.Generator, projects: list[int]) -> None:
        """One planned event of `advance_span` at ``moment`` (ms): 1 change, 2 completion, 3 new item (a task
        maybe in one of the open ``projects``)."""
        if action == 1 and item_id in self.records:
            edit = self._random_change(rng, item_id, base=moment)
            self._apply(item_id, edit, "update", f"Changed {', '.join(sorted(edit))}", at=moment)
        elif action == 2 and item_id in self.records and not self._current(item_id)["completed"]:
            name = CATEGORY_NAMES[self._current(item_id)["category"]]
            self._apply(item_id, {"completed": True}, "complete", f"Completed {name}", at=moment)
        elif action == 3:
            code = int(rng.choice(list(CATEGORIES.values()), p=CATEGORY_WEIGHTS))
            changes: dict[str, Any] = {}
            if code == 1:
                if projects and rng.random() < 0.65:
                    changes["parent"] = int(rng.choice(projects))
                if rng.random() < 0.65:
                    due = moment + int(rng.integers(1, 45)) * DAY_MS
                    changes["due_date"] = render_time(due - due % (30 * 60_000), self._offset)
                if rng.random() < 0.7:
                    changes["assigneeId"] = int(self._members[int(rng.integers(0, len(self._members)))]["id"])
            self._create(code, changes, self._tick(moment))

    def insert(self, records: int) -> None:
        """Add ``records`` tasks (what a ``changing_data`` fault does before a listing)."""
        for _ in range(records):
            self.add("task")

    def remove_first(self, records: int) -> None:
        """Delete the ``records`` items with the lowest ids among those with nothing inside them."""
        with self._lock:
            parents = {record["parent"] for record in self.records}
            self._remove([id_ for id_ in self.records.ids() if id_ not in parents][:records])

    # ------------------------------------------------------------------ helpers
    def _current(self, item_id: int) -> dict[str, Any]:
        record = self.records.get(item_id)
        if record is None:
            raise KeyError(f"no Hitask item {item_id}")
        return record

    def _stamp(self, item_id: int) -> int:
        record = self.records.get(item_id)
        assert record is not None
        return int(record["_updated_ms"])

    def _remove(self, ids: list[int]) -> None:
        for id_ in ids:
            self.records.remove(id_)
            self._events.pop(id_, None)

    def _tick(self, at: int | None = None) -> int:
        """The next stamp: ``at`` (default: the current time) or 1 ms after the latest one, whichever is later."""
        self.clock = max(now_ms() if at is None else at, self.clock + 1)
        return self.clock

    def _apply(
        self, item_id: int, changes: dict[str, Any], kind: str, message: str, at: int | None = None
    ) -> dict[str, Any]:
        offset = self._current(item_id)["_offset"]
        stamp = self._tick(at)
        self.records.update(item_id, {**changes, "time_last_update": render_time(stamp, offset), "_updated_ms": stamp})
        self._event(item_id, stamp, kind, message)
        return {key: value for key, value in self._current(item_id).items() if not key.startswith("_")}

    def _event(self, item_id: int, stamp: int, kind: str, message: str) -> None:
        record = self._current(item_id)
        self._events.setdefault(item_id, []).append(
            {
                "id": self._next_event,
                "item_id": item_id,
                "user_id": self.owner,
                "time": render_time(stamp, record["_offset"]),
                "type": kind,
                "message": message,
            }
        )
        self._next_event += 1

    def _random_change(self, rng: np.random.Generator, item_id: int, base: int | None = None) -> dict[str, Any]:
        """A random edit of one field; a due date set where there was none is ``base`` (ms) plus 1-14 days."""
        record = self._current(item_id)
        choice = str(rng.choice(["priority", "due_date", "starred", "assigneeId", "message"]))
        if choice == "priority":
            return {"priority": int(rng.choice([15_000, 20_000, 25_000, 30_000]))}
        if choice == "due_date":
            due = record["due_date"]
            base = parse_time(due) if due else self._seed_clock if base is None else base
            return {"due_date": render_time(base + int(rng.integers(1, 15)) * DAY_MS, record["_offset"])}
        if choice == "starred":
            return {"starred": not record["starred"]}
        if choice == "assigneeId":
            return {"assigneeId": int(self._members[int(rng.integers(0, len(self._members)))]["id"])}
        return {"message": f"{rng.choice(self._generator.pools.phrases)}."}

    @staticmethod
    def _validated(fields: Mapping[str, Any], offset: int) -> dict[str, Any]:
        changes = {}
        for name, value in fields.items():
            kind = EDITABLE.get(name)
            if kind is None:
                raise ValueError(f"item field {name!r} cannot be set: use {', '.join(EDITABLE)}")
            if not _CHECKS[kind](value):
                raise ValueError(f"invalid value for item field {name!r}: {value!r}")
            if kind == "time?" and value is not None:
                value = render_time(parse_time(value), offset)
            changes[name] = float(value) if kind == "float" else value
        return changes
