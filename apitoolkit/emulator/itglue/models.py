"""IT Glue state: accounts (one per API key) holding their resources, with ``reset()`` to the seed state."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

import numpy as np

from apitoolkit.emulator.core.accounts import AccountsBackend
from apitoolkit.emulator.itglue.clock import advance_account
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
        self.start = self.now
        #: Where log ids count from (the start of the initial 30 days), and the last date holding metrics.
        self.log_start = self.now - LOG_DAYS * 86_400
        self.metrics_day = self.now // 86_400
        self._generator = DataGenerator(seed, now)
        columns = self._generator.generate(counts)
        self.tables = {r.key: Table(r.type, r.fields, columns[r.key]) for r in RESOURCES}
        self._resources = {r.key: r for r in RESOURCES}
        self._insertions = 0
        #: How `insert` adds records, by resource.
        self._inserters: dict[str, Callable[[DataGenerator, int, int | None], None]] = {
            "logs": self._insert_logs,
            "organizations": self._insert_organizations,
            "users": self._insert_users,
            "expirations": self._insert_expirations,
            "user_metrics": self._insert_user_metrics,
        }

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
        """Drop inserted records and restore changed values; the clock back to its start."""
        for table in self.tables.values():
            table.reset()
        self._insertions = 0
        self.now, self.metrics_day = self.start, self.start // 86_400

    def advance(self, now: datetime) -> None:
        """Let the account live on until ``now``: new logs, metrics, renewals... (see `itglue.clock`).

        Example:
            >>> from datetime import UTC, datetime
            >>> account = ITGlueAccount(seed=1, counts=Counts.for_size("small"), now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> before = len(account.user_metrics)
            >>> account.advance(datetime(2025, 1, 3, tzinfo=UTC))
            >>> len(account.user_metrics) > before
            True
        """
        advance_account(self, int(now.timestamp()))

    def generator_at(self, *key: int) -> DataGenerator:
        """A generator sharing the pools, with the random stream of ``(seed, *key)`` (for simulated time)."""
        generator = copy.copy(self._generator)
        generator.rng = np.random.default_rng([self.seed, *key])
        return generator

    def insert(self, resource: Resource, records: int, organization_id: int | None = None) -> None:
        """Add ``records`` new records that sort first under the resource's default order.

        New logs are created at ``now`` with the highest ids; other resources get ids below the smallest
        existing one. Expirations go to ``organization_id`` when given. New user metrics add to their
        users' reputation. Nothing is added when a resource they depend on is empty.

        Example:
            >>> from datetime import UTC, datetime
            >>> from apitoolkit.emulator.itglue.resources import USERS
            >>> account = ITGlueAccount(seed=1, counts=Counts.for_size("small"), now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> account.insert(USERS, 3)
            >>> len(account.users)
            43
        """
        self._insertions += 1
        insert = self._inserters.get(resource.key)
        if insert is not None:
            insert(self._generator.fork(self._insertions), records, organization_id)

    def _new_ids(self, key: str, records: int) -> np.ndarray:
        """Ids below the smallest one resource ``key`` ever held, in ascending order: they sort first by id."""
        table = self.tables[key]
        return (table.issued[0] if table.issued else 1_000) - np.arange(records, 0, -1)

    def _insert_logs(self, generator: DataGenerator, records: int, organization_id: int | None) -> None:
        """New logs at ``now``, with ids above every log's (the newest sort first)."""
        table, users = self.tables["logs"], self.tables["users"]
        if not len(users):
            return
        rng = generator.rng
        floor = LOG_ID_BASE + LOG_DAYS * 86_400 * 2**20
        first = max(table.issued[1] if table.issued else floor, floor)
        columns = generator.log_rows(
            first + np.arange(1, records + 1),
            np.full(records, self.now, dtype=np.int64),
            users.columns,
            self.tables["organizations"].columns,
            rng.integers(0, len(users), records),
            rng.integers(0, 4, records),
            rng.integers(0, 4, records),
        )
        table.append(columns)

    def _insert_organizations(self, generator: DataGenerator, records: int, organization_id: int | None) -> None:
        now = np.full(records, self.now, dtype=np.int64)
        self.tables["organizations"].append(
            generator.organizations(self._new_ids("organizations", records), now, owner_first=False)
        )

    def _insert_users(self, generator: DataGenerator, records: int, organization_id: int | None) -> None:
        now = np.full(records, self.now, dtype=np.int64)
        orgs = self.tables["organizations"].columns
        self.tables["users"].append(generator.users(self._new_ids("users", records), now, orgs))

    def _insert_expirations(self, generator: DataGenerator, records: int, organization_id: int | None) -> None:
        """New expirations of every organization, or of ``organization_id`` only (none when it does not exist)."""
        orgs = self.tables["organizations"]
        if not len(orgs):
            return
        scope = orgs.columns
        if organization_id is not None:
            row = orgs.find(organization_id)
            if row is None:
                return
            scope = {name: column[[row]] for name, column in scope.items()}
        self.tables["expirations"].append(generator.expirations(self._new_ids("expirations", records), scope, self.now))

    def _insert_user_metrics(self, generator: DataGenerator, records: int, organization_id: int | None) -> None:
        """New metrics of today, their points added to their users' reputation."""
        users, orgs = self.tables["users"], self.tables["organizations"]
        if not (len(users) and len(orgs)):
            return
        rng = generator.rng
        user_rows = rng.integers(0, len(users), records)
        columns = generator.metric_rows(
            self._new_ids("user_metrics", records),
            users.columns,
            user_rows,
            orgs.columns["id"][rng.integers(0, len(orgs), records)],
            rng.integers(0, len(METRIC_TYPES), records),
            np.full(records, self.now // 86_400),
        )
        self.tables["user_metrics"].append(columns)
        points = np.zeros(len(users), dtype=np.int64)
        np.add.at(points, user_rows, 10 * columns["created"] + 5 * columns["edited"] + columns["viewed"])
        changed = np.flatnonzero(points)
        users.update("reputation", changed, users.columns["reputation"][changed] + points[changed])

    def delete(self, resource: Resource, records: int, organization_id: int | None = None) -> None:
        """Delete the ``records`` records that sort first under the resource's default order.

        With ``organization_id``, only that organization's records (its expirations) are candidates.

        Example:
            >>> from datetime import UTC, datetime
            >>> from apitoolkit.emulator.itglue.resources import USERS
            >>> account = ITGlueAccount(seed=1, counts=Counts.for_size("small"), now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> account.delete(USERS, 3)
            >>> len(account.users)
            37
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
        self.start = now

    def advance(self, now: datetime) -> None:
        """Let every account live on until ``now``; accounts added later are anchored to it."""
        for account in self.accounts.values():
            account.advance(now)
        self.now = now

    def reset(self) -> None:
        """Back to the seed state, the clock back to its start (see `AccountsBackend.reset`)."""
        super().reset()
        self.now = self.start
