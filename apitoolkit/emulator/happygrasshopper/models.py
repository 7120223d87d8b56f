"""Happy Grasshopper state: the API key and its revocation, the contacts and their search index."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime

import numpy as np

from apitoolkit.emulator.core.records import RecordStore
from apitoolkit.emulator.happygrasshopper.data import Counts, DataGenerator

SEARCH_FIELDS = ("first_name", "last_name", "email", "phone", "company", "status", "tag")
"""The search parameters: contact fields (``tag`` matches any of a contact's tags)."""


class HappyGrasshopperBackend:
    """The state of the emulated Happy Grasshopper: one user's API key and contacts.

    Args:
        seed: Seed of the data.
        size: "small", "medium" or "large".
        now: The instant the data is anchored to (tz-aware).
        counts: Overrides of the size's counts (``contacts``).

    Attributes:
        api_key: The bearer key requests must send.
        revoked: Keys revoked with ``revoke`` (403 from then on).
        contacts: The contacts by id.

    Example:
        >>> from datetime import UTC, datetime
        >>> backend = HappyGrasshopperBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> backend.api_key, len(backend.contacts)
        ('hg-emulator-key-1', 200)
    """

    def __init__(self, *, seed: int, size: str, now: datetime, counts: dict[str, int] | None = None) -> None:
        self.seed = seed
        self.counts = Counts.for_size(size, counts)
        self._generator = DataGenerator(seed, now)
        self.contacts = RecordStore(self._generator.generate(self.counts))
        self.api_key = f"hg-emulator-key-{seed}"
        self.revoked: set[str] = set()
        self._lock = threading.Lock()
        self._index: dict[str, dict[str, list[int]]] = {}
        self._index_version = -1
        self._insertions = 0

    def __repr__(self) -> str:
        return f"<HappyGrasshopperBackend seed={self.seed} contacts={len(self.contacts)}>"

    def revoke(self, key: str) -> None:
        """Revoke a key: requests sending it answer 403 until ``reset()``.

        Example:
            >>> from datetime import UTC, datetime
            >>> backend = HappyGrasshopperBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> backend.revoke(backend.api_key)
            >>> backend.api_key in backend.revoked
            True
        """
        self.revoked.add(key)

    def search(self, criteria: Iterable[tuple[str, str]]) -> list[int]:
        """Ids of contacts matching any ``(field, value)`` (case-insensitive, exact), ascending; all without any.

        Example:
            >>> from datetime import UTC, datetime
            >>> backend = HappyGrasshopperBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> backend.search([("first_name", "gus"), ("tag", "VIP")])
            [100029, 100119, 100136, 100139, 100172, 100313, 100328, 100333, 100391]
        """
        wanted = list(criteria)
        if not wanted:
            return self.contacts.ids()
        index = self._search_index()
        found: set[int] = set()
        for field, value in wanted:
            found.update(index[field].get(value.casefold(), ()))
        return sorted(found)

    def insert(self, records: int) -> None:
        """Add ``records`` contacts that sort first (ids below the smallest), created now."""
        with self._lock:
            self._insertions += 1
            lowest = self.contacts.lowest_id()
            first = 100_000 if lowest is None else lowest
            for contact in self._generator.fork(self._insertions).contacts(first - np.arange(records, 0, -1)):
                self.contacts.put(contact)

    def delete(self, records: int) -> None:
        """Delete the ``records`` contacts that sort first (the lowest ids)."""
        with self._lock:
            for id_ in list(self.contacts.ids()[:records]):
                self.contacts.remove(id_)

    def reset(self) -> None:
        """Back to the seed contacts; every revoked key works again."""
        self.contacts.reset()
        self.revoked.clear()
        self._insertions = 0

    def _search_index(self) -> dict[str, dict[str, list[int]]]:
        with self._lock:
            if self._index_version != self.contacts.version:
                index: dict[str, dict[str, list[int]]] = {field: {} for field in SEARCH_FIELDS}
                for contact in self.contacts:
                    for field in SEARCH_FIELDS[:-1]:
                        if contact[field] is not None:
                            index[field].setdefault(str(contact[field]).casefold(), []).append(contact["id"])
                    for tag in contact["tags"]:
                        index["tag"].setdefault(tag.casefold(), []).append(contact["id"])
                self._index, self._index_version = index, self.contacts.version
            return self._index
