"""List queries of the IT Glue API: resources' filters and sorts, parsing ``page``/``filter``/``sort``, selection.

Filter values are strings as sent: ``a,b`` means *a or b* for id-like and string filters; in a string value
a backslash escapes the next character, so ``\\,`` is a literal comma (the knowledge base's
``filter[name]=Kub\\, Reynolds and Gibson``) and ``\\\\`` a backslash. Ranges are ``start,end`` with ``*`` for
an open side, inclusive on both ends, as dates (``2024-05-01``, a whole UTC day) or ISO 8601 datetimes (``Z``,
an offset, or none for UTC). String filters match exactly. Sorting takes comma-separated fields, ``-``
inverts one, and ties are always broken by ``id`` ascending.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from werkzeug.datastructures import MultiDict

from apitoolkit.emulator.itglue.exceptions import BadRequest, UnprocessableEntity
from apitoolkit.emulator.itglue.table import NULL, Field, Table

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
_FILTER_KEY = re.compile(r"filter((?:\[[^\[\]]+\])+)")


class Filter(ABC):
    """How one ``filter[...]`` parameter is parsed and applied to a column."""

    column: str

    @abstractmethod
    def parse(self, param: str, raw: str) -> Hashable:
        """Validate the raw value of ``param``; returns a normalised, hashable value."""

    @abstractmethod
    def mask(self, table: Table, value: Any) -> np.ndarray:
        """The boolean mask of the rows matching a parsed value."""


@dataclass(frozen=True)
class AnyOf(Filter):
    """Comma-separated integers, any of which matches (``exclude`` inverts)."""

    column: str
    exclude: bool = False

    def parse(self, param: str, raw: str) -> Hashable:
        try:
            return tuple(sorted({int(part) for part in raw.split(",")}))
        except ValueError:
            raise BadRequest(f"{param} must be comma-separated integer ids, got {raw!r}.") from None

    def mask(self, table: Table, value: Any) -> np.ndarray:
        return np.isin(table.columns[self.column], value) ^ self.exclude


@dataclass(frozen=True)
class Equals(Filter):
    """Exact strings split on unescaped commas, any of which matches (``exclude`` inverts)."""

    column: str
    exclude: bool = False

    def parse(self, param: str, raw: str) -> Hashable:
        return tuple(sorted(set(split_values(raw))))

    def mask(self, table: Table, value: Any) -> np.ndarray:
        column = table.columns[self.column]
        mask = np.zeros(len(table), dtype=bool)
        for text in value:
            mask |= np.asarray(column == text, dtype=bool)
        return mask ^ self.exclude


def split_values(raw: str) -> list[str]:
    """Split a filter value on commas not escaped by a backslash; a backslash keeps the next character as is.

    Example:
        >>> split_values(r"Kub\\, Reynolds and Gibson,Acme,C:\\\\temp")
        ['Kub, Reynolds and Gibson', 'Acme', 'C:\\\\temp']
    """
    values: list[str] = []
    current: list[str] = []
    chars = iter(raw)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == ",":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return values


@dataclass(frozen=True)
class Flag(Filter):
    """``true`` or ``false``."""

    column: str

    def parse(self, param: str, raw: str) -> Hashable:
        text = raw.strip().lower()
        if text not in ("true", "false", "1", "0"):
            raise BadRequest(f"{param} must be true or false, got {raw!r}.")
        return text in ("true", "1")

    def mask(self, table: Table, value: Any) -> np.ndarray:
        return np.asarray(table.columns[self.column] == value, dtype=bool)


@dataclass(frozen=True)
class NumberRange(Filter):
    """``low,high`` integers, ``*`` for an open side, inclusive."""

    column: str

    def parse(self, param: str, raw: str) -> Hashable:
        low, high = _split_range(param, raw)
        try:
            return (None if low is None else int(low), None if high is None else int(high))
        except ValueError:
            raise BadRequest(f"{param} must be two integers or *, got {raw!r}.") from None

    def mask(self, table: Table, value: Any) -> np.ndarray:
        return _between(table.columns[self.column], *value)


@dataclass(frozen=True)
class TimeRange(Filter):
    """``start,end`` of dates or datetimes (UTC), ``*`` for an open side, inclusive.

    ``week_only`` refuses open sides and spans over 7 calendar days with a 422, as User Metrics does.
    On a ``date`` column a datetime stands for its UTC day.
    """

    column: str
    kind: str = "time"
    week_only: bool = False

    def parse(self, param: str, raw: str) -> Hashable:
        start, end = (None if side is None else _parse_when(param, side) for side in _split_range(param, raw))
        if self.week_only and (start is None or end is None or (_as_date(end) - _as_date(start)).days > 6):
            raise UnprocessableEntity(
                f"Date ranges longer than a week are not allowed: {param} must span at most 7 days "
                "(end - start <= 6 days) with both dates given."
            )
        if self.kind == "date":
            return (
                None if start is None else _days(_as_date(start)),
                None if end is None else _days(_as_date(end)),
            )
        return (_seconds(start, end_of_day=False), _seconds(end, end_of_day=True))

    def mask(self, table: Table, value: Any) -> np.ndarray:
        return _between(table.columns[self.column], *value)


@dataclass(frozen=True)
class SameTime(Filter):
    """A date (the whole UTC day) or a datetime (that second)."""

    column: str

    def parse(self, param: str, raw: str) -> Hashable:
        when = _parse_when(param, raw.strip())
        return (_seconds(when, end_of_day=False), _seconds(when, end_of_day=True))

    def mask(self, table: Table, value: Any) -> np.ndarray:
        return _between(table.columns[self.column], *value)


@dataclass(frozen=True)
class NoMatch(Filter):
    """A filter on data the emulator does not hold (e.g. PSA ids): validated, then matches nothing."""

    column: str = ""
    choices: tuple[str, ...] = ()

    def parse(self, param: str, raw: str) -> Hashable:
        if self.choices and raw not in self.choices:
            raise UnprocessableEntity(f"{param} must be one of: {', '.join(self.choices)}.")
        return raw

    def mask(self, table: Table, value: Any) -> np.ndarray:
        return np.zeros(len(table), dtype=bool)


@dataclass(frozen=True)
class Resource:
    """What a list endpoint accepts: filters by name, sorts (name -> column), default order, page cap.

    Attributes:
        key: The account attribute holding the data, e.g. ``"user_metrics"``.
        type: The JSON:API type, e.g. ``"user-metrics"``.
        fields: The attributes, in the order they are rendered.
        filters: ``filter[...]`` names (``range[expiration_date]`` style for nested ones) to filters.
        sorts: ``sort`` names to columns.
        default_sort: The order without ``sort``.
        max_page: The highest ``page[number]`` allowed (422 beyond), if capped.
        params: Other query parameters accepted and ignored (e.g. ``include``).
        requires: Filters that must come with another one (422 otherwise).
    """

    key: str
    type: str
    fields: tuple[Field, ...]
    filters: Mapping[str, Filter]
    sorts: Mapping[str, str]
    default_sort: tuple[str, ...] = ("id",)
    max_page: int | None = None
    params: frozenset[str] = frozenset()
    requires: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ListQuery:
    """A parsed list request.

    Example:
        >>> ListQuery(number=2, size=10).scoped("organization_id", (5,)).filters
        (('organization_id', (5,)),)
    """

    number: int = 1
    size: int = DEFAULT_PAGE_SIZE
    filters: tuple[tuple[str, Hashable], ...] = ()
    sort: tuple[str, ...] = ()

    def scoped(self, name: str, value: Hashable) -> ListQuery:
        """The same query with one more filter (ANDed with any of the same name)."""
        return replace(self, filters=(*self.filters, (name, value)))


def parse_list_query(args: MultiDict[str, str], resource: Resource) -> ListQuery:
    """Parse ``page[number]``, ``page[size]``, ``sort`` and ``filter[...]`` of a list request.

    Raises:
        BadRequest: An unknown parameter, filter or sort field, or a malformed value.
        UnprocessableEntity: A rule of the endpoint is broken.

    Example:
        >>> from apitoolkit.emulator.itglue.resources import USERS
        >>> parse_list_query(MultiDict({"page[size]": "5", "sort": "-name"}), USERS)
        ListQuery(number=1, size=5, filters=(), sort=('-name',))
    """
    number, size = 1, DEFAULT_PAGE_SIZE
    filters: dict[str, Hashable] = {}
    sort: tuple[str, ...] = ()
    for key, values in args.lists():
        raw = values[-1]
        match = _FILTER_KEY.fullmatch(key)
        if key == "page[number]":
            number = _integer(key, raw, 1, None)
        elif key == "page[size]":
            size = _integer(key, raw, 1, MAX_PAGE_SIZE)
        elif key == "sort":
            sort = _parse_sort(raw, resource)
        elif match:
            parts = re.findall(r"\[([^\]]+)\]", match.group(1))
            name = parts[0] + "".join(f"[{part}]" for part in parts[1:])
            if name not in resource.filters:
                known = ", ".join(sorted(resource.filters))
                raise BadRequest(f"Unknown filter '{key}' for {resource.type}; known filters: {known}.")
            filters[name] = resource.filters[name].parse(key, raw)
        elif key not in resource.params:
            raise BadRequest(f"Unknown query parameter '{key}' for {resource.type}.")
    for name, needed in resource.requires.items():
        if name in filters and needed not in filters:
            raise UnprocessableEntity(f"filter[{name}] must be accompanied by filter[{needed}].")
    return ListQuery(number, size, tuple(sorted(filters.items(), key=lambda item: item[0])), sort)


def select(table: Table, resource: Resource, query: ListQuery) -> np.ndarray:
    """The row positions matching the query's filters, in its order (cached per data state).

    Example:
        >>> from datetime import UTC, datetime
        >>> from apitoolkit.emulator.itglue.models import Counts, ITGlueAccount
        >>> from apitoolkit.emulator.itglue.resources import USERS
        >>> account = ITGlueAccount(seed=1, counts=Counts.for_size("small"), now=datetime(2025, 1, 1, tzinfo=UTC))
        >>> rows = select(account.tables["users"], USERS, ListQuery(sort=("-reputation",)))
        >>> len(rows) == len(account.users)
        True
    """
    return table.cached_order((query.filters, query.sort), lambda: _compute(table, resource, query))


def _compute(table: Table, resource: Resource, query: ListQuery) -> np.ndarray:
    mask = np.ones(len(table), dtype=bool)
    for name, value in query.filters:
        mask &= resource.filters[name].mask(table, value)
    rows = np.flatnonzero(mask)
    terms = query.sort or resource.default_sort
    keys = []
    for term in terms:
        key = table.sort_key(resource.sorts[term.lstrip("-")])[rows]
        keys.append(-key if term.startswith("-") else key)
    if not any(term.lstrip("-") == "id" for term in terms):
        keys.append(table.sort_key("id")[rows])
    return rows[np.lexsort(keys[::-1])]


def _parse_sort(raw: str, resource: Resource) -> tuple[str, ...]:
    terms = tuple(term.strip() for term in raw.split(","))
    for term in terms:
        if term.lstrip("-") not in resource.sorts:
            known = ", ".join(resource.sorts)
            raise BadRequest(f"Unknown sort field '{term}' for {resource.type}; sort by one of: {known}.")
    return terms


def _integer(param: str, raw: str, low: int, high: int | None) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if value < low or (high is not None and value > high):
        limit = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise BadRequest(f"{param} must be an integer {limit}, got {raw!r}.")
    return value


def _split_range(param: str, raw: str) -> tuple[str | None, str | None]:
    sides = [side.strip() for side in raw.split(",")]
    if len(sides) != 2 or not all(sides):
        raise BadRequest(f"{param} must be 'start,end' with * for an open side, got {raw!r}.")
    low, high = (None if side == "*" else side for side in sides)
    return low, high


def _parse_when(param: str, text: str) -> date | datetime:
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        when = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{param} needs ISO 8601 dates or datetimes, got {text!r}.") from None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _as_date(when: date | datetime) -> date:
    return when.date() if isinstance(when, datetime) else when


def _days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


def _seconds(when: date | datetime | None, *, end_of_day: bool) -> float | None:
    if when is None:
        return None
    if isinstance(when, datetime):
        return when.timestamp()
    day = datetime(when.year, when.month, when.day, tzinfo=UTC)
    return (day + timedelta(days=1)).timestamp() - 0.001 if end_of_day else day.timestamp()


def _between(column: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
    mask = column != NULL
    if low is not None:
        mask &= column >= low
    if high is not None:
        mask &= column <= high
    return mask
