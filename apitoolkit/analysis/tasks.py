"""Task activity from Hitask items or Glasshat tasks: one common view, throughput, backlog, overdue work."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.tseries.frequencies import to_offset

from apitoolkit.analysis.checks import FREQUENCIES, period_start, reference_time, require, to_utc
from apitoolkit.arguments import as_timestamp
from apitoolkit.exceptions import InvalidArgumentError

__all__ = [
    "PRIORITY_BANDS",
    "backlog",
    "completion_times",
    "overdue",
    "priority_bands",
    "task_view",
    "throughput",
    "work_by",
]

#: Hitask's documented priority bands, inclusive (``None``: no upper bound). Glasshat's 1-5 scale is another one.
PRIORITY_BANDS: dict[str, tuple[int, int | None]] = {
    "low": (10000, 19999),
    "normal": (20000, 29999),
    "high": (30000, None),
}
_BAND_DTYPE = pd.CategoricalDtype(list(PRIORITY_BANDS), ordered=True)

_HITASK = "apitoolkit.hitask.load_items()"
_GLASSHAT = "apitoolkit.glasshat.load_tasks()"
_HITASK_COLUMNS = (
    "id", "title", "category", "project_id", "project_title", "assignee_id", "priority",
    "completed", "time_create", "time_last_update", "due_date",
)  # fmt: skip
_GLASSHAT_COLUMNS = ("id", "project_id", "title", "priority", "status", "created", "completed")
_TEAM = "apitoolkit.hitask.load_team_members()"
_GLASSHAT_DONE = ("done", "completed")
_COMMON_COLUMNS = ("id", "title", "priority")  # in both kinds and in the view
_UTC = "datetime64[us, UTC]"
_VIEW: dict[str, str] = {
    "source": "str",
    "id": "Int64",
    "title": "str",
    "project": "str",
    "assignee": "str",
    "assignee_id": "Int64",
    "participants": "str",
    "priority": "Int64",
    "created": _UTC,
    "completed_at": _UTC,
    "due": _UTC,
    "is_completed": "boolean",
}
_ADDED = ("assignee_id", "participants")  # a view frame made before these existed still passes through
_UNKNOWN = {"assignee": "unassigned", "project": "no project"}


def task_view(
    tasks: pd.DataFrame, *, projects: pd.DataFrame | None = None, users: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Hitask items or Glasshat tasks in one shape, so every task function reads either.

    Columns: ``source`` ("hitask" or "glasshat"), ``id``, ``title``, ``project``, ``assignee`` (a name),
    ``assignee_id``, ``participants`` (names), ``priority``, ``created``, ``completed_at``, ``due`` (UTC),
    ``is_completed``. The kind is told by the columns (``time_create``/``category``: Hitask; ``created`` and
    ``status``: Glasshat); a frame already in this shape passes through, its columns coerced to these dtypes
    and any other columns kept after them (``assignee_id`` and ``participants`` may be absent: a numeric
    ``assignee`` is then taken as the id).

    People are named from ``users`` (one mapping built once): ``assignee`` is the member's "First Last", else
    their login; the id as text ("#123") when ``users`` lacks it or is not given; "unassigned" when nobody
    is. A name two members share is followed by the id ("Ann Lee (#5)"), so grouping never merges two people.
    ``assignee_id`` keeps the Hitask id (Int64, missing when unassigned). ``participants`` holds the Hitask
    participants' names the same way, joined by ", " ("" when none). ``project`` is "no project" when missing.

    Hitask: only items of category "task" are kept (projects, events, notes and files are not work items);
    ``assignee_id`` 0 (nobody) counts as missing; ``project`` is ``project_title``; a missing ``completed``
    flag counts as not completed. Hitask records no completion time: ``completed_at`` is the
    ``time_last_update`` of a completed item, the closest the API gives (a later edit moves it).

    Glasshat: ``project`` is the project's name from ``projects`` when given (ids it lacks stay as the id's
    text), else the ``project_id`` as text; every task is "unassigned" and ``due`` is missing (the API has
    neither); ``is_completed`` when ``completed`` is set or the status is "done"; tasks with status
    "dismissed" are left out: a declined recommendation is neither work to do nor work done. ``priority``
    stays on Glasshat's own 1 (highest) to 5 scale.

    In every kind ``completed_at`` is kept only where ``is_completed``, and a project name that several
    projects share (each client's "Main website") is followed by the project's id, "Main website (#20042)",
    so that grouping by ``project`` never merges two projects.

    Args:
        tasks: A frame from ``apitoolkit.hitask.load_items()``, ``apitoolkit.glasshat.load_tasks()``, or this one.
        projects: For Glasshat tasks, ``apitoolkit.glasshat.load_projects()``, to name the projects.
        users: ``apitoolkit.hitask.load_team_members()`` (``id``, ``first_name``, ``last_name``, and ``login``
            when present), to name assignees and participants.

    Raises:
        InvalidArgumentError: (a ValueError) not a DataFrame, not one of the two kinds (the message names both
            loaders), a kind missing columns, ``projects`` with a frame that is not Glasshat tasks, or
            ``users`` that is not a team members frame.

    Example:
        >>> tasks = pd.DataFrame({"id": [7], "project_id": [3], "title": ["Fix links"], "priority": [2],
        ...                       "status": ["done"], "created": pd.to_datetime(["2026-11-02"], utc=True),
        ...                       "completed": pd.to_datetime(["2026-11-05"], utc=True)})
        >>> task_view(tasks)[["source", "project", "assignee", "is_completed"]].values.tolist()
        [['glasshat', '3', 'unassigned', True]]
    """
    return _view(tasks, "task_view", projects, users)


