"""Deterministic, realistic Happy Grasshopper contacts from a seed.

People of several locales (non-ASCII names included) with unique emails, local phone numbers and companies,
tags and a status; some last names, emails, phones and companies are null. ``created_at`` grows with the id;
times are ISO 8601 UTC (``2012-04-23T02:23:11Z``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import numpy as np

from apitoolkit.emulator.core.fake import (
    Pools,
    faker_pools,
    iso_utc,
    object_array,
    people,
    sequential_ids,
    slug,
    spread_after,
    unique_emails,
    zipf_rows,
)

DAY = 86_400
STATUSES = ("active", "unsubscribed", "bounced")
STATUS_WEIGHTS = (0.85, 0.1, 0.05)
TAGS = (
    "lead",
    "customer",
    "newsletter",
    "vip",
    "past client",
    "buyer",
    "seller",
    "referral",
    "open house",
    "sphere",
    "investor",
    "Käufer",
    "prospecto",
    "顧客",
    "klient",
)
MAIL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "web.de",
    "orange.fr",
    "wp.pl",
    "yahoo.co.jp",
    "uol.com.br",
    "telia.se",
    "icloud.com",
)


@dataclass(frozen=True)
class Counts:
    """How many contacts the account holds.

    Example:
        >>> Counts.for_size("small").contacts
        200
    """

    contacts: int

    def __post_init__(self) -> None:
        if isinstance(self.contacts, bool) or not isinstance(self.contacts, int) or self.contacts < 0:
            raise ValueError(f"Happy Grasshopper count contacts must be a non-negative integer, got {self.contacts!r}")

    @classmethod
    def for_size(cls, size: str, overrides: Mapping[str, int] | None = None) -> Counts:
        """The counts of a size ("small", "medium", "large"), with some replaced."""
        unknown = set(overrides or {}) - set(COUNT_NAMES)
        if unknown:
            raise ValueError(f"unknown Happy Grasshopper count(s) {sorted(unknown)}: use {', '.join(COUNT_NAMES)}")
        return cls(**{**SIZE_COUNTS[size], **(overrides or {})})


COUNT_NAMES = tuple(f.name for f in fields(Counts))
SIZE_COUNTS: dict[str, dict[str, int]] = {
    "small": {"contacts": 200},
    "medium": {"contacts": 5_000},
    "large": {"contacts": 50_000},
}


class DataGenerator:
    """Draws contacts as the API serves them.

    Example:
        >>> from datetime import UTC, datetime
        >>> contacts = DataGenerator(1, datetime(2025, 1, 1, tzinfo=UTC)).contacts(np.array([1, 2]))
        >>> sorted(contacts[0])[:3]
        ['company', 'created_at', 'email']
    """

    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now = int(now.timestamp())
        self.rng = np.random.default_rng([seed, 4])
        self.pools: Pools = faker_pools(seed)

    def fork(self, stream: int) -> DataGenerator:
        """A generator with its own RNG stream (for contacts added later)."""
        forked = copy.copy(self)
        forked.rng = np.random.default_rng([self.seed, 4, stream])
        return forked

    def generate(self, counts: Counts) -> list[dict[str, Any]]:
        """The account's contacts, in id order."""
        ids = sequential_ids(self.rng, 100_000, counts.contacts, 3)
        created = np.sort(self.rng.integers(self.now - 5 * 365 * DAY, self.now - 3_600, counts.contacts))
        return self.contacts(ids, created)

    def contacts(self, ids: np.ndarray, created: np.ndarray | None = None) -> list[dict[str, Any]]:
        """Contacts with these ids (created at ``now`` unless given)."""
        rng, pools, n = self.rng, self.pools, len(ids)
        created = np.full(n, self.now, dtype=np.int64) if created is None else created
        locale, first, last, first_ascii, last_ascii = people(rng, pools, n)
        last[rng.random(n) < 0.04] = None
        companies = pools.companies[rng.integers(0, len(pools.companies), n)]
        work = rng.random(n) < 0.4
        domains = [
            f"{slug(str(company), 16) or 'mail'}.com" if at_work else MAIL_DOMAINS[pick]
            for company, at_work, pick in zip(companies, work, rng.integers(0, len(MAIL_DOMAINS), n), strict=True)
        ]
        emails = unique_emails(
            [
                f"{f or 'contact'}.{la}" if la else (f or "contact")
                for f, la in zip(first_ascii, last_ascii, strict=True)
            ],
            domains,
        )
        phones = [
            str(pools.phones[index][pick]) for index, pick in zip(locale.tolist(), rng.integers(0, 60, n), strict=True)
        ]
        has = rng.random((3, n))
        statuses = object_array(STATUSES)[rng.choice(len(STATUSES), n, p=STATUS_WEIGHTS)]
        tag_counts = np.where(rng.random(n) < 0.7, rng.integers(1, 4, n), 0)
        tag_rows = zipf_rows(rng, len(TAGS), 3 * n).reshape(n, 3) if n else np.zeros((0, 3), dtype=np.int64)
        updated = spread_after(rng, created, self.now)
        return [
            {
                "id": int(ids[row]),
                "first_name": first[row],
                "last_name": last[row],
                "email": emails[row] if has[0, row] < 0.97 else None,
                "phone": phones[row] if has[1, row] < 0.7 else None,
                "company": str(companies[row]) if work[row] or has[2, row] < 0.3 else None,
                "tags": list(dict.fromkeys(TAGS[i] for i in tag_rows[row, : tag_counts[row]])),
                "status": statuses[row],
                "created_at": iso_utc(int(created[row])),
                "updated_at": iso_utc(int(updated[row])),
            }
            for row in range(n)
        ]
