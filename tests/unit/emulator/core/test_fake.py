"""Shared fake values: Faker pools per seed (several locales, non-ASCII), people, slugs, emails, times."""

from __future__ import annotations

import numpy as np

from apitoolkit.emulator.core.fake import LOCALES, faker_pools, iso_utc, people, slug, unique_emails


def test_pools__per_seed_cached_and_multilingual() -> None:
    pools = faker_pools(1)
    assert faker_pools(1) is pools and faker_pools(2).companies.tolist() != pools.companies.tolist()
    assert len(pools.first) == len(pools.phones) == len(LOCALES)
    assert any(not name.isascii() for names in pools.first for name in names)
    assert all(slug.isascii() for slugs in pools.first_ascii for slug in slugs)


def test_people__seeded_and_of_mixed_locales() -> None:
    pools = faker_pools(1)
    first = people(np.random.default_rng(4), pools, 500)
    again = people(np.random.default_rng(4), pools, 500)
    assert all((a == b).all() for a, b in zip(first, again, strict=True))
    assert len(set(first[0].tolist())) > 5 and all(name for name in first[1])


def test_helpers__slug_emails_and_times() -> None:
    assert slug("Łukasz Żółw", 20) == "ukasz" and slug("株式会社", 5) == ""
    assert unique_emails(["a", "a", "b"], ["x.io"] * 3) == ["a@x.io", "a2@x.io", "b@x.io"]
    assert iso_utc(0) == "1970-01-01T00:00:00Z"
