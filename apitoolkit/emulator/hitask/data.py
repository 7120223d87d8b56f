"""Deterministic, realistic Hitask data from a seed: team members, contacts, groups, tags, items and their history.

Items are about 2% projects, 70% tasks, 12% events, 10% notes and 6% files, created over the two years
before ``now`` in id order. Many tasks sit in projects (some are sub-tasks of other tasks); tasks with a due
date in the past are mostly completed, the rest are overdue. Times are rendered in the owner's UTC offset
with milliseconds (``2016-08-27T00:00:00.000+04:00``). Names come from the shared Faker pools (several
locales, non-ASCII included); titles, comments and tags mix English with other languages.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np

from apitoolkit.emulator.core.fake import (
    LOCALES,
    Pools,
    faker_pools,
    object_array,
    people,
    sequential_ids,
    slug,
    unique_emails,
    zipf_rows,
)

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS
CATEGORIES = {"project": 0, "task": 1, "event": 2, "note": 4, "file": 5}
"""Item categories by name, as documented (0 project, 1 task, 2 event, 4 note, 5 file)."""
CATEGORY_NAMES = {code: name for name, code in CATEGORIES.items()}
CATEGORY_WEIGHTS = (0.02, 0.70, 0.12, 0.10, 0.06)
PROJECT_COLORS = ("#5e93c3", "#fc2f6a", "#fd9426", "#fecb2e", "#55ce2e", "#cb77df", "#a18460")
LEVELS = (10, 20, 30, 40, 50, 60, 70, 80)
LOCALE_OFFSETS = {  # UTC offsets in minutes a member of each locale may use
    "en_US": (-300, -360, -420, -480),
    "en_GB": (0,),
    "de_DE": (60,),
    "fr_FR": (60,),
    "es_ES": (60,),
    "pl_PL": (60,),
    "ja_JP": (540,),
    "pt_BR": (-180,),
    "sv_SE": (60, 240),
}
THINGS = (
    "the proposal",
    "Q3 budget",
    "landing page copy",
    "the contract",
    "slides for Monday",
    "release notes",
    "the press kit",
    "onboarding checklist",
    "the newsletter",
    "pricing page",
    "the quarterly report",
    "job posting",
    "support macros",
    "the style guide",
    "tax documents",
    "expense report",
    "API docs",
    "the roadmap",
    "Angebot",
    "la présentation",
    "見積書",
    "umowa",
    "presupuesto",
)
TASK_TEMPLATES = (
    "Call {first}",
    "Email {first} about {thing}",
    "Review {thing}",
    "Prepare {thing} for {company}",
    "Fix {thing}",
    "Update {thing}",
    "Send invoice to {company}",
    "Schedule meeting with {first} {last}",
    "Draft {thing}",
    "Follow up with {company}",
    "Book travel to {city}",
    "{Bs}",
    "Angebot an {company} senden",
    "Appeler {first}",
    "{company}様に見積書を送る",
    "Zadzwonić do {first}",
    "Enviar presupuesto a {company}",
)
EVENT_TEMPLATES = (
    "Meeting with {first} {last}",
    "{company} kickoff",
    "Team standup",
    "Lunch with {first}",
    "Conference call with {company}",
    "Workshop: {thing}",
    "Dentist",
    "Quarterly review",
    "Flight to {city}",
    "Besprechung mit {first}",
    "Réunion avec {company}",
    "{city}出張",
)
NOTE_TEMPLATES = (
    "Notes: {phrase}",
    "Ideas for {thing}",
    "Meeting notes – {company}",
    "Reading list",
    "Wi-Fi at the {city} office",
    "Checklist: {thing}",
    "メモ: {company}",
    "Notatki {first}",
)
FILE_TEMPLATES = (
    "Contract {company}.pdf",
    "Invoice {number}.pdf",
    "IMG_{number}.jpg",
    "Q{quarter} report.xlsx",
    "Angebot {company}.docx",
    "Screenshot {number}.png",
    "見積書_{company}.pdf",
    "Presentation {city}.pptx",
    "Backup {number}.zip",
)
PROJECT_KINDS = (
    "Website relaunch",
    "Marketing campaign",
    "Office move",
    "CRM migration",
    "Mobile app",
    "Annual report",
    "Customer onboarding",
    "Trade fair",
    "ERP rollout",
    "Brand refresh",
    "Hiring",
    "Product launch",
)
MESSAGES = (
    "{phrase}.",
    "Please check with {first} before Friday.",
    "Details in the shared folder.",
    "Budget: {number} EUR.",
    "Bitte bis Ende der Woche erledigen.",
    "Voir le document de {first}.",
    "{company}の担当者に確認すること。",
    "Kontakt: {first} {last}",
    "{phrase}.\nSee also {thing}.",
)
COMMENTS = (
    "Done.",
    "On it.",
    "Can you take a look?",
    "Waiting for feedback from {first}.",
    "Moved the deadline.",
    "See attached file.",
    "Erledigt.",
    "C'est fait.",
    "確認しました。",
    "Gotowe.",
    "Listo, revisado.",
    "Blocked by {company}.",
    "{phrase}?",
)
UPDATES = ("Changed due date", "Changed priority", "Edited description", "Renamed", "Changed assignee", "Added tags")
TAG_NAMES = (
    "urgent",
    "work",
    "home",
    "client",
    "invoice",
    "meeting",
    "review",
    "bug",
    "design",
    "marketing",
    "sales",
    "waiting",
    "someday",
    "Büro",
    "réunion",
    "お客様",
    "тег",
    "pilne",
    "ventas",
    "wichtig",
    "finance",
    "hr",
    "legal",
    "travel",
    "ideas",
    "support",
    "release",
    "q3",
    "q4",
    "personal",
)
DEPARTMENTS = (
    "Design",
    "Sales",
    "Support",
    "Engineering",
    "Marketing",
    "Operations",
    "Finance",
    "HR",
    "Legal",
    "IT",
    "Quality",
    "Management",
)


@dataclass(frozen=True)
class Counts:
    """How much data the account holds.

    Example:
        >>> Counts.for_size("small").items
        300
        >>> Counts.for_size("small", {"items": 5}).items
        5
    """

    items: int
    members: int
    contacts: int
    tags: int
    groups: int

    def __post_init__(self) -> None:
        for name in COUNT_NAMES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"Hitask count {name} must be a non-negative integer, got {value!r}")
        if self.members < 1:
            raise ValueError("Hitask needs at least one team member: the user who signs in")

    @classmethod
    def for_size(cls, size: str, overrides: Mapping[str, int] | None = None) -> Counts:
        """The counts of a size ("small", "medium", "large"), with some replaced."""
        unknown = set(overrides or {}) - set(COUNT_NAMES)
        if unknown:
            raise ValueError(f"unknown Hitask count(s) {sorted(unknown)}: use {', '.join(COUNT_NAMES)}")
        return cls(**{**SIZE_COUNTS[size], **(overrides or {})})


COUNT_NAMES = tuple(f.name for f in fields(Counts))
SIZE_COUNTS: dict[str, dict[str, int]] = {
    "small": {"items": 300, "members": 8, "contacts": 20, "tags": 12, "groups": 3},
    "medium": {"items": 5_000, "members": 40, "contacts": 150, "tags": 30, "groups": 6},
    "large": {"items": 50_000, "members": 200, "contacts": 600, "tags": 60, "groups": 12},
}


@dataclass(frozen=True)
class HitaskData:
    """Everything one generated account holds; ``members[0]`` is the user who signs in.

    Items carry two hidden keys: ``_updated_ms`` (``time_last_update`` in ms since the epoch) and
    ``_offset`` (the owner's UTC offset in minutes).
    """

    members: list[dict[str, Any]]
    offsets: dict[int, int]
    contacts: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    tags: list[dict[str, Any]]
    items: list[dict[str, Any]]


def render_time(ms: int | None, offset: int) -> str | None:
    """Milliseconds since the epoch as Hitask renders them: ISO 8601 with milliseconds and a UTC offset.

    Example:
        >>> render_time(1_472_241_600_000, 240)
        '2016-08-27T00:00:00.000+04:00'
    """
    if ms is None:
        return None
    zone = timezone(timedelta(minutes=offset))
    return datetime.fromtimestamp(ms / 1000, zone).isoformat(timespec="milliseconds")


def parse_time(text: str) -> int:
    """An ISO 8601 instant with a UTC offset as milliseconds since the epoch.

    Raises:
        ValueError: Not ISO 8601, or no offset.

    Example:
        >>> parse_time("2016-08-27T00:00:00.000+04:00")
        1472241600000
    """
    moment = datetime.fromisoformat(text)
    if moment.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset")
    return round(moment.timestamp() * 1000)


class DataGenerator:
    """Draws one account's data.

    Example:
        >>> from datetime import UTC, datetime
        >>> data = DataGenerator(1, datetime(2025, 1, 1, tzinfo=UTC)).generate(Counts.for_size("small"))
        >>> len(data.items), data.members[0]["businessLevel"]
        (300, 100)
    """

    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now_ms = int(now.timestamp()) * 1000
        self.rng = np.random.default_rng([seed, 2])
        self.pools: Pools = faker_pools(seed)

    def generate(self, counts: Counts) -> HitaskData:
        """Members, contacts, groups, tags and items of the given counts."""
        members, offsets, domain = self.members(counts.members)
        tags = self.tags(counts.tags)
        return HitaskData(
            members=members,
            offsets=offsets,
            contacts=self.contacts(counts.contacts, members, domain),
            groups=self.groups(counts.groups, members),
            tags=tags,
            items=self.items(counts.items, members, offsets, [tag["name"] for tag in tags]),
        )

    def members(self, n: int) -> tuple[list[dict[str, Any]], dict[int, int], str]:
        """Team members (the first is the owner), their UTC offsets by id, and the team's email domain."""
        rng, pools = self.rng, self.pools
        locale, first, last, first_ascii, last_ascii = people(rng, pools, n)
        last[rng.random(n) < 0.03] = None
        company = str(pools.companies[rng.integers(0, len(pools.companies))])
        domain = f"{slug(company, 16) or 'team'}.com"
        emails = unique_emails(
            [f"{f or 'user'}.{la}" if la else (f or "user") for f, la in zip(first_ascii, last_ascii, strict=True)],
            [domain] * n,
        )
        ids = sequential_ids(rng, 184_700, n, 40).tolist()
        levels = rng.choice([1, 2, 10], n, p=[0.85, 0.1, 0.05]).tolist()
        online = (rng.random(n) < 0.3).tolist()
        offsets = {
            id_: int(rng.choice(LOCALE_OFFSETS[LOCALES[index]]))
            for id_, index in zip(ids, locale.tolist(), strict=True)
        }
        members = [
            {
                "id": id_,
                "login": email,
                "firstName": f,
                "lastName": la,
                "email": email,
                "businessLevel": 100 if row == 0 else level,
                "isOnline": is_online,
            }
            for row, (id_, email, f, la, level, is_online) in enumerate(
                zip(ids, emails, first.tolist(), last.tolist(), levels, online, strict=True)
            )
        ]
        return members, offsets, domain

    def contacts(self, n: int, members: list[dict[str, Any]], domain: str) -> list[dict[str, Any]]:
        """Team members other than the owner first, then people outside the team; some without a login."""
        rng, pools = self.rng, self.pools
        team = [
            {key: member[key] for key in ("id", "firstName", "lastName", "email", "login")}
            for member in members[1 : n + 1]
        ]
        outside = n - len(team)
        _, first, last, first_ascii, last_ascii = people(rng, pools, outside)
        last[rng.random(outside) < 0.05] = None
        domains = [
            f"{slug(str(company), 16) or 'mail'}.com"
            for company in pools.companies[rng.integers(0, len(pools.companies), outside)]
        ]
        locals_ = [
            f"{f or 'contact'}.{la}" if la else (f or "contact") for f, la in zip(first_ascii, last_ascii, strict=True)
        ]
        emails = unique_emails(locals_, domains)
        logins = [local if keep else None for local, keep in zip(locals_, rng.random(outside) < 0.8, strict=True)]
        ids = sequential_ids(rng, 290_000, outside, 60).tolist()
        return team + [
            {"id": id_, "firstName": f, "lastName": la, "email": email, "login": login}
            for id_, f, la, email, login in zip(ids, first.tolist(), last.tolist(), emails, logins, strict=True)
        ]

    def groups(self, n: int, members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """ "Everyone" (every member) first, then departments with some of the members."""
        rng = self.rng
        ids = [member["id"] for member in members]
        groups = []
        for index, group_id in enumerate(sequential_ids(rng, 5_000, n, 9).tolist()):
            if index == 0:
                name, chosen = "Everyone", ids
            else:
                name = DEPARTMENTS[(index - 1) % len(DEPARTMENTS)]
                name += f" {(index - 1) // len(DEPARTMENTS) + 1}" if index > len(DEPARTMENTS) else ""
                size = int(rng.integers(1, max(2, len(ids) // 3) + 1))
                chosen = sorted(rng.choice(ids, min(size, len(ids)), replace=False).tolist())
            groups.append({"id": group_id, "name": name, "members": chosen})
        return groups

    def tags(self, n: int) -> list[dict[str, Any]]:
        """Tags with unique names, about 60% of them shared."""
        names = [
            TAG_NAMES[i % len(TAG_NAMES)] + (f" {i // len(TAG_NAMES) + 1}" if i >= len(TAG_NAMES) else "")
            for i in range(n)
        ]
        shared = (self.rng.random(n) < 0.6).tolist()
        ids = sequential_ids(self.rng, 388_700, n, 3).tolist()
        return [{"id": i, "name": name, "shared": s} for i, name, s in zip(ids, names, shared, strict=True)]

    def items(
        self, n: int, members: list[dict[str, Any]], offsets: dict[int, int], tag_names: list[str]
    ) -> list[dict[str, Any]]:
        """``n`` items in id (and creation) order."""
        drawn = self._item_columns(n, members, offsets, tag_names)
        return [_item(drawn, row, tag_names) for row in range(n)]

    def _item_columns(
        self, n: int, members: list[dict[str, Any]], offsets: dict[int, int], tag_names: list[str]
    ) -> dict[str, Any]:
        """What `items` draws for ``n`` items, a column (array or list) per property, by name."""
        rng, now = self.rng, self.now_ms
        codes = np.array(list(CATEGORIES.values()))[rng.choice(len(CATEGORIES), n, p=CATEGORY_WEIGHTS)]
        if n:
            codes[0] = CATEGORIES["project"]
        ids = sequential_ids(rng, 3_360_000, n, 7)
        created = np.sort(rng.integers(now - 730 * DAY_MS, now - HOUR_MS, n))
        updated = created + (rng.beta(0.6, 2.0, n) * (now - created)).astype(np.int64)
        member_ids = np.array([member["id"] for member in members])
        owners = member_ids[np.where(rng.random(n) < 0.45, 0, rng.integers(0, len(member_ids), n))]
        offset = np.array([offsets[int(owner)] for owner in owners], dtype=np.int64)
        parents = self._parents(ids, codes)
        is_task, is_event, is_project = codes == 1, codes == 2, codes == 0
        has_due = is_task & (rng.random(n) < 0.65)
        due = created + rng.integers(DAY_MS, 45 * DAY_MS, n)
        all_day = rng.random(n) < 0.5
        due = np.where(all_day, _midnight(due, offset), due - due % (30 * MINUTE_MS))
        done_chance = np.where(has_due, np.where(due < now, 0.85, 0.1), 0.5)
        completed = (is_task & (rng.random(n) < done_chance)) | (
            is_project & (rng.random(n) < np.where(created < now - 180 * DAY_MS, 0.25, 0.05))
        )
        updated = np.where(completed & has_due, np.minimum(np.maximum(updated, due - DAY_MS), now), updated)
        updated = np.maximum(updated, created)
        event_start = now + rng.integers(-200 * DAY_MS, 120 * DAY_MS, n)
        event_all_day = is_event & (rng.random(n) < 0.25)
        event_start = np.where(
            event_all_day, _midnight(event_start, offset), event_start - event_start % (30 * MINUTE_MS)
        )
        event_end = event_start + rng.choice([30, 60, 90, 120, 180], n) * MINUTE_MS
        project_start = _midnight(created, offset)
        project_due = _midnight(created + rng.integers(30 * DAY_MS, 240 * DAY_MS, n), offset)
        project_dates = rng.random((2, n))
        task_start = due - rng.integers(1, 6, n) * DAY_MS
        priority = np.select(
            [rng.random(n) < 0.15, rng.random(n) < 0.18],
            [10_000 + rng.integers(0, 10_000, n), np.full(n, 30_000)],
            20_000 + rng.integers(0, 10_000, n),
        )
        recurring = np.where(
            (is_event & (rng.random(n) < 0.15)) | (is_task & (rng.random(n) < 0.03)), rng.integers(1, 5, n), 0
        )
        assigned = np.where(
            (is_task & (rng.random(n) < 0.7)) | (is_event & (rng.random(n) < 0.2)),
            member_ids[rng.integers(0, len(member_ids), n)],
            0,
        )
        tracked = is_task & (rng.random(n) < 0.2)
        estimate = np.where(tracked, rng.choice([0.5, 1.0, 2.0, 3.0, 4.0, 8.0, 16.0], n), 0.0)
        spent = np.round(estimate * rng.gamma(2.0, 0.5, n) * np.where(completed, 1.0, rng.random(n)) * 4) / 4
        text = _Texts(rng, self.pools, members)
        titles = text.titles(codes)
        messages = [text.fill(MESSAGES) if keep else None for keep in (rng.random(n) < 0.4).tolist()]
        shorts = _short_names(titles, codes)
        issue_ids = _issue_ids(ids, codes, parents, shorts)
        guids = rng.bytes(16 * n)
        shared = rng.random(n) < 0.75
        starred = rng.random(n) < 0.08
        color = np.where(rng.random(n) < 0.6, 0, rng.integers(1, 8, n))
        color_value = rng.choice(PROJECT_COLORS, n)
        tag_rows = zipf_rows(rng, len(tag_names), 3 * n).reshape(n, 3) if n else np.zeros((0, 3), dtype=np.int64)
        tag_counts = np.where(rng.random(n) < 0.35, rng.integers(1, 4, n), 0) if tag_names else np.zeros(n, int)
        people_counts = np.where((is_task | is_event) & (rng.random(n) < 0.25), rng.integers(1, 4, n), 0)
        people_rows = rng.integers(0, len(member_ids), (n, 3))
        guest_counts = np.where(shared, rng.integers(1, 4, n), 0)
        guest_levels = rng.choice(LEVELS, (n, 3))
        return {
            "codes": codes,
            "offset": offset,
            "owners": owners,
            "project_start": project_start,
            "project_dates": project_dates,
            "project_due": project_due,
            "has_due": has_due,
            "due": due,
            "task_start": task_start,
            "event_start": event_start,
            "event_all_day": event_all_day,
            "event_end": event_end,
            "assigned": assigned,
            "member_ids": member_ids,
            "people_rows": people_rows,
            "people_counts": people_counts,
            "guest_counts": guest_counts,
            "guest_levels": guest_levels,
            "tag_rows": tag_rows,
            "tag_counts": tag_counts,
            "ids": ids,
            "guids": guids,
            "titles": titles,
            "shorts": shorts,
            "issue_ids": issue_ids,
            "completed": completed,
            "color": color,
            "color_value": color_value,
            "messages": messages,
            "parents": parents,
            "recurring": recurring,
            "all_day": all_day,
            "shared": shared,
            "updated": updated,
            "created": created,
            "starred": starred,
            "tracked": tracked,
            "estimate": estimate,
            "spent": spent,
            "priority": priority,
        }

    def _parents(self, ids: np.ndarray, codes: np.ndarray) -> np.ndarray:
        """0, or the id of an earlier project (most tasks, some events, notes, files) or task (sub-tasks)."""
        rng, n = self.rng, len(ids)
        rows = np.arange(n)
        share = np.select([codes == 1, codes == 2, codes == 4, codes == 5], [0.65, 0.2, 0.3, 0.5], 0.0)
        parents = np.zeros(n, dtype=np.int64)
        for kind, chance in ((0, share), (1, np.where(codes == 1, 0.06, 0.0))):
            candidates = np.flatnonzero(codes == kind)
            if not len(candidates):
                continue
            earlier = np.searchsorted(candidates, rows)
            pick = candidates[np.minimum((rng.random(n) * earlier).astype(np.int64), len(candidates) - 1)]
            parents = np.where((rng.random(n) < chance) & (earlier > 0), ids[pick], parents)
        return parents

    def title(self, rng: np.random.Generator, code: int, members: list[dict[str, Any]]) -> str:
        """One more title for an item of category ``code`` (items added later)."""
        return _Texts(rng, self.pools, members).titles(np.array([code]))[0]

    def history(self, item: dict[str, Any], members: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The seed history of an item: created, comments, its last update or completion (oldest first).

        Event ids are ``item id * 100 + n``; the item's own RNG stream keeps it the same on every call.
        """
        rng = np.random.default_rng([self.seed, 7, item["id"]])
        offset, owner = item["_offset"], item["user_id"]
        created, updated = parse_time(item["time_create"]), item["_updated_ms"]
        people_ids = [owner, *([item["assigneeId"]] if item["assigneeId"] else []), *(item["participants"] or [])]
        text = _Texts(rng, self.pools, members)
        name = CATEGORY_NAMES[item["category"]]
        events: list[tuple[int, int, str, str]] = [(created, owner, "create", f"Created {name}")]
        for _ in range(min(int(rng.poisson(0.9)), 6)):
            moment = int(created + rng.random() * (updated - created))
            events.append((moment, int(rng.choice(people_ids)), "comment", text.fill(COMMENTS)))
        if item["completed"]:
            events.append((updated, int(rng.choice(people_ids)), "complete", f"Completed {name}"))
        elif updated - created > MINUTE_MS:
            events.append((updated, owner, "update", str(rng.choice(UPDATES))))
        events.sort(key=lambda event: event[0])
        return [
            {
                "id": item["id"] * 100 + index,
                "item_id": item["id"],
                "user_id": user,
                "time": render_time(ms, offset),
                "type": kind,
                "message": message,
            }
            for index, (ms, user, kind, message) in enumerate(events)
        ]


class _Texts:
    """Titles, messages and comments filled from templates with names, companies, cities and phrases."""

    def __init__(self, rng: np.random.Generator, pools: Pools, members: list[dict[str, Any]]) -> None:
        self.rng = rng
        self.pools = pools
        self.firsts = object_array([m["firstName"] for m in members] + [name for p in pools.first for name in p[:20]])
        self.lasts = object_array(
            [m["lastName"] or m["firstName"] for m in members] + [name for p in pools.last for name in p[:20]]
        )
        self.cities = pools.places[:, 0]

    def fill(self, templates: tuple[str, ...]) -> str:
        """One template, filled."""
        return self._fill(templates[int(self.rng.integers(0, len(templates)))])

    def titles(self, codes: np.ndarray) -> list[str]:
        """A title per category code."""
        by_code = {1: TASK_TEMPLATES, 2: EVENT_TEMPLATES, 4: NOTE_TEMPLATES, 5: FILE_TEMPLATES}
        titles = []
        for code in codes.tolist():
            if code == 0:
                kind = PROJECT_KINDS[int(self.rng.integers(0, len(PROJECT_KINDS)))]
                titles.append(f"{self._pick(self.pools.companies)}: {kind}" if self.rng.random() < 0.6 else kind)
            else:
                titles.append(self.fill(by_code[code]))
        return titles

    def _fill(self, template: str) -> str:
        rng = self.rng
        values = {
            "first": lambda: self._pick(self.firsts),
            "last": lambda: self._pick(self.lasts),
            "company": lambda: self._pick(self.pools.companies),
            "city": lambda: self._pick(self.cities),
            "thing": lambda: THINGS[int(rng.integers(0, len(THINGS)))],
            "phrase": lambda: self._pick(self.pools.phrases),
            "Bs": lambda: self._pick(self.pools.phrases).capitalize(),
            "number": lambda: str(int(rng.integers(100, 10_000))),
            "quarter": lambda: str(int(rng.integers(1, 5))),
        }
        return template.format_map({key: make() for key, make in values.items() if "{" + key + "}" in template})

    def _pick(self, pool: np.ndarray) -> str:
        return str(pool[int(self.rng.integers(0, len(pool)))])


def _midnight(ms: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """The local midnight (at each UTC offset in minutes) starting the day of each instant."""
    local = ms + offset * MINUTE_MS
    return local - local % DAY_MS - offset * MINUTE_MS


def _short_names(titles: list[str], codes: np.ndarray) -> list[str | None]:
    """Unique project short names (at most 8 upper-case latin letters and digits); None for other items."""
    used: set[str] = set()
    shorts: list[str | None] = []
    for title, code in zip(titles, codes.tolist(), strict=True):
        if code != 0:
            shorts.append(None)
            continue
        base = (slug(title, 6) or "PRJ").upper()
        short, number = base, 1
        while short in used:
            number += 1
            short = f"{base[: 8 - len(str(number))]}{number}"
        used.add(short)
        shorts.append(short)
    return shorts


def _issue_ids(ids: np.ndarray, codes: np.ndarray, parents: np.ndarray, shorts: list[str | None]) -> list[str | None]:
    """Tasks in a project with a short name get ``SHORT-n``; other tasks and projects a running number."""
    short_of = {int(id_): short for id_, short in zip(ids.tolist(), shorts, strict=True) if short}
    numbers: dict[str, int] = {}
    running = 100
    issue_ids: list[str | None] = []
    for code, parent in zip(codes.tolist(), parents.tolist(), strict=True):
        if code not in (0, 1):
            issue_ids.append(None)
        elif code == 1 and parent in short_of:
            short = short_of[parent]
            numbers[short] = numbers.get(short, 0) + 1
            issue_ids.append(f"{short}-{numbers[short]}")
        else:
            running += 1
            issue_ids.append(str(running))
    return issue_ids


def _permissions(
    owner: int, assignee: int, participants: list[int] | None, guests: list[int], levels: list[int]
) -> list[dict[str, int]]:
    """The owner at 100; shared items add guests; the assignee gets at least 50, participants at least 20."""
    granted = {owner: 100}
    for guest, level in zip(guests, levels, strict=False):
        granted.setdefault(guest, level)
    for person, floor in [*((p, 20) for p in participants or []), *([(assignee, 50)] if assignee else [])]:
        granted[person] = max(granted.get(person, 0), floor)
    return [{"principal": principal, "level": level} for principal, level in granted.items()]


def _no_dates(drawn: dict[str, Any], row: int) -> tuple[int | None, int | None, int | None]:
    return None, None, None


def _project_dates(drawn: dict[str, Any], row: int) -> tuple[int | None, int | None, int | None]:
    """A project's start and due dates (midnights), each shown on some projects only."""
    start = int(drawn["project_start"][row]) if drawn["project_dates"][0, row] < 0.5 else None
    due = int(drawn["project_due"][row]) if drawn["project_dates"][1, row] < 0.45 else None
    return start, None, due


def _task_dates(drawn: dict[str, Any], row: int) -> tuple[int | None, int | None, int | None]:
    """A task's due date (when it has one) and, for a few of those, a start date."""
    if not drawn["has_due"][row]:
        return None, None, None
    start = int(drawn["task_start"][row]) if drawn["project_dates"][0, row] < 0.15 else None
    return start, None, int(drawn["due"][row])


def _event_dates(drawn: dict[str, Any], row: int) -> tuple[int | None, int | None, int | None]:
    """An event's start, and its end unless it lasts all day."""
    end = None if drawn["event_all_day"][row] else int(drawn["event_end"][row])
    return int(drawn["event_start"][row]), end, None


#: ``(start, end, due)`` of an item of each category (project, task, event); none for the others.
_DATES = {CATEGORIES["project"]: _project_dates, CATEGORIES["task"]: _task_dates, CATEGORIES["event"]: _event_dates}


def _item(drawn: dict[str, Any], row: int, tag_names: list[str]) -> dict[str, Any]:
    """Item ``row`` of the columns `DataGenerator.items` drew, as the API serves it (plus two private fields)."""
    code, off, owner = int(drawn["codes"][row]), int(drawn["offset"][row]), int(drawn["owners"][row])
    start, end, due_at = _DATES.get(code, _no_dates)(drawn, row)
    assignee = int(drawn["assigned"][row])
    member_ids, people_rows, guests = drawn["member_ids"], drawn["people_rows"], drawn["guest_counts"][row]
    participants = sorted({int(member_ids[i]) for i in people_rows[row, : drawn["people_counts"][row]]}) or None
    guest_ids, guest_levels = member_ids[people_rows[row, :guests]].tolist(), drawn["guest_levels"][row].tolist()
    permissions = _permissions(owner, assignee, participants, guest_ids, guest_levels)
    tags = list(dict.fromkeys(tag_names[i] for i in drawn["tag_rows"][row, : drawn["tag_counts"][row]])) or None
    guids = drawn["guids"]
    all_day = bool(drawn["event_all_day"][row]) if code == 2 else bool(due_at is not None and drawn["all_day"][row])
    return {
        "id": int(drawn["ids"][row]),
        "guid": str(uuid.UUID(bytes=guids[16 * row : 16 * row + 16], version=4)),
        "user_id": owner,
        "title": drawn["titles"][row],
        "short_name": drawn["shorts"][row],
        "issue_id": drawn["issue_ids"][row],
        "completed": bool(drawn["completed"][row]),
        "color": int(drawn["color"][row]),
        "color_value": str(drawn["color_value"][row]) if code == 0 else None,
        "category": code,
        "message": drawn["messages"][row],
        "parent": int(drawn["parents"][row]),
        "recurring": int(drawn["recurring"][row]),
        "assigneeId": assignee,
        "participants": participants,
        "start_date": render_time(start, off),
        "end_date": render_time(end, off),
        "due_date": render_time(due_at, off),
        "is_all_day": all_day,
        "shared": bool(drawn["shared"][row]),
        "time_last_update": render_time(int(drawn["updated"][row]), off),
        "time_create": render_time(int(drawn["created"][row]), off),
        "starred": bool(drawn["starred"][row]),
        "time_track": bool(drawn["tracked"][row]),
        "time_est": float(drawn["estimate"][row]),
        "time_spent": float(drawn["spent"][row]),
        "priority": int(drawn["priority"][row]),
        "tags": tags,
        "permissions": permissions,
        "_updated_ms": int(drawn["updated"][row]),
        "_offset": off,
    }
