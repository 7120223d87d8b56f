"""Deterministic JSON:API test pages (15 attributes, 1000 records a page), kept on disk, and their Schema."""

from __future__ import annotations

import os
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from apitoolkit.frames import Kind, Schema

WORK = Path(__file__).resolve().parent / ".work"
PAGE_SIZE = 1000
RESOURCE = "people"
GENERATOR_VERSION = 1

ATTRIBUTES: list[tuple[str, Kind]] = [
    ("first-name", "str"),
    ("last-name", "str"),
    ("email", "str"),
    ("organization-name", "str"),
    ("country-code", "str"),
    ("notes", "str"),
    ("reputation", "int"),
    ("rank", "int"),
    ("balance", "float"),
    ("is-active", "bool"),
    ("is-verified", "bool"),
    ("created-at", "datetime"),
    ("updated-at", "datetime"),
    ("last-login-at", "datetime"),
    ("birth-date", "date"),
]

_FIRST = ["Ana", "José", "Zoë", "Łukasz", "Björn", "Søren", "François", "İlkay", "Анна", "渡辺", "Mary"]
_LAST = ["Müller", "Núñez", "Dvořák", "O'Brien", "Smith", "Kowalski", "Ødegaard", "Петров", "山田", "García"]
_ORGS = ["Acme GmbH", "Façade & Co", "Nordlys AS", "Quantum Ltd", "Société Générale de Test", "Ωmega"]
_COUNTRIES = ["DE", "ES", "FR", "GB", "NO", "PL", "SE", "TR", "US", "JP"]
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def schema() -> Schema:
    """The apitoolkit Schema matching the generated records (imports apitoolkit, hence pandas, on call)."""
    from apitoolkit.frames import Schema

    return Schema.jsonapi_resource(RESOURCE, ATTRIBUTES)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def record(rng: random.Random, number: int) -> dict[str, Any]:
    """One JSON:API resource object; about 1 value in 10 of the optional attributes is null."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    created = _EPOCH + timedelta(seconds=rng.randrange(200_000_000), milliseconds=rng.randrange(1000))
    updated = created + timedelta(seconds=rng.randrange(10_000_000))
    maybe = rng.random
    return {
        "id": str(number),
        "type": RESOURCE,
        "attributes": {
            "first-name": first,
            "last-name": last,
            "email": f"{first.lower()}.{number}@example.com",
            "organization-name": rng.choice(_ORGS) if maybe() > 0.1 else None,
            "country-code": rng.choice(_COUNTRIES),
            "notes": f"Customer since {created.year}; prefers contact by e-mail. Ref #{number:08d}."
            if maybe() > 0.3
            else None,
            "reputation": rng.randrange(100_000),
            "rank": rng.randrange(1, 5000) if maybe() > 0.1 else None,
            "balance": round(rng.uniform(-1000, 100_000), 2),
            "is-active": maybe() > 0.2,
            "is-verified": (maybe() > 0.5) if maybe() > 0.1 else None,
            "created-at": _iso(created),
            "updated-at": _iso(updated),
            "last-login-at": _iso(updated + timedelta(hours=rng.randrange(500))) if maybe() > 0.1 else None,
            "birth-date": (date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))).isoformat(),
        },
    }


def generate_pages(records: int, *, seed: int = 20260102) -> list[bytes]:
    """``records`` records as compact JSON:API page bodies of `PAGE_SIZE` records each."""
    rng = random.Random(seed)
    total_pages = max(1, -(-records // PAGE_SIZE))
    pages = []
    for index in range(total_pages):
        start = index * PAGE_SIZE
        data = [record(rng, n + 1) for n in range(start, min(start + PAGE_SIZE, records))]
        meta = {"current-page": index + 1, "total-pages": total_pages, "total-count": records}
        pages.append(orjson.dumps({"data": data, "meta": meta}))
    return pages


def pages_path(records: int) -> Path:
    """Where the pages for ``records`` records are stored (one page per line)."""
    return WORK / f"pages-v{GENERATOR_VERSION}-{records}.jsonl"


def ensure_pages(records: int) -> Path:
    """Generate and store the pages unless already on disk; returns the file."""
    path = pages_path(records)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        tmp.write_bytes(b"\n".join(generate_pages(records)))
        os.replace(tmp, path)
    return path


def load_pages(records: int) -> list[bytes]:
    """The stored page bodies (generated first if missing)."""
    return ensure_pages(records).read_bytes().split(b"\n")
