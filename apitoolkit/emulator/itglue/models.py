"""IT Glue state: accounts (one per API key) holding their resources, with ``reset()`` to the seed state."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from apitoolkit.emulator.core.accounts import AccountsBackend
from apitoolkit.emulator.itglue.data import (
    LOG_DAYS,
    LOG_ID_BASE,
    METRIC_TYPES,
    Counts,
    DataGenerator,
)
from apitoolkit.emulator.itglue.query import ListQuery, Resource, select
from apitoolkit.emulator.itglue.resources import RESOURCES
from apitoolkit.emulator.itglue.table import Records, Table


class ITGlueAccount:
    """One IT Glue account and its data, generated from ``seed``.

    The data attributes (``organizations``, ``users``, ``user_metrics``, ``logs``, ``expirations``) are
    read-only sequences of records exactly as the API serves them (JSON:API resource objects:
    ``{"id": "12", "type": "users", "attributes": {kebab-case...}, "relationships": {}}``), in the
    endpoint's default order. ``tables`` holds the underlying column storage.

    Example:
        >>> from datetime import UTC, datetime
        >>> account = ITGlueAccount(seed=1, counts=Counts.for_size("small"), now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> len(account.users)
        40
    """

    def __init__(self, *, seed: int, counts: Counts, now: datetime) -> None:
        self.seed = seed
        self.counts = counts
        self.now = int(now.timestamp())
        self._generator = DataGenerator(seed, now)
        columns = self._generator.generate(counts)
        self.tables = {r.key: Table(r.type, r.fields, columns[r.key]) for r in RESOURCES}
        self._resources = {r.key: r for r in RESOURCES}
        self._insertions = 0

    def __repr__(self) -> str:
        sizes = ", ".join(f"{key}={len(table)}" for key, table in self.tables.items())
        return f"<ITGlueAccount seed={self.seed} {sizes}>"

    def records(self, key: str) -> Records:
        """The records of resource ``key`` (e.g. ``"users"``) in the endpoint's default order."""
        table, resource = self.tables[key], self._resources[key]
        return Records(table, lambda: select(table, resource, ListQuery()))

    @property
    def organizations(self) -> Records:
        """The organizations, by id."""
        return self.records("organizations")

    @property
    def users(self) -> Records:
        """The users, by id."""
        return self.records("users")

    @property
    def user_metrics(self) -> Records:
        """The user metrics, by id."""
        return self.records("user_metrics")

    @property
    def logs(self) -> Records:
        """The logs of the last 30 days, newest first (ties by id ascending)."""
        return self.records("logs")

    @property
    def expirations(self) -> Records:
        """The expirations, by id."""
        return self.records("expirations")

    def reset(self) -> None:
        """Drop inserted records and restore changed values."""
        for table in self.tables.values():
            table.reset()
        self._insertions = 0

    def insert(self, resource: Resource, records: int, organization_id: int | None = None) -> None:
        """Add ``records`` new records that sort first under the resource's default order.

        New logs are created at ``now`` with the highest ids; other resources get ids below the smallest
        existing one. Expirations go to ``organization_id`` when given. New user metrics add to their
        users' reputation. Nothing is added when a resource they depend on is empty.

        Example:
            >>> account.insert(USERS, 3)  # doctest: +SKIP
        """
        self._insertions += 1
        generator = self._generator.fork(self._insertions)
        rng, now = generator.rng, np.full(records, self.now, dtype=np.int64)
        table, orgs, users = self.tables[resource.key], self.tables["organizations"], self.tables["users"]
        if resource.key == "logs":
            if not len(users):
                return
            floor = LOG_ID_BASE + LOG_DAYS * 86_400 * 2**20
            first = max(table.issued[1] if table.issued else floor, floor)
            columns = generator.log_rows(
                first + np.arange(1, records + 1),
                now,
                users.columns,
                orgs.columns,
                rng.integers(0, len(users), records),
                rng.integers(0, 4, records),
                rng.integers(0, 4, records),
            )
            table.append(columns)
            return
        ids = (table.issued[0] if table.issued else 1_000) - np.arange(records, 0, -1)
        if resource.key == "organizations":
            table.append(generator.organizations(ids, now, owner_first=False))
        elif resource.key == "users":
            table.append(generator.users(ids, now, orgs.columns))
        elif resource.key == "expirations" and len(orgs):
            scope = orgs.columns
            if organization_id is not None:
                row = orgs.find(organization_id)
                if row is None:
                    return
                scope = {name: column[[row]] for name, column in scope.items()}
            table.append(generator.expirations(ids, scope, self.now))
        elif resource.key == "user_metrics" and len(users) and len(orgs):
            user_rows = rng.integers(0, len(users), records)
            columns = generator.metric_rows(
                ids,
                users.columns,
                user_rows,
                orgs.columns["id"][rng.integers(0, len(orgs), records)],
                rng.integers(0, len(METRIC_TYPES), records),
                np.full(records, self.now // 86_400),
            )
            table.append(columns)
            points = np.zeros(len(users), dtype=np.int64)
            np.add.at(points, user_rows, 10 * columns["created"] + 5 * columns["edited"] + columns["viewed"])
            changed = np.flatnonzero(points)
            users.update("reputation", changed, users.columns["reputation"][changed] + points[changed])

    def delete(self, resource: Resource, records: int, organization_id: int | None = None) -> None:
        """Delete the ``records`` records that sort first under the resource's default order.

        With ``organization_id``, only that organization's records (its expirations) are candidates.

        Example:
            >>> account.delete(USERS, 3)  # doctest: +SKIP
        """
        table = self.tables[resource.key]
        rows = select(table, resource, ListQuery())
        if organization_id is not None:
            rows = rows[table.columns["organization-id"][rows] == organization_id]
        table.remove(rows[:records])


class ITGlueBackend(AccountsBackend[ITGlueAccount]):
    """The state of the emulated IT Glue: accounts by API key, the default one first.

    Args:
        seed: Seed of the default account's data.
        size: "small", "medium" or "large".
        now: The instant "last 30 days" and other relative data are anchored to (tz-aware).
        counts: Overrides of the size's counts (``organizations``, ``users``, ``metric_days``, ``logs``,
            ``expirations``).

    Example:
        >>> from datetime import UTC, datetime
        >>> backend = ITGlueBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> backend.api_key
        'itg-emulator-key-1'
    """

    title = "IT Glue"
    account_type = ITGlueAccount
    counts_type = Counts

    def __init__(self, *, seed: int, size: str, now: datetime, counts: dict[str, int] | None = None) -> None:
        super().__init__(api_key=f"itg-emulator-key-{seed}", seed=seed, size=size, now=now, counts=counts)
