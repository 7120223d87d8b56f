"""A backend holding accounts by API key, each with its own seeded data (IT Glue, Glasshat)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar

__all__ = ["AccountsBackend"]


class _Account(Protocol):
    def __init__(self, *, seed: int, counts: Any, now: datetime) -> None: ...

    def reset(self) -> None: ...


A = TypeVar("A", bound=_Account)


class AccountsBackend(Generic[A]):
    """Accounts by API key, the default one first; ``reset()`` keeps only the default, back to its seed.

    A subclass names its service (``title``), its account class and the dataclass of its counts (with a
    ``for_size(size, overrides)`` constructor), and passes the default account's key.

    Example:
        >>> from apitoolkit.emulator.itglue.models import ITGlueBackend  # one subclass
        >>> ITGlueBackend.title, ITGlueBackend.account_type.__name__, ITGlueBackend.counts_type.__name__
        ('IT Glue', 'ITGlueAccount', 'Counts')
    """

    title: ClassVar[str]
    account_type: ClassVar[type[Any]]
    counts_type: ClassVar[type[Any]]

    def __init__(self, *, api_key: str, seed: int, size: str, now: datetime, counts: dict[str, int] | None) -> None:
        self.seed = seed
        self.now = now
        self.default_counts = self.counts_type.for_size(size, counts)
        self.api_key = api_key
        self.accounts: dict[str, A] = {}
        self.add_account(api_key, seed=seed)

    def add_account(self, api_key: str, *, seed: int | None = None, **counts: int) -> A:
        """Add an account with its own data, reachable with ``api_key``.

        Args:
            api_key: The key its requests send.
            seed: Seed of its data; defaults to the backend's seed plus the number of accounts.
            **counts: Overrides of the default counts; all 0 gives an empty account.

        Raises:
            ValueError: The key is taken, or a count is unknown or invalid.

        Example:
            >>> from datetime import UTC, datetime
            >>> from apitoolkit.emulator.itglue.models import ITGlueBackend
            >>> backend = ITGlueBackend(seed=1, size="small", now=datetime(2025, 1, 1, tzinfo=UTC))
            >>> account = backend.add_account("other-key", seed=7)
            >>> list(backend.accounts)
            ['itg-emulator-key-1', 'other-key']
        """
        if api_key in self.accounts:
            raise ValueError("an account with this API key already exists")
        unknown = set(counts) - {f.name for f in dataclasses.fields(self.counts_type)}
        if unknown:
            raise ValueError(f"unknown {self.title} count(s): {', '.join(sorted(unknown))}")
        account: A = self.account_type(
            seed=self.seed + len(self.accounts) if seed is None else seed,
            counts=dataclasses.replace(self.default_counts, **counts),
            now=self.now,
        )
        self.accounts[api_key] = account
        return account

    def reset(self) -> None:
        """Back to the seed state: accounts added later are removed, the default one loses every change."""
        self.accounts = {self.api_key: self.accounts[self.api_key]}
        self.accounts[self.api_key].reset()
