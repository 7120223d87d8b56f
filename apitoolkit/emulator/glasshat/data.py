"""Deterministic, realistic Glasshat data from a seed: clients, their projects (web sites), and SEO action tasks.

Clients are companies of several locales (non-ASCII names included, some without a website); every client
has at least one project when there are enough; tasks spread unevenly over projects. Times are ISO 8601 UTC
with ``Z``; ``completed`` is set only on tasks that are done.
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
    sequential_ids,
    slug,
    spread_after,
    zipf_rows,
)

DAY = 86_400
TASK_TYPES = ("content", "technical", "links", "local", "social")
TASK_TYPE_WEIGHTS = (0.3, 0.3, 0.15, 0.1, 0.15)
TASK_STATUSES = ("open", "in_progress", "done", "dismissed")
TASK_STATUS_WEIGHTS = (0.45, 0.15, 0.3, 0.1)
PRIORITY_WEIGHTS = (0.1, 0.2, 0.35, 0.2, 0.15)
PROJECT_KINDS = (
    ("Main website", "www.{slug}.com"),
    ("Online shop", "shop.{slug}.com"),
    ("Blog", "blog.{slug}.com"),
    ("Landing pages", "go.{slug}.com"),
    ("German site", "{slug}.de"),
    ("French site", "{slug}.fr"),
    ("Japan site", "{slug}.jp"),
    ("Help center", "help.{slug}.com"),
    ("Careers", "jobs.{slug}.com"),
)
PAGES = (
    "/",
    "/pricing",
    "/blog",
    "/about",
    "/contact",
    "/products",
    "/kontakt",
    "/über-uns",
    "/produits",
    "/ブログ",
    "/servicios",
    "/o-nas",
)
KEYWORDS = (
    "best running shoes",
    "cheap flights to {city}",
    "günstige Versicherung",
    "assurance habitation",
    "{city} ラーメン",
    "dentist near me",
    "how to fix a leaking tap",
    "tanie noclegi {city}",
    "melhor pizza em {city}",
    "wedding photographer {city}",
)
SITES = (
    "a local news site",
    "an industry directory",
    "a partner's blog",
    "Wikipedia",
    "a university page",
    "a trade association",
)
DIRECTORIES = ("Yelp", "Apple Maps", "Bing Places", "Gelbe Seiten", "PagesJaunes", "Foursquare")
TITLES = {
    "content": (
        "Add a meta description to {page}",
        "Rewrite the title tag of {page}",
        "Expand thin content on {page}",
        'Write a blog post about "{keyword}"',
        "Add alt text to {n} images on {page}",
        "Fix duplicate H1 on {page}",
    ),
    "technical": (
        "Fix {n} broken links on {page}",
        "Reduce page weight of {page}",
        "Add hreflang tags to {page}",
        "Fix redirect chain on {page}",
        "Submit sitemap.xml to Google Search Console",
        "Improve Largest Contentful Paint on {page}",
        "Add structured data to {page}",
    ),
    "links": (
        "Request a backlink from {site}",
        "Reclaim an unlinked mention on {site}",
        "Disavow {n} spammy links",
        "Get listed in {directory}",
    ),
    "local": (
        "Claim the Google Business Profile for {city}",
        "Fix NAP inconsistencies on {directory}",
        "Respond to {n} new reviews",
        "Add a {city} location page",
    ),
    "social": (
        'Share the "{keyword}" post on LinkedIn',
        "Post a weekly update on Facebook",
        "Add Open Graph tags to {page}",
        "Reply to comments on Instagram",
    ),
}


@dataclass(frozen=True)
class Counts:
    """How much data one account holds.

    Example:
        >>> Counts.for_size("small").tasks
        400
    """

    clients: int
    projects: int
    tasks: int

    def __post_init__(self) -> None:
        for name in COUNT_NAMES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"Glasshat count {name} must be a non-negative integer, got {value!r}")
        if self.projects and not self.clients:
            raise ValueError("Glasshat projects need at least one client")
        if self.tasks and not self.projects:
            raise ValueError("Glasshat tasks need at least one project")

    @classmethod
    def for_size(cls, size: str, overrides: Mapping[str, int] | None = None) -> Counts:
        """The counts of a size ("small", "medium", "large"), with some replaced."""
        unknown = set(overrides or {}) - set(COUNT_NAMES)
        if unknown:
            raise ValueError(f"unknown Glasshat count(s) {sorted(unknown)}: use {', '.join(COUNT_NAMES)}")
        return cls(**{**SIZE_COUNTS[size], **(overrides or {})})


COUNT_NAMES = tuple(f.name for f in fields(Counts))
SIZE_COUNTS: dict[str, dict[str, int]] = {
    "small": {"clients": 4, "projects": 10, "tasks": 400},
    "medium": {"clients": 20, "projects": 80, "tasks": 5_000},
    "large": {"clients": 100, "projects": 500, "tasks": 50_000},
}


def render_time(seconds: int | None) -> str | None:
    """Seconds since the epoch as ISO 8601 UTC with ``Z``; None stays None.

    Example:
        >>> render_time(1_335_147_791), render_time(None)
        ('2012-04-23T02:23:11Z', None)
    """
    return None if seconds is None else iso_utc(seconds)


class DataGenerator:
    """Draws one account's clients, projects and tasks (records as served).

    Example:
        >>> from datetime import UTC, datetime
        >>> clients, projects, tasks = DataGenerator(1, datetime(2025, 1, 1, tzinfo=UTC)).generate(
        ...     Counts.for_size("small"))
        >>> len(clients), len(projects), len(tasks)
        (4, 10, 400)
    """

    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now = int(now.timestamp())
        self.rng = np.random.default_rng([seed, 3])
        self.pools: Pools = faker_pools(seed)

    def fork(self, stream: int) -> DataGenerator:
        """A generator with its own RNG stream (for records added later)."""
        forked = copy.copy(self)
        forked.rng = np.random.default_rng([self.seed, 3, stream])
        return forked

    def generate(self, counts: Counts) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """Clients, projects and tasks, each in id order."""
        clients = self.clients(
            sequential_ids(self.rng, 1_000, counts.clients, 7).tolist(),
            np.sort(self.rng.integers(self.now - 4 * 365 * DAY, self.now - 60 * DAY, counts.clients)).tolist(),
        )
        projects = self.projects(sequential_ids(self.rng, 20_000, counts.projects, 9).tolist(), clients)
        tasks = self.tasks(sequential_ids(self.rng, 500_000, counts.tasks, 4).tolist(), projects)
        return clients, projects, tasks

    def clients(self, ids: list[int], created: list[int]) -> list[dict[str, Any]]:
        """Clients with these ids and creation times; names unique, about 15% without a website."""
        rng, companies = self.rng, self.pools.companies
        picks = rng.choice(len(companies), len(ids), replace=len(ids) > len(companies)).tolist()
        names: list[str] = []
        for pick in picks:
            name = str(companies[pick])
            names.append(name if name not in names else f"{name} {names.count(name) + 1}")
        tlds = rng.choice([".com", ".de", ".co.uk", ".fr", ".jp", ".com.br", ".se", ".pl"], len(ids)).tolist()
        websites = [
            f"https://www.{slug(name, 16) or 'client'}{tld}" if keep else None
            for name, tld, keep in zip(names, tlds, (rng.random(len(ids)) < 0.85).tolist(), strict=True)
        ]
        return [
            {"id": id_, "name": name, "website": website, "created": render_time(moment)}
            for id_, name, website, moment in zip(ids, names, websites, created, strict=True)
        ]

    def projects(self, ids: list[int], clients: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Projects spread over the clients (each client gets one before any gets a second)."""
        rng, n = self.rng, len(ids)
        first = np.arange(min(n, len(clients)))
        rows = np.concatenate([first, zipf_rows(rng, len(clients), n - len(first))]).astype(np.int64)
        client_created = np.array([_seconds(client["created"]) for client in clients], dtype=np.int64)
        created = spread_after(rng, client_created[rows], self.now - DAY) if n else np.zeros(0, dtype=np.int64)
        kinds = rng.integers(0, len(PROJECT_KINDS), n).tolist()
        projects, used = [], set()
        for id_, row, kind, moment in zip(ids, rows.tolist(), kinds, created.tolist(), strict=True):
            client = clients[row]
            label, domain = PROJECT_KINDS[kind]
            name, number = label, 1
            while (client["id"], name) in used:
                number += 1
                name = f"{label} {number}"
            used.add((client["id"], name))
            site = slug(client["name"], 16) or f"client{client['id']}"
            projects.append(
                {
                    "id": id_,
                    "client_id": client["id"],
                    "name": name,
                    "domain": domain.format(slug=site),
                    "created": render_time(moment),
                }
            )
        return projects

    def tasks(self, ids: list[int], projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Tasks spread unevenly over the projects, created after their project."""
        rng, n = self.rng, len(ids)
        rows = zipf_rows(rng, len(projects), n)
        project_created = np.array([_seconds(project["created"]) for project in projects], dtype=np.int64)
        created = spread_after(rng, project_created[rows], self.now - 3_600) if n else np.zeros(0, dtype=np.int64)
        updated = spread_after(rng, created, self.now)
        types = rng.choice(len(TASK_TYPES), n, p=TASK_TYPE_WEIGHTS).tolist()
        statuses = rng.choice(len(TASK_STATUSES), n, p=TASK_STATUS_WEIGHTS).tolist()
        priorities = (1 + rng.choice(5, n, p=PRIORITY_WEIGHTS)).tolist()
        titles = [self.title(rng, TASK_TYPES[kind]) for kind in types]
        return [
            {
                "id": id_,
                "project_id": projects[row]["id"],
                "title": title,
                "type": TASK_TYPES[kind],
                "priority": priority,
                "status": TASK_STATUSES[status],
                "created": render_time(made),
                "updated": render_time(changed),
                "completed": render_time(changed) if status == 2 else None,
            }
            for id_, row, title, kind, priority, status, made, changed in zip(
                ids, rows.tolist(), titles, types, priorities, statuses, created.tolist(), updated.tolist(), strict=True
            )
        ]

    def title(self, rng: np.random.Generator, kind: str) -> str:
        """One task title of type ``kind``."""
        templates = TITLES[kind]
        template = templates[int(rng.integers(0, len(templates)))]
        city = str(self.pools.places[int(rng.integers(0, len(self.pools.places))), 0])
        values = {
            "page": PAGES[int(rng.integers(0, len(PAGES)))],
            "keyword": KEYWORDS[int(rng.integers(0, len(KEYWORDS)))].format(city=city),
            "n": int(rng.integers(2, 40)),
            "site": SITES[int(rng.integers(0, len(SITES)))],
            "directory": DIRECTORIES[int(rng.integers(0, len(DIRECTORIES)))],
            "city": city,
        }
        return template.format_map(values)


def _seconds(text: str | None) -> int:
    assert text is not None
    return int(np.datetime64(text.removesuffix("Z"), "s").astype(np.int64))