def priority_bands(tasks: pd.DataFrame) -> pd.DataFrame:
    """`task_view` plus ``priority_band``: "low" < "normal" < "high", ordered, from Hitask's documented ranges.

    Priorities outside `PRIORITY_BANDS` (below 10000, missing) have no band, nor do Glasshat tasks: their
    1-5 scale is not Hitask's, and mapping one onto the other would invent a meaning.

    Example:
        >>> items = pd.DataFrame({"id": [1, 2], "title": ["a", "b"], "category": ["task", "task"],
        ...     "project_id": None, "project_title": None, "assignee_id": [0, 0], "priority": [15000, 30000],
        ...     "completed": [False, False], "time_create": pd.to_datetime(["2026-11-02"] * 2, utc=True),
        ...     "time_last_update": pd.NaT, "due_date": pd.NaT})
        >>> priority_bands(items)["priority_band"].tolist()
        ['low', 'high']
    """
    view = _view(tasks, "priority_bands")
    priority = view["priority"]
    codes = np.full(len(view), -1)
    is_hitask = view["source"].eq("hitask").fillna(False)
    for code, (low, high) in enumerate(PRIORITY_BANDS.values()):
        inside = is_hitask & priority.ge(low).fillna(False)
        if high is not None:
            inside &= priority.le(high).fillna(False)
        codes[inside.to_numpy(dtype=bool)] = code
    return view.assign(priority_band=pd.Categorical.from_codes(codes, dtype=_BAND_DTYPE))


def throughput(
    tasks: pd.DataFrame,
    *,
    freq: str = "week",
    start: Any = None,
    end: Any = None,
    tz: str = "UTC",
) -> pd.DataFrame:
    """Tasks created and tasks completed per day, week (from Monday) or month, cut in the zone ``tz``.

    Columns ``period`` (the period's start, in ``tz``), ``created``, ``completed`` (Int64). Every period from
    the one holding ``start`` to the one holding ``end`` is present, zeros included; whole periods are
    counted. Without ``start``/``end`` the range runs from the first to the last period with an event.

    Args:
        tasks: Hitask items, Glasshat tasks or a `task_view` frame.
        freq: "day", "week" or "month".
        start: First period shown (date-like; naive is a wall time in ``tz``); default: the earliest event.
        end: Last period shown; default: the latest event.
        tz: The zone the periods are cut in.

    Example:
        >>> view = pd.DataFrame({"source": ["hitask"] * 2, "id": [1, 2], "title": ["a", "b"],
        ...     "project": None, "assignee": None, "priority": None,
        ...     "created": pd.to_datetime(["2026-11-02", "2026-11-10"], utc=True),
        ...     "completed_at": pd.to_datetime(["2026-11-11", None], utc=True), "due": pd.NaT,
        ...     "is_completed": [True, False]})
        >>> throughput(view)[["created", "completed"]].values.tolist()
        [[1, 0], [1, 1]]
    """
    view = _view(tasks, "throughput")
    created = period_start(view["created"], freq, tz=tz)
    completed = period_start(view["completed_at"], freq, tz=tz)
    events = pd.concat([created, completed])
    wall = _wall_periods(events, events, freq, tz, start, end)
    periods = _localize(wall, tz)
    return pd.DataFrame(
        {
            "period": periods,
            "created": _counts(created, periods),
            "completed": _counts(completed, periods),
        }
    )


