"""IT Glue as the emulator's clock moves on: what happens to one account in a span of simulated time.

The span is cut at UTC midnights; each piece draws from its own random stream (the account's seed and the
piece's start), so the same seed and the same advances give the same data. Per simulated day:

- logs: ``counts.logs / 30`` new rows (Poisson), with the initial data's hours, user, action and type mix and
  now and then a burst in one second; ids keep growing; logs older than 30 days before the new now are dropped
  (the API keeps 30 days).
- user metrics: each new UTC date gets its rows the way the initial ones are drawn (per user a chance of
  5.5% x activity, more rows on some days); their points (10 created + 5 edited + 1 viewed) are added to the
  users' ``reputation``, which so stays the sum over all of a user's metrics; ``updated-at`` is set.
- sign-ins: a user with logs in the piece signed in before the first of them: ``current-sign-in-at`` moves
  there, ``last-sign-in-at`` takes the previous one, ``updated-at`` is set.
- expirations: of those whose date passed in the last 60 days, 4% a day are renewed late, of those due in the
  next 30 days 2% a day are renewed early (the date moves on a year, sometimes two or three;
  ``updated-at`` is the renewal); ``counts.expirations / 1500`` new ones a day, due in 30 days to 2 years.
- organizations: a new one with a 3% chance a day, an updated one (quick notes or alert) with 10%.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from apitoolkit.emulator.core.clock import day_spans
from apitoolkit.emulator.core.fake import object_array, sequential_ids
from apitoolkit.emulator.itglue.data import ALERTS, DAY, LOG_DAYS, Columns, DataGenerator, log_ids, reputation
from apitoolkit.emulator.itglue.table import NULL, Table

if TYPE_CHECKING:
    from apitoolkit.emulator.itglue.models import ITGlueAccount

LATE_RENEWAL_WINDOW = 60 * DAY
LATE_RENEWAL_PER_DAY = 0.04
EARLY_RENEWAL_WINDOW = 30 * DAY
EARLY_RENEWAL_PER_DAY = 0.02
RENEWAL_YEARS = (1, 2, 3)
RENEWAL_YEAR_WEIGHTS = (0.9, 0.07, 0.03)
EXPIRATIONS_SPREAD_DAYS = 1_500
NEW_ORGANIZATION_PER_DAY = 0.03
UPDATED_ORGANIZATION_PER_DAY = 0.1
_STREAM = 17


def advance_account(account: ITGlueAccount, now: int) -> None:
    """Let ``account`` live on from its ``now`` to ``now`` (seconds since the epoch; later, else nothing).

    Args:
        account: The account; its tables change and its ``now`` becomes ``now``.
        now: The new clock, in seconds since the epoch.

    Example:
        >>> from datetime import UTC, datetime
        >>> from apitoolkit.emulator.itglue.models import Counts, ITGlueAccount
        >>> account = ITGlueAccount(seed=1, counts=Counts.for_size("small"), now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> newest = max(account.tables["logs"].columns["id"])
        >>> advance_account(account, account.now + 86_400)
        >>> int((account.tables["logs"].columns["id"] > newest).sum()) > 0
        True
    """
    for start, end in day_spans(account.now, now):
        generator = account.generator_at(_STREAM, start)
        generator.now, generator.today = end, end // DAY
        _metrics(account, generator, start, end)
        _logs(account, generator, start, end)
        _expirations(account, generator, start, end)
        _organizations(account, generator, start, end)
        account.now = end


def _next_ids(table: Table, n: int, floor: int, generator: DataGenerator, gap: int) -> np.ndarray:
    """``n`` ids above every id the table ever held (and above ``floor``), with gaps of 1 to ``gap``."""
    base = max(table.issued[1] if table.issued else floor, floor)
    return sequential_ids(generator.rng, base, n, gap)


def _metrics(account: ITGlueAccount, generator: DataGenerator, start: int, end: int) -> None:
    """The metrics of each UTC date the piece enters, their points added to the users' reputation."""
    users, orgs, metrics = account.tables["users"], account.tables["organizations"], account.tables["user_metrics"]
    day = start // DAY
    if day <= account.metrics_day:
        return
    first, account.metrics_day = account.metrics_day + 1, day
    if not (account.counts.metric_days and len(users) and len(orgs)):
        return
    id_base = metrics.issued[1] if metrics.issued else 30_000_000
    rows = generator.user_metrics(users.columns, orgs.columns, day - first + 1, first_day=first, id_base=id_base)
    if not len(rows["id"]):
        return
    metrics.append(rows)
    points = reputation(users.columns["id"], rows)
    changed = np.flatnonzero(points)
    users.update("reputation", changed, users.columns["reputation"][changed] + points[changed])
    _touch(users, changed, generator.rng.integers(start, end, len(changed)))


def _logs(account: ITGlueAccount, generator: DataGenerator, start: int, end: int) -> None:
    """New logs in the piece, the 30 days' retention, and the sign-ins of their users."""
    logs, users = account.tables["logs"], account.tables["users"]
    if account.counts.logs and len(users):
        rows = generator.span_logs(
            account.counts.logs / LOG_DAYS, users.columns, account.tables["organizations"].columns, start, end
        )
        if len(rows["id"]):
            ids = log_ids(rows["created-at"], account.log_start)
            if logs.issued is not None and ids[0] <= logs.issued[1]:
                ids = ids + (logs.issued[1] - ids[0] + 1)
            rows["id"] = ids
            logs.append(rows)
            _sign_ins(users, rows)
    expired = np.flatnonzero(logs.columns["created-at"] < end - LOG_DAYS * DAY)
    if len(expired):
        logs.remove(expired)


def _sign_ins(users: Table, logs: Columns) -> None:
    """Users with logs signed in before the first of them (if that is later than their current sign-in)."""
    ids = users.columns["id"]
    order = np.argsort(ids)
    rows = order[np.searchsorted(ids, logs["user-id"], sorter=order)]
    first = np.full(len(ids), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, rows, logs["created-at"])
    current = users.columns["current-sign-in-at"]
    signing = np.flatnonzero((first < np.iinfo(np.int64).max) & (first > current))
    if not len(signing):
        return
    previous = np.where(current[signing] == NULL, first[signing], current[signing])
    users.update("last-sign-in-at", signing, previous)
    users.update("current-sign-in-at", signing, first[signing])
    for ip_column in ("current-sign-in-ip", "last-sign-in-ip"):
        users.update(ip_column, signing, users.columns["ip"][signing])
    _touch(users, signing, first[signing])


def _expirations(account: ITGlueAccount, generator: DataGenerator, start: int, end: int) -> None:
    """Late and early renewals, and a few new expirations."""
    table, rng = account.tables["expirations"], generator.rng
    share = (end - start) / DAY
    dates = table.columns["expiration-date"]
    late = (dates < start) & (dates >= start - LATE_RENEWAL_WINDOW)
    early = (dates >= start) & (dates < start + EARLY_RENEWAL_WINDOW)
    chance = np.where(late, LATE_RENEWAL_PER_DAY * share, np.where(early, EARLY_RENEWAL_PER_DAY * share, 0.0))
    renewed = np.flatnonzero(rng.random(len(dates)) < chance)
    if len(renewed):
        years = rng.choice(RENEWAL_YEARS, len(renewed), p=RENEWAL_YEAR_WEIGHTS)
        moved = dates[renewed] + years * 365 * DAY
        moved = np.where(moved <= end, moved + 365 * DAY, moved)
        table.update("expiration-date", renewed, moved)
        table.update("updated-at", renewed, rng.integers(start, end, len(renewed)))
    orgs = account.tables["organizations"]
    new = int(rng.poisson(account.counts.expirations / EXPIRATIONS_SPREAD_DAYS * share))
    if not (new and len(orgs)):
        return
    rows = generator.expirations(_next_ids(table, new, 0, generator, 5), orgs.columns, start)
    created = np.sort(rng.integers(start, end, new))
    rows["created-at"], rows["updated-at"] = created, created
    rows["expiration-date"] = (created // DAY + rng.integers(30, 730, new)) * DAY
    table.append(rows)


def _organizations(account: ITGlueAccount, generator: DataGenerator, start: int, end: int) -> None:
    """Now and then a new organization, or an updated one."""
    table, rng = account.tables["organizations"], generator.rng
    share = (end - start) / DAY
    if rng.random() < NEW_ORGANIZATION_PER_DAY * share:
        created = rng.integers(start, end, 1)
        rows = generator.organizations(_next_ids(table, 1, 0, generator, 40), created, owner_first=False)
        rows["updated-at"] = created
        table.append(rows)
    if rng.random() < UPDATED_ORGANIZATION_PER_DAY * share and len(table) > 1:
        row = np.array([rng.integers(1, len(table))])
        if rng.random() < 0.7:
            table.update("quick-notes", row, object_array([str(rng.choice(generator.pools.phrases))]))
        else:
            table.update("alert", row, object_array([str(rng.choice(np.array(ALERTS)))]))
        _touch(table, row, rng.integers(start, end, 1))


def _touch(table: Table, rows: np.ndarray, times: np.ndarray) -> None:
    """Set ``updated-at`` of ``rows`` to ``times`` where that is later."""
    if len(rows):
        table.update("updated-at", rows, np.maximum(table.columns["updated-at"][rows], times))
