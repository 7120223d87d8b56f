"""Realistic fake values every service draws from: Faker pools per locale (non-ASCII included) and numpy helpers.

Faker runs once per seed to fill small pools (names, companies, places, phone numbers, phrases); services
pick rows from them with numpy, so even "large" data takes well under a second per service.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
from faker import Faker

LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "pl_PL", "ja_JP", "pt_BR", "sv_SE")
LOCALE_WEIGHTS = (0.46, 0.1, 0.1, 0.08, 0.06, 0.05, 0.05, 0.05, 0.05)
COUNTRIES = ("United States", "United Kingdom", "Germany", "France", "Spain", "Poland", "Japan", "Brazil", "Sweden")


@dataclass(frozen=True)
class Pools:
    """Values drawn once per seed with Faker; rows pick from them.

    Attributes:
        first, last: First and last names, one array per locale of ``LOCALES``.
        first_ascii, last_ascii: The same names as lower-case ASCII slugs (for logins and emails).
        companies: Company names of every locale.
        places: ``(city, region, country)`` rows.
        agents: Browser user agents.
        phrases: English catch phrases.
        phones: Phone numbers, one array per locale.
    """

    first: tuple[np.ndarray, ...]
    last: tuple[np.ndarray, ...]
    first_ascii: tuple[np.ndarray, ...]
    last_ascii: tuple[np.ndarray, ...]
    companies: np.ndarray
    places: np.ndarray
    agents: np.ndarray
    phrases: np.ndarray
    phones: tuple[np.ndarray, ...]


@functools.lru_cache(maxsize=8)
def faker_pools(seed: int) -> Pools:
    """The pools of a seed (cached: services of one app share them).

    Example:
        >>> len(faker_pools(1).first) == len(LOCALES)
        True
    """
    first, last, places, companies, phones = [], [], [], [], []
    for index, locale in enumerate(LOCALES):
        faker = Faker(locale)
        faker.seed_instance(seed * 101 + index)
        first.append(object_array(sorted({faker.first_name() for _ in range(150)})))
        last.append(object_array(sorted({faker.last_name() for _ in range(150)})))
        region = faker.state_abbr if locale == "en_US" else faker.administrative_unit
        places += [(faker.city(), region(), COUNTRIES[index]) for _ in range(25)]
        companies += [faker.company() for _ in range(150)]
        phones.append(object_array([faker.phone_number() for _ in range(60)]))
    english = Faker("en_US")
    english.seed_instance(seed)
    return Pools(
        first=tuple(first),
        last=tuple(last),
        first_ascii=tuple(object_array([slug(name, 20) for name in names]) for names in first),
        last_ascii=tuple(object_array([slug(name, 20) for name in names]) for names in last),
        companies=object_array(sorted(set(companies))),
        places=np.array(places, dtype=object),
        agents=object_array([english.user_agent() for _ in range(40)]),
        phrases=object_array([english.catch_phrase() for _ in range(200)]),
        phones=tuple(phones),
    )


def people(rng: np.random.Generator, pools: Pools, n: int) -> tuple[np.ndarray, ...]:
    """``n`` people of mixed locales: ``(locale index, first, last, first ASCII, last ASCII)`` arrays.

    Example:
        >>> locale, first, last, first_ascii, last_ascii = people(np.random.default_rng(1), faker_pools(1), 3)
        >>> len(first)
        3
    """
    locale = rng.choice(len(LOCALES), n, p=LOCALE_WEIGHTS)
    first, last = object_array([None] * n), object_array([None] * n)
    first_ascii, last_ascii = object_array([""] * n), object_array([""] * n)
    for index in range(len(LOCALES)):
        rows = np.flatnonzero(locale == index)
        pick_first = rng.integers(0, len(pools.first[index]), len(rows))
        pick_last = rng.integers(0, len(pools.last[index]), len(rows))
        first[rows], first_ascii[rows] = pools.first[index][pick_first], pools.first_ascii[index][pick_first]
        last[rows], last_ascii[rows] = pools.last[index][pick_last], pools.last_ascii[index][pick_last]
    return locale, first, last, first_ascii, last_ascii


def object_array(values: Any) -> np.ndarray:
    """A 1-d object array of ``values`` (tuples stay elements).

    Example:
        >>> object_array([("a", 1), None]).shape
        (2,)
    """
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def sequential_ids(rng: np.random.Generator, base: int, n: int, gap: int) -> np.ndarray:
    """``n`` increasing ids above ``base`` with random gaps of 1 to ``gap``.

    Example:
        >>> ids = sequential_ids(np.random.default_rng(1), 100, 5, 3)
        >>> bool((ids > 100).all() and (np.diff(ids) > 0).all())
        True
    """
    return base + np.cumsum(rng.integers(1, gap + 1, n))


def spread_after(rng: np.random.Generator, times: np.ndarray, now: int) -> np.ndarray:
    """Random instants between each of ``times`` and ``now``.

    Example:
        >>> int(spread_after(np.random.default_rng(1), np.array([10]), 10)[0])
        10
    """
    return times + (rng.random(len(times)) * (now - times)).astype(np.int64)


def maybe(rng: np.random.Generator, pool: np.ndarray, n: int, share: float) -> np.ndarray:
    """``n`` values from ``pool``; about ``1 - share`` of them None.

    Example:
        >>> maybe(np.random.default_rng(1), object_array(["x"]), 3, 1.0).tolist()
        ['x', 'x', 'x']
    """
    values = pool[rng.integers(0, len(pool), n)]
    values[rng.random(n) >= share] = None
    return values


def zipf_rows(rng: np.random.Generator, size: int, n: int) -> np.ndarray:
    """``n`` row positions among ``size`` rows, a few of them far more often than the rest.

    Example:
        >>> zipf_rows(np.random.default_rng(1), 0, 2).tolist()
        [0, 0]
    """
    if size == 0:
        return np.zeros(n, dtype=np.int64)
    weights = 1.0 / np.arange(1, size + 1) ** 0.8
    return rng.permutation(size)[rng.choice(size, n, p=weights / weights.sum())]


def iso_utc(seconds: int) -> str:
    """Seconds since the epoch as ISO 8601 UTC with ``Z``.

    Example:
        >>> iso_utc(1_335_147_791)
        '2012-04-23T02:23:11Z'
    """
    return f"{np.datetime_as_string(np.datetime64(seconds, 's'), unit='s')}Z"


def slug(text: str, limit: int) -> str:
    """The first word of ``text`` as lower-case ASCII letters and digits, at most ``limit`` long.

    Example:
        >>> slug("Jürgen Müller", 10)
        'jurgen'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", ascii_text.split()[0] if ascii_text.split() else "")[:limit]


def unique_emails(locals_: list[str], domains: list[str]) -> list[str]:
    """``local@domain`` addresses, numbered from the second use of one address on.

    Example:
        >>> unique_emails(["ann", "ann"], ["x.com", "x.com"])
        ['ann@x.com', 'ann2@x.com']
    """
    seen: dict[str, int] = {}
    emails = []
    for local, domain in zip(locals_, domains, strict=True):
        email = f"{local}@{domain}"
        seen[email] = seen.get(email, 0) + 1
        emails.append(email if seen[email] == 1 else f"{local}{seen[email]}@{domain}")
    return emails