def backlog(
    tasks: pd.DataFrame,
    *,
    freq: str = "day",
    start: Any = None,
    end: Any = None,
    tz: str = "UTC",
) -> pd.DataFrame:
    """Open tasks at the end of each period: created before the period ends and not completed by then (or at).

    Columns ``period`` (the period's start, in ``tz``) and ``open`` (Int64); periods chosen as in
    `throughput`, and without ``start``/``end`` they run from the first creation to the last event.

    Tasks without a creation time cannot be placed and are left out. Completed tasks without a completion
    time are left out too (never counted open): when they closed is unknown, counting them open for ever
    would grow a backlog that does not exist, and leaving them out keeps the last value equal to the tasks
    open now (as `work_by` counts them). A completion time before the creation time counts as at creation.

    Args:
        tasks: Hitask items, Glasshat tasks or a `task_view` frame.
        freq: "day", "week" or "month".
        start: First period shown (date-like; naive is a wall time in ``tz``); default: the earliest creation.
        end: Last period shown; default: the latest creation or completion.
        tz: The zone the periods are cut in.

    Example:
        >>> view = pd.DataFrame({"source": ["hitask"] * 2, "id": [1, 2], "title": ["a", "b"],
        ...     "project": None, "assignee": None, "priority": None,
        ...     "created": pd.to_datetime(["2026-11-02 09:00", "2026-11-03 09:00"], utc=True),
        ...     "completed_at": pd.to_datetime(["2026-11-04 09:00", None], utc=True), "due": pd.NaT,
        ...     "is_completed": [True, False]})
        >>> backlog(view)["open"].tolist()
        [1, 2, 1]
    """
    view = _view(tasks, "backlog")
    unknown_close = view["is_completed"] & view["completed_at"].isna()
    placed = view[view["created"].notna() & ~unknown_close]
    opened = placed["created"]
    closed = placed["completed_at"]  # missing for open tasks
    closed = closed.where(closed.isna() | closed.ge(opened), opened)  # completed before created: at creation
    first = period_start(opened, freq, tz=tz)
    last = period_start(pd.concat([opened, closed]), freq, tz=tz)
    wall = _wall_periods(first, last, freq, tz, start, end)
    ends = _localize(wall + to_offset(FREQUENCIES[freq]), tz).asi8
    ever_open = closed.isna() | closed.gt(opened)  # completed as it was created: never open
    created_before = np.searchsorted(np.sort(opened[ever_open].array.asi8), ends, side="left")
    completed_by = np.searchsorted(np.sort(closed[ever_open].dropna().array.asi8), ends, side="right")
    return pd.DataFrame({"period": _localize(wall, tz), "open": pd.array(created_before - completed_by, "Int64")})


