"""Deterministic, realistic IT Glue data from a seed: organizations, users, user metrics, logs, expirations.

Rows are drawn with numpy from the shared Faker pools of ``core.fake`` (several locales, non-ASCII names
included), so "large" (100k users, 200k logs) takes seconds. Each user's ``reputation`` is 10 * created
+ 5 * edited + 1 * viewed summed over all of that user's metrics. Logs cover the 30 days
before ``now`` with bursts of many rows in one second (the largest over a page of 1000 in "large", never
over `LOG_BURST_MAX`). When the emulator's clock moves on, `itglue.clock` draws the new days with the same
methods (`span_logs`, `user_metrics` from a given day).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime

import numpy as np

from apitoolkit.emulator.core.fake import (
    faker_pools,
    maybe,
    object_array,
    people,
    sequential_ids,
    slug,
    spread_after,
    unique_emails,
    zipf_rows,
)
from apitoolkit.emulator.itglue.table import NULL

Columns = dict[str, np.ndarray]

DAY = 86_400
LOG_DAYS = 30
LOG_ID_BASE = 574_989_297_464_115_201
#: Most rows in one burst: under the 5 pages of 1000 the logs endpoint serves per query, so a client walking
#: ``filter[created_at]`` from the last timestamp of page 5 always gets past a burst (whatever the size).
LOG_BURST_MAX = 4_000
#: Bursts of rows sharing one second per day, once the clock moves on (the initial 30 days hold a few).
BURSTS_PER_DAY = 0.1
ORG_TYPES = ((86, "Customer"), (87, "Vendor"), (88, "Partner"), (89, "Prospect"), (90, "Internal"))
ORG_TYPE_WEIGHTS = (0.62, 0.2, 0.06, 0.08, 0.04)
ORG_STATUSES = ((68, "Active"), (69, "Inactive"), (70, "Onboarding"), (71, "Former Client"))
ORG_STATUS_WEIGHTS = (0.8, 0.1, 0.06, 0.04)
ROLES = ("Administrator", "Manager", "Editor", "Creator", "Lite", "Read-only")
ROLE_WEIGHTS = (0.04, 0.08, 0.38, 0.2, 0.15, 0.15)
METRIC_TYPES = (
    "Configuration",
    "Password",
    "Document",
    "Flexible Asset",
    "Contact",
    "Location",
    "Domain",
    "SSL Certificate",
    "Active Directory",
    "Checklist",
    "Organization",
    "Knowledge Base",
)
METRIC_TYPE_WEIGHTS = (0.22, 0.18, 0.14, 0.12, 0.07, 0.04, 0.04, 0.03, 0.05, 0.04, 0.05, 0.02)
LOG_ACTIONS = ("view", "update", "create", "delete", "sign_in", "export")
LOG_ACTION_WEIGHTS = (0.55, 0.17, 0.1, 0.04, 0.12, 0.02)
LOG_LEVELS = {"view": 1, "update": 2, "create": 2, "delete": 3, "sign_in": 2, "export": 3}
LOG_TYPES = (
    "Configuration",
    "Password",
    "Document",
    "Flexible Asset",
    "Organization",
    "Contact",
    "Domain",
    "SSL Certificate",
    "Checklist",
    "Location",
)
LOG_TYPE_WEIGHTS = (0.25, 0.25, 0.15, 0.12, 0.06, 0.06, 0.04, 0.03, 0.02, 0.02)
EXPIRATION_KINDS = (  # resource-type, resource-type-name, url path, description
    ("Domain", "Domain", "domains", "Domain expiration"),
    ("SslCertificate", "SSL Certificate", "ssl_certificates", "SSL certificate expiration"),
    ("Configuration", "Configuration", "configurations", "Warranty expiration"),
    ("Password", "Password", "passwords", "Password expiration"),
    ("FlexibleAsset", "Licensing", "assets/records", "Licensing expiration"),
    ("FlexibleAsset", "Contracts", "assets/records", "Contract expiration"),
    ("FlexibleAsset", "Backup", "assets/records", "Backup subscription expiration"),
)
EXPIRATION_WEIGHTS = (0.2, 0.2, 0.28, 0.07, 0.12, 0.08, 0.05)
PASSWORD_NAMES = (
    "Domain Admin",
    "Microsoft 365 Global Admin",
    "Firewall admin",
    "Wi-Fi (Guest)",
    "Wi-Fi (Staff)",
    "Backup portal",
    "Router",
    "VPN",
    "Local administrator",
    "QuickBooks",
    "Azure AD Connect",
    "Registrar account",
    "DNS provider",
    "Printer web UI",
    "Switch enable",
)
FLEX_NAMES = (
    "Microsoft 365 Business Premium",
    "Adobe Creative Cloud",
    "Veeam Backup",
    "Datto BCDR",
    "Exchange Online",
    "SentinelOne",
    "Office Wi-Fi",
    "Sage 50",
    "Zoom Business",
    "Dropbox Business",
)
CHECKLISTS = (
    "New hire onboarding",
    "Employee offboarding",
    "Monthly patching",
    "Quarterly business review",
    "Server decommission",
    "Firewall review",
)
HOST_KINDS = ("DC", "FS", "SQL", "FW", "SW", "AP", "WS", "LT", "PRN", "VM", "HV", "NAS")
ALERTS = (
    "VIP client: escalate tickets",
    "Billing on hold",
    "No changes on Fridays",
    "Call before rebooting servers",
    "Contract renewal pending",
)


@dataclass(frozen=True)
class Counts:
    """How much data one account holds.

    Example:
        >>> Counts.for_size("small").users
        40
        >>> Counts.for_size("small", {"users": 5}).users
        5
    """

    organizations: int
    users: int
    metric_days: int
    logs: int
    expirations: int

    def __post_init__(self) -> None:
        for name in COUNT_NAMES:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"IT Glue count {name} must be a non-negative integer, got {value!r}")
        if self.organizations == 0 and (self.expirations or (self.users and self.metric_days)):
            raise ValueError("expirations and user metrics need at least one organization")
        if self.users == 0 and self.logs:
            raise ValueError("logs need at least one user")

    @classmethod
    def for_size(cls, size: str, overrides: Mapping[str, int] | None = None) -> Counts:
        """The counts of a size ("small", "medium", "large"), with some replaced."""
        unknown = set(overrides or {}) - set(COUNT_NAMES)
        if unknown:
            raise ValueError(f"unknown IT Glue count(s) {sorted(unknown)}: use {', '.join(COUNT_NAMES)}")
        return cls(**{**SIZE_COUNTS[size], **(overrides or {})})


COUNT_NAMES = tuple(f.name for f in fields(Counts))
SIZE_COUNTS: dict[str, dict[str, int]] = {
    "small": {"organizations": 12, "users": 40, "metric_days": 60, "logs": 3_000, "expirations": 300},
    "medium": {"organizations": 150, "users": 2_000, "metric_days": 90, "logs": 50_000, "expirations": 5_000},
    "large": {"organizations": 1_000, "users": 100_000, "metric_days": 90, "logs": 200_000, "expirations": 50_000},
}


class DataGenerator:
    """Draws the columns of every resource for one account.

    Example:
        >>> from datetime import UTC, datetime
        >>> generator = DataGenerator(1, datetime(2025, 1, 1, tzinfo=UTC))
        >>> len(generator.generate(Counts.for_size("small"))["users"]["id"])
        40
    """

    def __init__(self, seed: int, now: datetime) -> None:
        self.seed = seed
        self.now = int(now.timestamp())
        self.today = self.now // DAY
        self.rng = np.random.default_rng(seed)
        self.pools = faker_pools(seed)

    def fork(self, stream: int) -> DataGenerator:
        """A generator sharing the pools, with its own RNG stream (for records added later)."""
        forked = copy.copy(self)
        forked.rng = np.random.default_rng([self.seed, stream])
        return forked

    def generate(self, counts: Counts) -> dict[str, Columns]:
        """Every resource's columns, keyed by resource key (``users``, ``user_metrics``, ...)."""
        rng = self.rng
        orgs = self.organizations(
            sequential_ids(rng, 1_000_000, counts.organizations, 40),
            np.sort(rng.integers(self.now - 8 * 365 * DAY, self.now - 30 * DAY, counts.organizations)),
            owner_first=True,
        )
        users = self.users(
            sequential_ids(rng, 10_000, counts.users, 3),
            np.sort(rng.integers(self.now - 6 * 365 * DAY, self.now - DAY, counts.users)),
            orgs,
        )
        metrics = self.user_metrics(users, orgs, counts.metric_days)
        users["reputation"] = reputation(users["id"], metrics)
        return {
            "organizations": orgs,
            "users": users,
            "user_metrics": metrics,
            "logs": self.logs(counts.logs, users, orgs),
            "expirations": self.expirations(
                sequential_ids(rng, 3_000_000, counts.expirations, 5), orgs, self.now - 6 * 365 * DAY
            ),
        }

    def organizations(self, ids: np.ndarray, created: np.ndarray, *, owner_first: bool) -> Columns:
        """Organizations with these ids and creation times; the first is the Owner if ``owner_first``."""
        rng, n = self.rng, len(ids)
        companies = self.pools.companies
        picks = rng.choice(len(companies), n, replace=n > len(companies))
        if owner_first and n:
            named = [row for row, pick in enumerate(picks) if slug(str(companies[pick]), 12)] or [0]
            picks[[0, named[0]]] = picks[[named[0], 0]]
        names = object_array([str(name) for name in companies[picks]])
        types = rng.choice(len(ORG_TYPES) + 1, n, p=(*(w * 0.98 for w in ORG_TYPE_WEIGHTS), 0.02))
        statuses = rng.choice(len(ORG_STATUSES) + 1, n, p=(*(w * 0.98 for w in ORG_STATUS_WEIGHTS), 0.02))
        type_ids = np.array([*(i for i, _ in ORG_TYPES), NULL])[types]
        type_names = object_array([*(name for _, name in ORG_TYPES), None])[types]
        status_ids = np.array([*(i for i, _ in ORG_STATUSES), NULL])[statuses]
        status_names = object_array([*(name for _, name in ORG_STATUSES), None])[statuses]
        primary = np.zeros(n, dtype=bool)
        if owner_first and n:
            type_ids[0], type_names[0], status_ids[0], status_names[0] = 15, "Owner", 68, "Active"
            primary[0] = True
        parents = np.full(n, NULL, dtype=np.int64)
        ancestors: list[list[int]] = [[] for _ in range(n)]
        for row in range(2, n):
            if rng.random() < 0.12:
                parent = int(rng.integers(1, row))
                parents[row] = ids[parent]
                ancestors[row] = [*ancestors[parent], int(ids[parent])]
        shorts = [slug(str(name), 12) or f"org{int(i) % 100_000}" for name, i in zip(names, ids, strict=True)]
        tlds = rng.choice(np.array([".com", ".net", ".co.uk", ".de", ".fr", ".io"]), n)
        return {
            "id": ids,
            "name": names,
            "alert": maybe(rng, object_array(ALERTS), n, 0.05),
            "description": maybe(rng, self.pools.phrases, n, 0.3),
            "organization-type-id": type_ids,
            "organization-type-name": type_names,
            "organization-status-id": status_ids,
            "organization-status-name": status_names,
            "primary": primary,
            "logo": object_array([""] * n),
            "quick-notes": maybe(rng, self.pools.phrases, n, 0.15),
            "short-name": object_array(shorts),
            "created-at": created,
            "updated-at": spread_after(rng, created, self.now),
            "my-glue-account-id": np.where(rng.random(n) < 0.1, rng.integers(2, 9_999, n), NULL),
            "parent-id": parents,
            "ancestor-ids": object_array(["[" + ",".join(map(str, chain)) + "]" for chain in ancestors]),
            "domain": object_array([f"{short}{tld}" for short, tld in zip(shorts, tlds, strict=True)]),
        }

    def users(self, ids: np.ndarray, created: np.ndarray, orgs: Columns) -> Columns:
        """Users with these ids and creation times; reputation 0 until metrics are added."""
        rng, n, pools = self.rng, len(ids), self.pools
        _, first, last, first_ascii, last_ascii = people(rng, pools, n)
        no_last = rng.random(n) < 0.03
        last[no_last], last_ascii[no_last] = None, ""
        my_glue = rng.random(n) < 0.06
        domains = orgs["domain"] if len(orgs["domain"]) else object_array(["example.com"])
        client_domain = domains[rng.integers(min(1, len(domains) - 1), len(domains), n)]
        owner_domain = str(domains[0])
        emails = unique_emails(
            [f"{f or 'user'}.{la}" if la else (f or "user") for f, la in zip(first_ascii, last_ascii, strict=True)],
            [client if glue else owner_domain for client, glue in zip(client_domain, my_glue, strict=True)],
        )
        accepted = np.where(rng.random(n) < 0.04, NULL, np.minimum(created + rng.integers(60, 3 * DAY, n), self.now))
        signed_in = (accepted != NULL) & (rng.random(n) < 0.92)
        current = np.maximum(accepted, self.now - rng.exponential(5 * DAY, n).astype(np.int64) - 60)
        previous = np.maximum(accepted, current - rng.exponential(7 * DAY, n).astype(np.int64))
        ips = object_array(_ipv4(rng, n))
        return {
            "id": ids,
            "first-name": first,
            "last-name": last,
            "role-name": object_array(ROLES)[rng.choice(len(ROLES), n, p=ROLE_WEIGHTS)],
            "email": object_array(emails),
            "avatar": object_array([""] * n),
            "invitation-sent-at": created,
            "invitation-accepted-at": accepted,
            "current-sign-in-at": np.where(signed_in, current, NULL),
            "current-sign-in-ip": _where(signed_in, ips),
            "last-sign-in-at": np.where(signed_in, previous, NULL),
            "last-sign-in-ip": _where(signed_in, ips),
            "reputation": np.zeros(n, dtype=np.int64),
            "my-glue": my_glue,
            "my-glue-account-id": np.where(my_glue, rng.integers(2, 9_999, n), NULL),
            "created-at": created,
            "updated-at": spread_after(rng, created, self.now),
            "name": object_array([f"{f} {la}" if la else f for f, la in zip(first, last, strict=True)]),
            "ip": ips,
            "place": rng.integers(0, len(pools.places), n),
            "agent": rng.integers(0, len(pools.agents), n),
            "activity": rng.lognormal(-0.5, 1.0, n) * signed_in,
        }

    def user_metrics(
        self, users: Columns, orgs: Columns, days: int, *, first_day: int | None = None, id_base: int = 30_000_000
    ) -> Columns:
        """Sparse daily metrics per user, organization and resource type over the last ``days`` days.

        ``first_day`` (days since the epoch) starts them elsewhere (the emulator's clock moving on), with ids
        above ``id_base``.
        """
        rng = self.rng
        chance = np.clip(0.055 * users["activity"], 0.0, 0.9)
        per_user = rng.binomial(days, chance)
        user_rows = np.repeat(np.arange(len(chance)), per_user)
        day = rng.integers(0, max(days, 1), len(user_rows))
        repeat = 1 + rng.poisson(0.5, len(user_rows))
        user_rows, day = np.repeat(user_rows, repeat), np.repeat(day, repeat)
        kinds = rng.choice(len(METRIC_TYPES), len(user_rows), p=METRIC_TYPE_WEIGHTS)
        org_rows = zipf_rows(rng, len(orgs["id"]), len(user_rows))
        key = ((user_rows * max(days, 1) + day) * len(METRIC_TYPES) + kinds) * max(len(orgs["id"]), 1) + org_rows
        keep = np.unique(key, return_index=True)[1]
        keep = keep[np.lexsort((kinds[keep], user_rows[keep], day[keep]))]
        first = self.today - (days - 1) if first_day is None else first_day
        return self.metric_rows(
            sequential_ids(rng, id_base, len(keep), 3),
            users,
            user_rows[keep],
            orgs["id"][org_rows[keep]],
            kinds[keep],
            first + day[keep],
        )

    def metric_rows(
        self,
        ids: np.ndarray,
        users: Columns,
        user_rows: np.ndarray,
        org_ids: np.ndarray,
        kinds: np.ndarray,
        dates: np.ndarray,
    ) -> Columns:
        """Metric rows for given users (row positions), organizations, resource types and dates."""
        rng, n = self.rng, len(ids)
        writer = ~np.isin(users["role-name"].astype(str), ("Lite", "Read-only"))[user_rows]
        return {
            "id": ids,
            "user-id": users["id"][user_rows],
            "organization-id": org_ids.astype(np.int64),
            "resource-type": object_array(METRIC_TYPES)[kinds],
            "created": rng.poisson(0.4, n) * writer,
            "viewed": 1 + rng.poisson(3.0, n),
            "edited": rng.poisson(0.9, n) * writer,
            "deleted": rng.poisson(0.08, n) * writer,
            "date": dates.astype(np.int64),
        }

    def logs(self, n: int, users: Columns, orgs: Columns) -> Columns:
        """``n`` logs over the 30 days before now, with bursts of rows sharing one second."""
        rng = self.rng
        if n == 0:
            none = np.zeros(0, dtype=np.int64)
            return self.log_rows(none, none, users, orgs, none, none, none)
        start = self.now - LOG_DAYS * DAY
        sizes = [min(size, LOG_BURST_MAX) for size in (max(12, n * 3 // 400), max(11, n // 400)) if n >= 100]
        sizes += [2 + int(size) for size in rng.geometric(0.15, max(2, n // 3000) if n >= 100 else 0)]
        while sum(sizes) > n // 2:
            sizes.pop()
        bursts = np.repeat(np.arange(len(sizes)), sizes)
        base = n - len(bursts)
        hours = rng.normal(15.0, 3.5, base) % 24
        times = np.concatenate(
            [
                start + rng.integers(0, LOG_DAYS, base) * DAY + (hours * 3600).astype(np.int64),
                rng.integers(start, self.now, len(sizes))[bursts],
            ]
        )
        active = np.flatnonzero(users["activity"] > 0)
        if not len(active):
            active = np.arange(len(users["id"]))
        weights = users["activity"][active] if users["activity"][active].sum() > 0 else np.ones(len(active))
        user_rows = np.concatenate(
            [
                rng.choice(active, base, p=weights / weights.sum()),
                rng.choice(active, len(sizes))[bursts],
            ]
        )
        actions = np.concatenate(
            [
                rng.choice(len(LOG_ACTIONS), base, p=LOG_ACTION_WEIGHTS),
                rng.choice([1, 2, 3], len(sizes))[bursts],
            ]
        )
        types = np.concatenate(
            [
                rng.choice(len(LOG_TYPES), base, p=LOG_TYPE_WEIGHTS),
                rng.choice(4, len(sizes))[bursts],
            ]
        )
        order = np.argsort(np.clip(times, start, self.now - 1), kind="stable")
        times = np.clip(times, start, self.now - 1)[order]
        columns = self.log_rows(
            _log_ids(times, start), times, users, orgs, user_rows[order], actions[order], types[order]
        )
        return columns

    def span_logs(self, per_day: float, users: Columns, orgs: Columns, start: int, end: int) -> Columns:
        """Logs created in ``[start, end)`` (at most a day) at ``per_day`` rows a day; ids are left to the caller.

        As in `logs`: most rows around 15:00 UTC (normal, 3.5 h), the same mix of users (by activity), actions
        and resource types, and now and then a burst of rows sharing one second. Returned in time order.
        """
        rng = self.rng
        minutes = np.arange(start, end, 60, dtype=np.int64)
        if not len(minutes) or not len(users["id"]):
            none = np.zeros(0, dtype=np.int64)
            return self.log_rows(none, none, users, orgs, none, none, none)
        weight = _hour_weight(minutes)
        bursts = int(rng.poisson(BURSTS_PER_DAY * len(minutes) / 1_440))
        sizes = np.minimum(2 + rng.geometric(0.15, bursts), LOG_BURST_MAX)
        base = max(0, int(rng.poisson(per_day * weight.sum() / _DAY_WEIGHT)) - int(sizes.sum()))
        burst_of = np.repeat(np.arange(bursts), sizes)
        times = np.concatenate(
            [
                rng.choice(minutes, base, p=weight / weight.sum()) + rng.integers(0, 60, base),
                rng.integers(start, end, bursts)[burst_of],
            ]
        )
        active = np.flatnonzero(users["activity"] > 0)
        if not len(active):
            active = np.arange(len(users["id"]))
        weights = users["activity"][active] if users["activity"][active].sum() > 0 else np.ones(len(active))
        user_rows = np.concatenate(
            [rng.choice(active, base, p=weights / weights.sum()), rng.choice(active, bursts)[burst_of]]
        )
        actions = np.concatenate(
            [rng.choice(len(LOG_ACTIONS), base, p=LOG_ACTION_WEIGHTS), rng.choice([1, 2, 3], bursts)[burst_of]]
        )
        types = np.concatenate([rng.choice(len(LOG_TYPES), base, p=LOG_TYPE_WEIGHTS), rng.choice(4, bursts)[burst_of]])
        times = np.minimum(times, end - 1)
        order = np.argsort(times, kind="stable")
        return self.log_rows(
            np.zeros(len(times), dtype=np.int64),
            times[order],
            users,
            orgs,
            user_rows[order],
            actions[order],
            types[order],
        )

    def log_rows(
        self,
        ids: np.ndarray,
        times: np.ndarray,
        users: Columns,
        orgs: Columns,
        user_rows: np.ndarray,
        actions: np.ndarray,
        types: np.ndarray,
    ) -> Columns:
        """Log rows for given ids, times, users (row positions), actions and resource types (indexes)."""
        rng, n, pools = self.rng, len(ids), self.pools
        sign_in = actions == LOG_ACTIONS.index("sign_in")
        names_pool, offsets, lengths = self._log_names(orgs, users)
        picks = offsets[types] + (rng.random(n) * lengths[types]).astype(np.int64)
        places = pools.places[users["place"][user_rows]] if n else np.zeros((0, 3), dtype=object)
        org_ids = orgs["id"][zipf_rows(rng, len(orgs["id"]), n)] if len(orgs["id"]) else np.full(n, NULL)
        return {
            "id": ids,
            "created-at": times,
            "level": np.array([LOG_LEVELS[action] for action in LOG_ACTIONS])[actions],
            "account-id": np.full(n, 1_000 + self.seed % 9_000, dtype=np.int64),
            "user-id": users["id"][user_rows],
            "organization-id": np.where(sign_in, NULL, org_ids),
            "action": object_array(LOG_ACTIONS)[actions],
            "resource-type": np.where(sign_in, "User", object_array(LOG_TYPES)[types]).astype(object),
            "resource-name": np.where(sign_in, users["name"][user_rows], names_pool[picks]).astype(object),
            "ip-address": users["ip"][user_rows],
            "ip-city": places[:, 0],
            "ip-region": places[:, 1],
            "ip-country": places[:, 2],
            "user-agent": pools.agents[users["agent"][user_rows]],
        }

    def expirations(self, ids: np.ndarray, orgs: Columns, created_from: int) -> Columns:
        """Expirations in the past and future across resource types, created after ``created_from``."""
        rng, n = self.rng, len(ids)
        org_rows = zipf_rows(rng, len(orgs["id"]), n)
        kinds = rng.choice(len(EXPIRATION_KINDS), n, p=EXPIRATION_WEIGHTS)
        expires = (self.today + rng.integers(-540, 900, n)) * DAY
        created = np.maximum(
            created_from, np.minimum(self.now - rng.integers(3_600, 1_500 * DAY, n), expires - 30 * DAY)
        )
        resource_ids = rng.integers(100_000, 9_999_999, n)
        subdomain = str(orgs["short-name"][0]) if len(orgs["id"]) else "example"
        picks = rng.integers(0, 1_000_000, n).tolist()
        names, urls = [], []
        for kind, org, resource_id, pick in zip(kinds.tolist(), org_rows.tolist(), resource_ids, picks, strict=True):
            names.append(_expiration_name(kind, str(orgs["domain"][org]), str(orgs["short-name"][org]), pick))
            urls.append(f"https://{subdomain}.itglue.com/{orgs['id'][org]}/{EXPIRATION_KINDS[kind][2]}/{resource_id}")
        return {
            "id": ids,
            "organization-id": orgs["id"][org_rows],
            "organization-name": orgs["name"][org_rows],
            "resource-url": object_array(urls),
            "description": object_array([kind[3] for kind in EXPIRATION_KINDS])[kinds],
            "expiration-date": expires,
            "created-at": created,
            "updated-at": spread_after(rng, created, self.now),
            "resource-id": resource_ids,
            "resource-type": object_array([kind[0] for kind in EXPIRATION_KINDS])[kinds],
            "resource-type-name": object_array([kind[1] for kind in EXPIRATION_KINDS])[kinds],
            "resource-name": object_array(names),
        }

    def _log_names(self, orgs: Columns, users: Columns) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rng, pools = self.rng, self.pools
        shorts = [str(short).upper() for short in orgs["short-name"]] or ["HQ"]
        domains = [str(domain) for domain in orgs["domain"]] or ["example.com"]
        by_type = {
            "Configuration": [
                f"{rng.choice(shorts)}-{rng.choice(HOST_KINDS)}{rng.integers(1, 30):02d}" for _ in range(300)
            ],
            "Password": list(PASSWORD_NAMES),
            "Document": [str(phrase) for phrase in pools.phrases],
            "Flexible Asset": list(FLEX_NAMES),
            "Organization": [str(name) for name in orgs["name"]] or ["Main office"],
            "Contact": [str(name) for name in users["name"][:200]] or ["Front desk"],
            "Domain": domains,
            "SSL Certificate": [f"*.{domain}" for domain in domains],
            "Checklist": list(CHECKLISTS),
            "Location": [f"{place[0]} office" for place in pools.places[:50]],
        }
        names = [by_type[name] for name in LOG_TYPES]
        lengths = np.array([len(group) for group in names])
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        return object_array([name for group in names for name in group]), offsets, lengths


def reputation(user_ids: np.ndarray, metrics: Columns) -> np.ndarray:
    """Each user's reputation: 10 * created + 5 * edited + 1 * viewed over all of their metrics.

    Example:
        >>> metrics = {"user-id": np.array([7, 7]), "created": np.array([1, 0]),
        ...            "edited": np.array([0, 2]), "viewed": np.array([3, 4])}
        >>> reputation(np.array([7, 8]), metrics).tolist()
        [27, 0]
    """
    points = 10 * metrics["created"] + 5 * metrics["edited"] + metrics["viewed"]
    order = np.argsort(user_ids)
    rows = order[np.searchsorted(user_ids, metrics["user-id"], sorter=order)]
    return np.bincount(rows, weights=points, minlength=len(user_ids)).astype(np.int64)


def _expiration_name(kind: int, domain: str, short: str, pick: int) -> str:
    type_name = EXPIRATION_KINDS[kind][1]
    if type_name == "Domain":
        return domain
    if type_name == "SSL Certificate":
        return f"{'*' if pick % 2 else 'mail'}.{domain}"
    if type_name == "Configuration":
        return f"{short.upper()}-{HOST_KINDS[pick % len(HOST_KINDS)]}{pick % 29 + 1:02d}"
    if type_name == "Password":
        return f"{short} {PASSWORD_NAMES[pick % len(PASSWORD_NAMES)]}"
    return f"{FLEX_NAMES[pick % len(FLEX_NAMES)]} ({type_name})"


def _where(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    kept = values.copy()
    kept[~mask] = None
    return kept


def _hour_weight(instants: np.ndarray) -> np.ndarray:
    """How likely a log is at each instant's time of day: a normal around 15:00 UTC (3.5 h), wrapped."""
    hours = (instants % DAY) / 3600.0
    distance = (hours - 15.0 + 12.0) % 24.0 - 12.0
    return np.exp(-0.5 * (distance / 3.5) ** 2)


_DAY_WEIGHT = float(_hour_weight(np.arange(0, DAY, 60)).sum())


def log_ids(times: np.ndarray, start: int) -> np.ndarray:
    """Ids of logs at ``times`` (sorted): `_log_ids` with ``start`` the initial window's start.

    Example:
        >>> (log_ids(np.array([5, 5, 6]), 0) - LOG_ID_BASE).tolist()
        [5242880, 5242881, 6291456]
    """
    return _log_ids(times, start)


def _log_ids(times: np.ndarray, start: int) -> np.ndarray:
    """Snowflake-like: seconds since the window start in the high bits, the rank within the second below."""
    first = np.searchsorted(times, times, side="left")
    return LOG_ID_BASE + (times - start) * 2**20 + (np.arange(len(times)) - first)


def _ipv4(rng: np.random.Generator, n: int) -> list[str]:
    octets = rng.integers(1, 255, (n, 4))
    octets[:, 0] = rng.choice(np.array([24, 38, 45, 62, 68, 73, 81, 86, 91, 104, 142, 176, 185, 203]), n)
    return [f"{a}.{b}.{c}.{d}" for a, b, c, d in octets.tolist()]
