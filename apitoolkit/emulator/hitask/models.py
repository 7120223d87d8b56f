"""Hitask state: the credentials, the sessions, the team's people, tags and items, with ``reset()`` to the seed."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime
from typing import Any

import numpy as np
import orjson

from apitoolkit.emulator.core.clock import day_spans
from apitoolkit.emulator.hitask.data import Counts, DataGenerator
from apitoolkit.emulator.hitask.exceptions import SESSION_NOT_FOUND, BadRequest, Unauthorized
from apitoolkit.emulator.hitask.items import ItemStore

DEFAULT_SESSION_TTL = 3600.0


class HitaskBackend:
    """The state of the emulated Hitask: one team account and the user who signs in to it.

    Args:
        seed: Seed of the data.
        size: "small", "medium" or "large".
        now: The instant the data is anchored to (tz-aware).
        counts: Overrides of the size's counts (``items``, ``members``, ``contacts``, ``tags``, ``groups``).

    Attributes:
        api_key, login, password: The credentials ``user/authenticate`` accepts.
        session_ttl: Seconds a session lives after sign-in (3600; ``reset()`` restores it).
        items: The item store (listing, delta, history, mutations).
        members, contacts, groups, tags: The team's other data, as served.

    Example:
        >>> from datetime import UTC, datetime
        >>> backend = HitaskBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> backend.api_key, len(backend.items.records)
        ('hitask-emulator-key-1', 300)
    """

    def __init__(self, *, seed: int, size: str, now: datetime, counts: dict[str, int] | None = None) -> None:
        self.seed = seed
        self.counts = Counts.for_size(size, counts)
        generator = DataGenerator(seed, now)
        data = generator.generate(self.counts)
        self.user: dict[str, Any] = data.members[0]
        self.members, self.contacts, self.groups, self.tags = data.members, data.contacts, data.groups, data.tags
        self.api_key = f"hitask-emulator-key-{seed}"
        self.login = str(self.user["login"])
        self.password = f"Emulator-{seed}-pass"
        self.items = ItemStore(generator, data)
        self.now = self.start = now
        self.session_ttl = DEFAULT_SESSION_TTL
        self._sessions: dict[str, float] = {}
        self._lock = threading.Lock()
        self._json: dict[str, bytes] = {}

    def __repr__(self) -> str:
        return f"<HitaskBackend seed={self.seed} items={len(self.items.records)} sessions={len(self._sessions)}>"

    # ------------------------------------------------------------------ sessions
    def check_credentials(self, api_key: str | None, login: str | None, password: str | None) -> None:
        """Accept the credentials of ``user/authenticate`` or raise its error (never naming a value).

        Raises:
            BadRequest: A parameter is missing (code 4).
            Unauthorized: Invalid API key (8), unknown login (1), wrong password (36).
        """
        for name, value in (("api_key", api_key), ("login", login), ("password", password)):
            if not value:
                raise BadRequest(4, f"{name} is mandatory")
        if api_key != self.api_key:
            raise Unauthorized(8, "Invalid API Key")
        if (login or "").casefold() != self.login.casefold():
            raise Unauthorized(1, "User not found")
        if password != self.password:
            raise Unauthorized(36, "Provided password does not match your current password")

    def start_session(self) -> dict[str, Any]:
        """Open a session for the user; returns the ``user/authenticate`` answer."""
        session_id = str(uuid.uuid4())
        with self._lock:
            self._sessions[session_id] = time.monotonic()
        return {
            "session_id": session_id,
            "id": self.user["id"],
            "login_id": self.login,
            "level": 0,
            "account_type": "TEAM_BUSINESS",
            "email": self.user["email"],
        }

    def check_session(self, session_id: str | None) -> None:
        """Accept a live session, or raise 401 code 7 (an expired one is forgotten)."""
        with self._lock:
            started = self._sessions.get(session_id or "")
            if started is not None and time.monotonic() - started >= self.session_ttl:
                del self._sessions[session_id or ""]
                started = None
        if started is None:
            raise Unauthorized(*SESSION_NOT_FOUND)

    def end_session(self, session_id: str) -> None:
        """Sign a session out (nothing happens for an unknown one)."""
        with self._lock:
            self._sessions.pop(session_id, None)

    def expire_sessions(self) -> None:
        """End every session at once, as if they had all expired."""
        with self._lock:
            self._sessions.clear()

    # ----------------------------------------------------------------- mutations
    def change(self, item_id: int, **fields: Any) -> dict[str, Any]:
        """Set fields of an item; see ``ItemStore.change``."""
        return self.items.change(item_id, **fields)

    def add(self, category: str | int = "task", **fields: Any) -> int:
        """Create an item and return its id; see ``ItemStore.add``."""
        return self.items.add(category, **fields)

    def complete(self, item_id: int) -> None:
        """Mark an item completed."""
        self.items.complete(item_id)

    def delete(self, item_id: int) -> list[int]:
        """Delete an item and the items inside it; returns the deleted ids."""
        return self.items.delete(item_id)

    def mutate(self, fraction: float = 0.01, seed: int = 0) -> dict[str, int]:
        """A random mix of changes touching about ``fraction`` of the items; see ``ItemStore.mutate``.

        Example:
            >>> from datetime import UTC, datetime
            >>> backend = HitaskBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> backend.mutate(0.02, seed=1)
            {'changed': 3, 'added': 1, 'completed': 1, 'deleted': 1}
        """
        return self.items.mutate(fraction, seed)

    # ------------------------------------------------------------------- serving
    def json(self, name: str) -> bytes:
        """The serialised ``members``, ``contacts``, ``groups`` or ``tags`` list (they never change)."""
        cached = self._json.get(name)
        if cached is None:
            cached = self._json[name] = orjson.dumps(getattr(self, name))
        return cached

    def advance(self, now: datetime) -> dict[str, int]:
        """Let the team work until ``now``: items changed, tasks completed, items added (`ItemStore.advance_span`).

        The span since the previous now is cut at UTC midnights, each piece with its own random stream (seed and
        start), so the same seed and the same advances give the same items. A later delta returns them.

        Returns:
            How many items were ``changed``, ``completed`` and ``added``.

        Example:
            >>> from datetime import UTC, datetime
            >>> backend = HitaskBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> backend.advance(datetime(2025, 1, 3, tzinfo=UTC))
            {'changed': 6, 'completed': 8, 'added': 4}
        """
        done = {"changed": 0, "completed": 0, "added": 0}
        for start, end in day_spans(int(self.now.timestamp()), int(now.timestamp())):
            rng = np.random.default_rng([self.seed, 19, start])
            for name, count in self.items.advance_span(start * 1000, end * 1000, rng).items():
                done[name] += count
        self.now = max(self.now, now)
        return done

    def reset(self) -> None:
        """Back to the seed state: items and history restored, every session ended, ``session_ttl`` 3600, the
        clock back to its start."""
        self.now = self.start
        self.items.reset()
        self.expire_sessions()
        self.session_ttl = DEFAULT_SESSION_TTL