def overdue(tasks: pd.DataFrame, now: Any = None, *, users: pd.DataFrame | None = None) -> pd.DataFrame:
    """Tasks due before ``now`` and not completed, most overdue first: `task_view` columns plus ``days_overdue``.

    ``days_overdue`` counts whole calendar days (UTC, Int64) from the due date to ``now``'s date, the way
    ``days_until`` counts expirations: a task due yesterday is 1 day overdue, one due earlier today 0. Ties
    put the earlier due time first, then the lower id. Glasshat tasks have no due date, so never appear here.

    Args:
        tasks: Hitask items, Glasshat tasks or a `task_view` frame.
        now: The reference time (date-like; naive is UTC); default: the current time.
        users: ``apitoolkit.hitask.load_team_members()``, to name assignees (see `task_view`).

    Example:
        >>> view = pd.DataFrame({"source": ["hitask"] * 2, "id": [1, 2], "title": ["a", "b"],
        ...     "project": None, "assignee": None, "priority": None, "created": pd.NaT, "completed_at": pd.NaT,
        ...     "due": pd.to_datetime(["2026-11-20 00:00", "2026-11-22 12:00"], utc=True), "is_completed": [False] * 2})
        >>> overdue(view, now="2026-11-23 08:00")["days_overdue"].tolist()
        [3, 1]
    """
    view = _view(tasks, "overdue", users=users)
    moment = reference_time(now)
    late = view[view["due"].lt(moment).fillna(False) & ~view["is_completed"]]
    days = (moment.floor("D") - late["due"].dt.floor("D")).dt.days.astype("Int64")
    late = late.assign(days_overdue=days)
    order = ["days_overdue", "due", "id"]
    return late.sort_values(order, ascending=[False, True, True], kind="stable").reset_index(drop=True)


def work_by(
    tasks: pd.DataFrame, by: str = "assignee", now: Any = None, *, users: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Open, completed, overdue and total tasks per assignee or per project, most open first.

    Columns ``<by>`` (text: the assignee as `task_view` names it, "#5" without ``users``, or the project's
    name; "unassigned" / "no project" when missing), ``open``, ``completed``, ``overdue`` (open and due before
    ``now``), ``total`` (Int64); ties by total, then by name. For Glasshat project names, pass
    ``task_view(tasks, projects=projects)``.

    Args:
        tasks: Hitask items, Glasshat tasks or a `task_view` frame.
        by: "assignee" or "project".
        now: The reference time for ``overdue`` (date-like; naive is UTC); default: the current time.
        users: ``apitoolkit.hitask.load_team_members()``, to name assignees (see `task_view`).

    Example:
        >>> view = pd.DataFrame({"source": ["hitask"] * 3, "id": [1, 2, 3], "title": ["a", "b", "c"],
        ...     "project": ["Web", "Web", None], "assignee": [5, None, 5], "priority": None, "created": pd.NaT,
        ...     "completed_at": pd.NaT, "due": pd.NaT, "is_completed": [False, True, False]})
        >>> work_by(view)[["assignee", "open", "total"]].values.tolist()
        [['#5', 2, 2], ['unassigned', 0, 1]]
        >>> users = pd.DataFrame({"id": [5], "first_name": ["Ann"], "last_name": ["Lee"]})
        >>> work_by(view, users=users)["assignee"].tolist()
        ['Ann Lee', 'unassigned']
    """
    if by not in _UNKNOWN:
        raise InvalidArgumentError(f"by={by!r}: use one of {', '.join(_UNKNOWN)}.")
    view = _view(tasks, "work_by", users=users)
    moment = reference_time(now)
    done = view["is_completed"]
    flags = pd.DataFrame(
        {
            by: view[by].astype("str").fillna(_UNKNOWN[by]),
            "open": ~done,
            "completed": done,
            "overdue": ~done & view["due"].lt(moment),
        }
    )
    table = flags.groupby(by, as_index=False).agg(
        open=("open", "sum"), completed=("completed", "sum"), overdue=("overdue", "sum"), total=("open", "size")
    )
    table = table.astype({by: "str", "open": "Int64", "completed": "Int64", "overdue": "Int64", "total": "Int64"})
    order = ["open", "total", by]
    return table.sort_values(order, ascending=[False, False, True], kind="stable").reset_index(drop=True)


def completion_times(tasks: pd.DataFrame) -> pd.DataFrame:
    """Completed tasks with both times, and the days from creation to completion (float).

    Columns ``id``, ``title``, ``project``, ``assignee``, ``created``, ``completed_at``, ``days_to_complete``.
    Negative durations (completed before created: bad data) are dropped. For Hitask, ``completed_at`` is the
    last update of the item (see `task_view`), so these durations can run long.

    Example:
        >>> view = pd.DataFrame({"source": ["glasshat"], "id": [1], "title": ["a"], "project": ["3"],
        ...     "assignee": None, "priority": [2], "created": pd.to_datetime(["2026-11-02"], utc=True),
        ...     "completed_at": pd.to_datetime(["2026-11-03 12:00"], utc=True), "due": pd.NaT,
        ...     "is_completed": [True]})
        >>> completion_times(view)["days_to_complete"].tolist()
        [1.5]
    """
    view = _view(tasks, "completion_times")
    done = view[view["is_completed"] & view["completed_at"].notna() & view["created"].notna()]
    days = (done["completed_at"] - done["created"]) / pd.Timedelta(days=1)
    columns = ["id", "title", "project", "assignee", "created", "completed_at", "days_to_complete"]
    return done.assign(days_to_complete=days.astype("float64"))[columns][days.ge(0)].reset_index(drop=True)


# --------------------------------------------------------------------------------------------- the view
def _view(
    tasks: Any, what: str, projects: pd.DataFrame | None = None, users: pd.DataFrame | None = None
) -> pd.DataFrame:
    columns = set(tasks.columns) if isinstance(tasks, pd.DataFrame) else set()
    names = None if users is None else _people(users, what)
    if set(_VIEW) - set(_ADDED) <= columns:
        kind = "view"
    elif {"time_create", "category"} & columns:
        kind = "hitask"
    elif {"created", "status"} <= columns:
        kind = "glasshat"
    else:
        require(tasks, _COMMON_COLUMNS, what=what, loader=f"{_HITASK} or {_GLASSHAT}")
        raise InvalidArgumentError(
            f"{what} needs Hitask items (from {_HITASK}: {', '.join(_HITASK_COLUMNS)}) or Glasshat tasks "
            f"(from {_GLASSHAT}: {', '.join(_GLASSHAT_COLUMNS)}); got the columns {', '.join(map(str, tasks.columns))}."
        )
    if projects is not None and kind != "glasshat":
        raise InvalidArgumentError(f"{what}: projects= names Glasshat projects; pass it only with {_GLASSHAT}.")
    if kind == "hitask":
        return _conform(_from_hitask(require(tasks, _HITASK_COLUMNS, what=what, loader=_HITASK), names))
    if kind == "glasshat":
        return _conform(_from_glasshat(require(tasks, _GLASSHAT_COLUMNS, what=what, loader=_GLASSHAT), projects))
    return _conform(_from_view(tasks, names))


def _from_view(view: pd.DataFrame, names: pd.Series | None) -> pd.DataFrame:
    """A view frame with ``assignee_id`` and ``participants`` filled in (a numeric ``assignee``, from a view made
    before they existed, is the id) and each assignee named from ``names`` when it holds the id."""
    assignee = view["assignee"]
    numeric = pd.api.types.is_numeric_dtype(assignee.dtype) or bool(assignee.isna().all())
    if "assignee_id" in view.columns:
        ids = _ids(view["assignee_id"])
    elif numeric:
        ids = _ids(assignee)
    else:
        ids = pd.Series(pd.NA, index=view.index, dtype="Int64")
    label = _label(ids, names)
    if not numeric:  # names already given stay, unless ``names`` knows the id
        known = ids.map(names).notna() if names is not None else pd.Series(False, index=view.index)
        label = label.where(known | assignee.isna(), assignee.astype("str"))
    participants = view["participants"] if "participants" in view.columns else ""
    return view.assign(assignee=label, assignee_id=ids, participants=participants)


def _from_hitask(items: pd.DataFrame, names: pd.Series | None) -> pd.DataFrame:
    rows = items[items["category"].astype("str").eq("task").fillna(False)]
    ids = _ids(rows["assignee_id"])
    participants = rows["participants"] if "participants" in rows.columns else None
    return pd.DataFrame(
        {
            "source": "hitask",
            "id": rows["id"],
            "title": rows["title"],
            "project": _distinct(rows["project_id"], rows["project_title"].astype("str")),
            "assignee": _label(ids, names),
            "assignee_id": ids,
            "participants": _participants(participants, names, rows.index),
            "priority": rows["priority"],
            "created": rows["time_create"],
            "completed_at": rows["time_last_update"],
            "due": rows["due_date"],
            "is_completed": rows["completed"],
        },
        index=rows.index,
    )


def _from_glasshat(tasks: pd.DataFrame, projects: pd.DataFrame | None) -> pd.DataFrame:
    rows = tasks[tasks["status"].astype("str").ne("dismissed").fillna(True)]
    completed = to_utc(rows["completed"])
    return pd.DataFrame(
        {
            "source": "glasshat",
            "id": rows["id"],
            "title": rows["title"],
            "project": _project_names(rows["project_id"].astype("Int64"), projects),
            "assignee": None,
            "assignee_id": None,
            "participants": "",
            "priority": rows["priority"],
            "created": rows["created"],
            "completed_at": completed,
            "due": None,
            "is_completed": completed.notna() | rows["status"].isin(_GLASSHAT_DONE),
        },
        index=rows.index,
    )


def _ids(values: pd.Series) -> pd.Series:
    """Hitask user ids as Int64, 0 (nobody) as missing."""
    try:
        ids = pd.to_numeric(values).astype("Int64")
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"Column {values.name!r} must hold Hitask user ids (whole numbers).") from None
    return ids.where(ids.ne(0).fillna(False))


def _people(users: Any, what: str) -> pd.Series:
    """Team member id (Int64 index) -> display name: "First Last", else the login, else "#id"; a name two
    members share is followed by the id."""
    members = require(users, ("id", "first_name", "last_name"), what=what, loader=_TEAM)
    members = members.assign(id=_ids(members["id"])).dropna(subset=["id"]).drop_duplicates("id", keep="last")
    full = (_text(members, "first_name") + " " + _text(members, "last_name")).str.strip()
    full = full.where(full != "", _text(members, "login"))
    full = full.where(full != "", "#" + members["id"].astype("str"))
    labels = _distinct(members["id"], full)
    return pd.Series(labels.array, index=pd.Index(members["id"].array, dtype="Int64"), dtype="str")


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    """A text column stripped, missing as ``""``; all ``""`` when the frame lacks it."""
    if column not in frame.columns:
        return pd.Series("", index=frame.index, dtype="str")
    return frame[column].astype("str").fillna("").str.strip()


def _label(ids: pd.Series, names: pd.Series | None) -> pd.Series:
    """Each id's name from ``names``, else "#id"; "unassigned" where the id is missing."""
    fallback = ("#" + ids.astype("str")).fillna(_UNKNOWN["assignee"])
    if names is None or names.empty:
        return fallback.astype("str")
    return ids.map(names).astype("str").fillna(fallback)


def _participants(values: pd.Series | None, names: pd.Series | None, index: pd.Index) -> pd.Series:
    """Lists of Hitask user ids as names joined by ", " ("" for none): every id of every list is named in one
    mapping, and the lists are rebuilt and joined in Arrow, without a Python loop over the rows."""
    if values is None or values.empty:
        return pd.Series("", index=index, dtype="str")
    try:
        lists = pa.array(values, type=pa.list_(pa.int64()), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise InvalidArgumentError(
            f"Column {values.name!r} must hold lists of Hitask user ids, as {_HITASK} gives them."
        ) from None
    ids = _ids(pd.Series(pc.list_flatten(lists).to_pandas(types_mapper=pd.ArrowDtype), dtype="Int64"))
    parents = pc.list_parent_indices(lists).to_numpy()
    named = ids.notna().to_numpy()
    labels = pa.array(_label(ids, names)[named].to_numpy(dtype=object), type=pa.string())
    offsets = np.searchsorted(parents[named], np.arange(len(values) + 1)).astype("int32")
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), labels), ", ")
    return pd.Series(joined.to_numpy(zero_copy_only=False), index=index, dtype="str").fillna("")


def _project_names(ids: pd.Series, projects: pd.DataFrame | None) -> pd.Series:
    text = ids.astype("str")
    if projects is None:
        return text
    known = require(projects, ("id", "name"), what="task_view", loader="apitoolkit.glasshat.load_projects()")
    known = known.dropna(subset=["id"]).drop_duplicates("id")
    names = _distinct(known["id"], known["name"].astype("str"))
    return ids.map(pd.Series(names.array, index=known["id"].astype("Int64").array)).astype("str").fillna(text)


def _distinct(ids: pd.Series, names: pd.Series) -> pd.Series:
    """Names shared by several projects (each client's "Main website") followed by the project's id."""
    pairs = pd.DataFrame({"id": ids.astype("Int64"), "name": names}).dropna()
    shared = pairs.groupby("name")["id"].transform("nunique").gt(1)
    labels = pairs["name"].where(~shared, pairs["name"] + " (#" + pairs["id"].astype("str") + ")")
    return labels.reindex(names.index).astype("str")


def _conform(frame: pd.DataFrame) -> pd.DataFrame:
    """The view's columns first, in its dtypes (times UTC, ``completed_at`` only where completed), then the rest."""
    done = frame["is_completed"].astype("boolean").fillna(False)
    coerced = {
        name: to_utc(frame[name]) if dtype == _UTC else frame[name].astype(dtype)
        for name, dtype in _VIEW.items()
        if name != "is_completed"
    }
    coerced["completed_at"] = coerced["completed_at"].where(done)
    coerced["is_completed"] = done
    for name, missing in (("project", _UNKNOWN["project"]), ("assignee", _UNKNOWN["assignee"]), ("participants", "")):
        coerced[name] = coerced[name].fillna(missing)
    extra = [name for name in frame.columns if name not in _VIEW]
    return frame.assign(**coerced)[[*_VIEW, *extra]].reset_index(drop=True)


# --------------------------------------------------------------------------------------------- periods
def _wall_periods(firsts: pd.Series, lasts: pd.Series, freq: str, tz: str, start: Any, end: Any) -> pd.DatetimeIndex:
    """Period starts as wall times in ``tz`` (naive): from ``start``'s period, else the earliest of ``firsts``,
    to ``end``'s period, else the latest of ``lasts``."""
    since = None if start is None else _bound(start, "start", tz)
    until = None if end is None else _bound(end, "end", tz)
    if since is not None and until is not None and since > until:
        raise InvalidArgumentError(f"start={start!r} is after end={end!r}: give start before end.")
    first = firsts.min() if since is None else _period_of(since, freq, tz)
    final = lasts.max() if until is None else _period_of(until, freq, tz)
    if pd.isna(first) and pd.isna(final):
        return pd.DatetimeIndex([], dtype="datetime64[us]")
    if pd.isna(first):
        first = final
    if pd.isna(final):
        final = first
    wall = pd.date_range(first.tz_localize(None), final.tz_localize(None), freq=FREQUENCIES[freq])
    return wall.as_unit("us")


def _bound(value: Any, name: str, tz: str) -> pd.Timestamp:
    """``start`` or ``end`` as a moment; a naive value is a wall time in ``tz``, where the periods are cut."""
    moment = as_timestamp(value, name)
    if pd.Timestamp(value).tzinfo is None:
        return moment.tz_localize(None).tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    return moment


def _period_of(moment: pd.Timestamp, freq: str, tz: str) -> pd.Timestamp:
    return period_start(pd.Series([moment], dtype=_UTC), freq, tz=tz).iloc[0]


def _localize(wall: pd.DatetimeIndex, tz: str) -> pd.DatetimeIndex:
    """Wall times in ``tz`` made aware the way `period_start` does it (across DST changes)."""
    ambiguous = np.ones(len(wall), dtype=bool)
    return wall.tz_localize(tz, ambiguous=ambiguous, nonexistent="shift_forward").as_unit("us")


def _counts(labels: pd.Series, periods: pd.DatetimeIndex) -> pd.arrays.IntegerArray:
    return pd.array(labels.value_counts().reindex(periods, fill_value=0).to_numpy(dtype="int64"), dtype="Int64")
