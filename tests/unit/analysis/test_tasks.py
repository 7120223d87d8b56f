"""Task activity: Hitask items and Glasshat tasks in one view, throughput, backlog, overdue work, completion times."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pytest

from apitoolkit.analysis.tasks import (
    PRIORITY_BANDS,
    backlog,
    completion_times,
    overdue,
    priority_bands,
    task_view,
    throughput,
    work_by,
)
from apitoolkit.exceptions import InvalidArgumentError
from tests.helpers import glasshat_tasks, hitask_items

HITASK = re.escape("apitoolkit.hitask.load_items()")
GLASSHAT = re.escape("apitoolkit.glasshat.load_tasks()")
UTC = "datetime64[us, UTC]"
VIEW_DTYPES = {
    "source": "str",
    "id": "Int64",
    "title": "str",
    "project": "str",
    "assignee": "str",
    "assignee_id": "Int64",
    "participants": "str",
    "priority": "Int64",
    "created": UTC,
    "completed_at": UTC,
    "due": UTC,
    "is_completed": "boolean",
}


def glasshat_projects(*rows: tuple[int, str]) -> pd.DataFrame:
    """Glasshat projects (id, name) with the loader's dtypes."""
    raw = pd.DataFrame(list(rows), columns=["id", "name"])
    return pd.DataFrame(
        {
            "id": raw["id"].astype("Int64"),
            "client_id": pd.array([1] * len(raw), dtype="Int64"),
            "name": raw["name"].astype("str"),
            "domain": pd.Series(["example.com"] * len(raw), dtype="str"),
            "created": pd.Series([pd.NaT] * len(raw), dtype=UTC),
        }
    )


def at(text: str, tz: str = "UTC") -> pd.Timestamp:
    return pd.Timestamp(text, tz=tz)


def dtypes(frame: pd.DataFrame) -> dict[str, str]:
    return {name: str(dtype) for name, dtype in frame.dtypes.items()}


@pytest.fixture
def late_items() -> pd.DataFrame:
    """Due dates around 2026-11-23 00:00 UTC, assigned to 5, 7 and nobody, in two projects."""
    return hitask_items(
        {"id": 1, "assignee_id": 5, "project_id": 10, "project_title": "Web", "due_date": "2026-11-20 00:00"},
        {"id": 2, "assignee_id": 5, "project_id": 10, "project_title": "Web", "due_date": "2026-11-24 00:00"},
        {"id": 3, "assignee_id": 5, "completed": True, "time_last_update": "2026-11-21", "due_date": "2026-11-10"},
        {"id": 4, "assignee_id": 7, "project_id": 11, "project_title": "CRM"},
        {"id": 5, "assignee_id": 0, "completed": True, "time_last_update": "2026-11-21"},
        {"id": 6, "assignee_id": 0, "project_id": 11, "project_title": "CRM", "due_date": "2026-11-22 12:00"},
    )


# --------------------------------------------------------------------------------------------- task_view
def test_task_view__hitask_keeps_tasks_and_maps_the_columns() -> None:
    items = hitask_items(
        {"id": 1, "category": "project", "title": "Website"},
        {"id": 2, "title": "Write copy", "project_id": 1, "project_title": "Website", "assignee_id": 5,
         "priority": 30000, "completed": True, "time_create": "2026-11-02 09:00",
         "time_last_update": "2026-11-04 17:00", "due_date": "2026-11-06"},
        {"id": 3, "title": "Call Ann", "time_create": "2026-11-03", "time_last_update": "2026-11-05"},
        {"id": 4, "category": "event", "title": "Standup"},
    )  # fmt: skip
    view = task_view(items)
    assert dtypes(view) == VIEW_DTYPES
    assert view["id"].tolist() == [2, 3]
    assert view["source"].tolist() == ["hitask", "hitask"]
    assert view["project"].tolist() == ["Website", "no project"]
    assert view["assignee"].tolist() == ["#5", "unassigned"]  # no users: the id as text; 0 is nobody
    assert view["assignee_id"].tolist()[0] == 5 and view["assignee_id"].isna().iloc[1]
    assert view["participants"].tolist() == ["", ""]
    assert view["created"].tolist() == [at("2026-11-02 09:00"), at("2026-11-03")]
    assert view["completed_at"].iloc[0] == at("2026-11-04 17:00")  # the last update of a completed task
    assert pd.isna(view["completed_at"].iloc[1])  # an open task's last update is no completion
    assert view["due"].iloc[0] == at("2026-11-06") and pd.isna(view["due"].iloc[1])
    assert view["is_completed"].tolist() == [True, False]


def test_task_view__glasshat_statuses_and_project_names() -> None:
    tasks = glasshat_tasks(
        (1, 20, 1, "open", "2026-11-02", None),
        (2, 20, 2, "in_progress", "2026-11-02", None),
        (3, 21, 3, "done", "2026-11-02", "2026-11-03"),
        (4, 99, 4, "dismissed", "2026-11-02", None),
        (5, 99, 5, "done", "2026-11-02", None),
    )
    view = task_view(tasks, projects=glasshat_projects((20, "Main website"), (21, "Blog")))
    assert dtypes(view) == VIEW_DTYPES
    assert view["id"].tolist() == [1, 2, 3, 5]  # dismissed: neither to do nor done
    assert view["is_completed"].tolist() == [False, False, True, True]
    assert view["completed_at"].iloc[2] == at("2026-11-03") and pd.isna(view["completed_at"].iloc[3])
    assert view["project"].tolist() == ["Main website", "Main website", "Blog", "99"]  # unknown id: its text
    assert view["assignee"].eq("unassigned").all() and view["assignee_id"].isna().all() and view["due"].isna().all()
    assert view["priority"].tolist() == [1, 2, 3, 5]
    assert task_view(tasks)["project"].tolist() == ["20", "20", "21", "99"]


def test_task_view__a_name_shared_by_projects_gets_the_id() -> None:
    tasks = glasshat_tasks((1, 20, 1, "open", "2026-11-02", None), (2, 30, 1, "open", "2026-11-02", None))
    projects = glasshat_projects((20, "Main website"), (30, "Main website"), (40, "Blog"))
    assert task_view(tasks, projects=projects)["project"].tolist() == ["Main website (#20)", "Main website (#30)"]
    items = hitask_items({"project_id": 7, "project_title": "Launch"}, {"project_id": 8, "project_title": "Launch"})
    assert task_view(items)["project"].tolist() == ["Launch (#7)", "Launch (#8)"]


def test_task_view__a_view_passes_through_coerced_with_its_extra_columns() -> None:
    view = pd.DataFrame(
        {
            "source": ["hitask"], "id": [1], "title": ["a"], "project": [None], "assignee": [None],
            "priority": [20000], "created": [pd.Timestamp("2026-11-02 10:00")], "completed_at": [None],
            "due": ["2026-11-05T12:00:00+02:00"], "is_completed": [None], "note": ["kept"],
        }
    )  # fmt: skip
    out = task_view(view)
    assert out.columns.tolist() == [*VIEW_DTYPES, "note"]
    assert {k: v for k, v in dtypes(out).items() if k != "note"} == VIEW_DTYPES
    assert out["created"].iloc[0] == at("2026-11-02 10:00")  # naive is UTC
    assert out["due"].iloc[0] == at("2026-11-05 10:00")
    assert out["is_completed"].tolist() == [False]
    assert task_view(task_view(view)).equals(out)


def test_task_view__mixed_time_zones_become_utc() -> None:
    items = hitask_items({}, {}, {})
    items["time_create"] = pd.Series(
        [pd.Timestamp("2026-11-02 10:00", tz="Europe/Berlin"), "2026-11-02T12:00:00+02:00", pd.Timestamp("2026-11-02")],
        dtype=object,
    )
    assert task_view(items)["created"].tolist() == [at("2026-11-02 09:00"), at("2026-11-02 10:00"), at("2026-11-02")]
    assert throughput(items, freq="day")["created"].tolist() == [3]


def test_task_view__empty_frames_keep_the_columns_and_dtypes() -> None:
    assert dtypes(task_view(hitask_items())) == VIEW_DTYPES
    assert dtypes(task_view(glasshat_tasks())) == VIEW_DTYPES
    assert len(task_view(glasshat_tasks(), projects=glasshat_projects())) == 0


def test_task_view__all_missing_columns() -> None:
    items = hitask_items({"title": "a"}, {"title": "b"})
    items["completed"] = pd.array([None, None], dtype="boolean")
    view = task_view(items)
    assert dtypes(view) == VIEW_DTYPES
    assert view["is_completed"].tolist() == [False, False]
    assert view[["assignee_id", "created", "completed_at", "due"]].isna().all().all()
    assert view[["project", "assignee"]].values.tolist() == [["no project", "unassigned"]] * 2
    assert len(throughput(items)) == 0 and len(backlog(items)) == 0 and len(overdue(items)) == 0
    assert work_by(items)["open"].tolist() == [2]


def test_task_view__bad_inputs_name_the_columns_and_the_loaders() -> None:
    with pytest.raises(InvalidArgumentError, match=rf"missing: due_date\. Load the data with {HITASK}"):
        task_view(hitask_items({}).drop(columns="due_date"))
    with pytest.raises(InvalidArgumentError, match=rf"missing: completed\. Load the data with {GLASSHAT}"):
        task_view(glasshat_tasks().drop(columns="completed"))
    with pytest.raises(ValueError, match=rf"Hitask items \(from {HITASK}.*Glasshat tasks \(from {GLASSHAT}"):
        task_view(pd.DataFrame({"id": [1], "title": ["a"], "priority": [1]}))
    with pytest.raises(InvalidArgumentError, match=rf"missing: title, priority.*{HITASK} or {GLASSHAT}"):
        throughput(pd.DataFrame({"id": [1]}))
    with pytest.raises(InvalidArgumentError, match=rf"throughput needs a DataFrame.*{HITASK} or {GLASSHAT}.*not list"):
        throughput([{"id": 1}])
    with pytest.raises(InvalidArgumentError, match="projects= names Glasshat projects"):
        task_view(hitask_items(), projects=glasshat_projects())
    with pytest.raises(InvalidArgumentError, match=r"missing: name\. .*glasshat\.load_projects\(\)"):
        task_view(glasshat_tasks(), projects=pd.DataFrame({"id": [1]}))


def team_members(*rows: tuple[int, str | None, str | None, str | None]) -> pd.DataFrame:
    """Hitask team members (id, first_name, last_name, login) with the loader's dtypes."""
    raw = pd.DataFrame(list(rows), columns=["id", "first_name", "last_name", "login"])
    return raw.astype({"id": "Int64", "first_name": "str", "last_name": "str", "login": "str"})


TEAM = team_members(
    (5, "Ann", "Lee", "ann"), (7, None, " ", "bo.k"), (8, "聡太郎", "中村", "sota"), (9, "Ann", "Lee", "ann2"),
    (10, None, None, None),
)  # fmt: skip


def test_task_view__users_name_assignees_once_with_fallbacks() -> None:
    items = hitask_items(*({"assignee_id": i} for i in (5, 7, 8, 9, 10, 11, 0, None)))
    view = task_view(items, users=TEAM)
    assert view["assignee"].tolist() == [
        "Ann Lee (#5)", "bo.k", "聡太郎 中村", "Ann Lee (#9)", "#10", "#11", "unassigned", "unassigned",
    ]  # fmt: skip  # a shared name gets the id; no name: the login; no login or unknown: "#id"
    assert view["assignee_id"].tolist()[:6] == [5, 7, 8, 9, 10, 11] and view["assignee_id"].iloc[6:].isna().all()
    assert dtypes(view) == VIEW_DTYPES
    assert task_view(items, users=TEAM.iloc[:0])["assignee"].tolist()[:2] == ["#5", "#7"]


def test_task_view__participants_as_names() -> None:
    items = hitask_items({"category": "event"}, {}, {}, {}, {})  # the event is left out: rows shift by one
    lists = [[5], [5, 8], [], None, [11, 0, 7]]
    items["participants"] = pd.Series(lists, dtype=pd.ArrowDtype(pa.list_(pa.int64())))
    view = task_view(items, users=TEAM)
    assert view["participants"].tolist() == ["Ann Lee (#5), 聡太郎 中村", "", "", "#11, bo.k"]
    assert task_view(items)["participants"].tolist() == ["#5, #8", "", "", "#11, #7"]
    items["participants"] = pd.Series(lists, dtype=object)  # plain lists work too
    assert task_view(items, users=TEAM)["participants"].tolist()[0] == "Ann Lee (#5), 聡太郎 中村"
    items["participants"] = pd.Series(["5,8"] * 5, dtype=object)
    with pytest.raises(InvalidArgumentError, match=r"'participants' must hold lists of Hitask user ids"):
        task_view(items)


def test_task_view__a_view_keeps_its_names_and_users_name_an_old_numeric_view() -> None:
    items = hitask_items({"assignee_id": 8}, {"assignee_id": 12}, {"assignee_id": 0})
    named = task_view(items, users=TEAM)
    assert task_view(named).equals(named)  # names given before stay
    assert task_view(named, users=TEAM.iloc[:0]).equals(named)  # an id the users lack keeps its name
    old = named.drop(columns=["assignee_id", "participants"]).assign(assignee=pd.array([8, 12, None], dtype="Int64"))
    relabelled = task_view(old, users=TEAM)
    assert relabelled["assignee"].tolist() == ["聡太郎 中村", "#12", "unassigned"]
    assert relabelled["assignee_id"].tolist()[:2] == [8, 12]


def test_overdue_and_work_by__pass_users_on(late_items: pd.DataFrame) -> None:
    late = overdue(late_items, now="2026-11-23", users=TEAM)
    assert late["assignee"].tolist() == ["Ann Lee (#5)", "unassigned"]
    assert late["assignee_id"].tolist()[0] == 5
    table = work_by(late_items, now="2026-11-23", users=TEAM)
    assert table["assignee"].tolist() == ["Ann Lee (#5)", "unassigned", "bo.k"]
    assert work_by(late_items, by="project", now="2026-11-23", users=TEAM)["project"].tolist()[-1] == "no project"


def test_task_view__bad_users_name_the_loader() -> None:
    with pytest.raises(InvalidArgumentError, match=r"task_view needs a DataFrame.*load_team_members\(\).*not dict"):
        task_view(hitask_items(), users={5: "Ann"})
    with pytest.raises(InvalidArgumentError, match=r"overdue needs the columns id, first_name, last_name; missing"):
        overdue(hitask_items(), users=pd.DataFrame({"id": [5]}))


# --------------------------------------------------------------------------------------------- priority_bands
def test_priority_bands__the_documented_ranges_and_nothing_for_glasshat() -> None:
    priorities = [9999, 10000, 19999, 20000, 29999, 30000, 45000, None]
    out = priority_bands(hitask_items(*({"priority": p} for p in priorities)))
    assert out["priority_band"].astype(object).where(out["priority_band"].notna(), None).tolist() == [
        None, "low", "low", "normal", "normal", "high", "high", None,
    ]  # fmt: skip
    band = out["priority_band"]
    assert band.cat.ordered and band.cat.categories.tolist() == ["low", "normal", "high"]
    assert (band.min(), band.max()) == ("low", "high")  # in rank, not alphabetical
    assert PRIORITY_BANDS["normal"] == (20000, 29999)
    glasshat = priority_bands(glasshat_tasks((1, 20, 1, "open", "2026-11-02", None)))
    assert glasshat["priority_band"].isna().all()
    empty = priority_bands(hitask_items())
    assert str(empty["priority_band"].dtype) == "category" and empty["priority_band"].cat.ordered


# --------------------------------------------------------------------------------------------- throughput
def test_throughput__created_and_completed_per_week_with_empty_weeks(week_items: pd.DataFrame) -> None:
    out = throughput(week_items)
    assert dtypes(out) == {"period": UTC, "created": "Int64", "completed": "Int64"}
    assert out["period"].tolist() == [at("2026-11-02"), at("2026-11-09"), at("2026-11-16")]
    assert out["created"].tolist() == [2, 0, 1]
    assert out["completed"].tolist() == [0, 0, 1]


def test_throughput__weeks_cut_in_another_zone(week_items: pd.DataFrame) -> None:
    out = throughput(week_items, tz="Asia/Tokyo")
    assert str(out["period"].dtype) == "datetime64[us, Asia/Tokyo]"
    assert out["period"].tolist() == [at("2026-11-02", "Asia/Tokyo"), at("2026-11-09", "Asia/Tokyo"),
                                      at("2026-11-16", "Asia/Tokyo")]  # fmt: skip
    assert out["created"].tolist() == [1, 1, 1]


def test_throughput__start_and_end_choose_the_periods(week_items: pd.DataFrame) -> None:
    out = throughput(week_items, start="2026-10-28", end="2026-11-30")
    assert out["period"].tolist() == [at(d) for d in ("2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16",
                                                       "2026-11-23", "2026-11-30")]  # fmt: skip
    assert out["created"].tolist() == [0, 2, 0, 1, 0, 0]
    assert throughput(week_items, start="2026-11-09")["created"].tolist() == [0, 1]
    months = throughput(hitask_items(), freq="month", start="2026-01-15", end="2026-03-01")
    assert months["period"].tolist() == [at("2026-01-01"), at("2026-02-01"), at("2026-03-01")]
    assert months["created"].tolist() == [0, 0, 0]


def test_throughput__a_naive_start_is_read_in_tz_an_aware_one_as_given() -> None:
    items = hitask_items({"time_create": "2026-11-04 15:00"})  # 10:00 in New York
    ny = "America/New_York"
    assert throughput(items, freq="day", start="2026-11-03", tz=ny)["period"].tolist() == [
        at("2026-11-03", ny), at("2026-11-04", ny),
    ]  # fmt: skip
    aware = throughput(items, freq="day", start="2026-11-03 00:00+00:00", tz=ny)  # 2 Nov 19:00 in New York
    assert aware["period"].tolist() == [at("2026-11-02", ny), at("2026-11-03", ny), at("2026-11-04", ny)]
    assert aware["created"].tolist() == [0, 0, 1]


def test_throughput__months_across_a_dst_change() -> None:
    items = hitask_items({"time_create": "2026-03-31 22:30"}, {"time_create": "2026-03-01 00:30"})
    out = throughput(items, freq="month", tz="Europe/Berlin")  # 1 Apr 00:30 and 1 Mar 01:30 in Berlin
    assert out["period"].tolist() == [at("2026-03-01", "Europe/Berlin"), at("2026-04-01", "Europe/Berlin")]
    assert out["created"].tolist() == [1, 1]


def test_throughput__single_row_and_empty_frames() -> None:
    one = throughput(hitask_items({"time_create": "2026-11-04 08:00"}), freq="day")
    assert one["period"].tolist() == [at("2026-11-04")] and one["created"].tolist() == [1]
    assert one["completed"].tolist() == [0]
    empty = throughput(glasshat_tasks(), tz="Europe/Berlin")
    assert len(empty) == 0
    assert dtypes(empty) == {"period": "datetime64[us, Europe/Berlin]", "created": "Int64", "completed": "Int64"}


def test_throughput__bad_arguments(week_items: pd.DataFrame) -> None:
    with pytest.raises(InvalidArgumentError, match="day, week, month"):
        throughput(week_items, freq="fortnight")
    with pytest.raises(InvalidArgumentError, match="IANA"):
        throughput(week_items, tz="Mars/Olympus")
    with pytest.raises(InvalidArgumentError, match="give start before end"):
        throughput(week_items, start="2026-12-01", end="2026-11-01")
    with pytest.raises(InvalidArgumentError, match="start='soon' is not a date"):
        throughput(week_items, start="soon")


# --------------------------------------------------------------------------------------------- backlog
def test_backlog__open_at_the_end_of_each_day() -> None:
    items = hitask_items(
        {"time_create": "2026-11-02 09:00", "completed": True, "time_last_update": "2026-11-04 09:00"},
        {"time_create": "2026-11-03 09:00"},
        {"time_create": "2026-11-03 10:00", "completed": True, "time_last_update": "2026-11-03 18:00"},
        {"time_create": "2026-11-02 09:00", "completed": True},  # closed, but when is unknown: left out
        {},  # never created: left out
    )
    out = backlog(items)
    assert dtypes(out) == {"period": UTC, "open": "Int64"}
    assert out["period"].tolist() == [at("2026-11-02"), at("2026-11-03"), at("2026-11-04")]
    assert out["open"].tolist() == [1, 2, 1]
    assert backlog(items, end="2026-11-06")["open"].tolist() == [1, 2, 1, 1, 1]
    assert backlog(items, start="2026-11-03", end="2026-11-03")["open"].tolist() == [2]
    assert backlog(items, freq="week")["open"].tolist() == [1]


def test_backlog__a_period_ends_at_the_next_midnight_exclusive() -> None:
    items = hitask_items(
        {"time_create": "2026-11-02 12:00", "completed": True, "time_last_update": "2026-11-04 00:00"},
        {"time_create": "2026-11-03 00:00"},
        {"time_create": "2026-11-03 00:00", "completed": True, "time_last_update": "2026-11-03 00:00"},
    )
    # end of 2 Nov: the second is not yet created; end of 3 Nov: the first is completed exactly then;
    # the third, completed as it was created, is never open
    assert backlog(items)["open"].tolist() == [1, 1, 1]


def test_backlog__days_in_another_zone_across_dst() -> None:
    items = hitask_items({"time_create": "2026-03-28 23:30"})  # Sunday 00:30 in Berlin
    out = backlog(items, tz="Europe/Berlin", end="2026-03-30 12:00")
    assert out["period"].tolist() == [at("2026-03-29", "Europe/Berlin"), at("2026-03-30", "Europe/Berlin")]
    assert [p.utcoffset() for p in out["period"]] == [pd.Timedelta(hours=1), pd.Timedelta(hours=2)]
    assert out["open"].tolist() == [1, 1]
    assert backlog(items)["period"].tolist() == [at("2026-03-28")]


def test_backlog__completion_before_creation_counts_at_creation() -> None:
    tasks = glasshat_tasks(
        (1, 20, 1, "done", "2026-11-03 09:00", "2026-11-01 09:00"),
        (2, 20, 1, "open", "2026-11-02 09:00", None),
    )
    assert backlog(tasks)["open"].tolist() == [1, 1]


def test_backlog__single_row_and_empty_frames() -> None:
    assert backlog(glasshat_tasks((1, 20, 1, "open", "2026-11-02", None)))["open"].tolist() == [1]
    empty = backlog(hitask_items(), tz="Asia/Tokyo")
    assert len(empty) == 0 and dtypes(empty) == {"period": "datetime64[us, Asia/Tokyo]", "open": "Int64"}
    with pytest.raises(InvalidArgumentError, match="day, week, month"):
        backlog(hitask_items(), freq="hour")


# --------------------------------------------------------------------------------------------- overdue
def test_overdue__due_before_now_and_open_most_overdue_first(late_items: pd.DataFrame) -> None:
    out = overdue(late_items, now="2026-11-23")
    assert out.columns.tolist() == [*VIEW_DTYPES, "days_overdue"]
    assert out["id"].tolist() == [1, 6]
    assert out["days_overdue"].tolist() == [3, 1]  # whole calendar days: 20 -> 23 Nov, 22 (noon) -> 23 Nov
    assert str(out["days_overdue"].dtype) == "Int64"
    assert overdue(late_items, now="2026-11-23T01:00:00+01:00")["days_overdue"].tolist() == [3, 1]
    later = overdue(late_items, now="2026-11-25 23:59")
    assert later[["id", "days_overdue"]].values.tolist() == [[1, 5], [6, 3], [2, 1]]


def test_overdue__calendar_days_ties_by_due_time_then_id() -> None:
    items = hitask_items(
        {"due_date": "2026-11-20 18:00"}, {"due_date": "2026-11-20 06:00"}, {"due_date": "2026-11-20 06:00"},
        {"due_date": "2026-11-23 07:00"}, {"due_date": "2026-11-23 09:00"},
    )  # fmt: skip
    out = overdue(items, now="2026-11-23 08:00")
    assert out[["id", "days_overdue"]].values.tolist() == [[2, 3], [3, 3], [1, 3], [4, 0]]  # 5 is not yet due
    assert out["assignee"].tolist() == ["unassigned"] * 4 and out["project"].tolist() == ["no project"] * 4


def test_overdue__empty_glasshat_and_current_time() -> None:
    empty = overdue(hitask_items(), now="2026-11-23")
    assert len(empty) == 0 and dtypes(empty) == {**VIEW_DTYPES, "days_overdue": "Int64"}
    assert len(overdue(glasshat_tasks((1, 20, 1, "open", "2026-11-02", None)))) == 0  # no due dates
    long_ago = overdue(hitask_items({"due_date": "2000-01-01"}))
    assert long_ago["days_overdue"].iloc[0] > 9000
    with pytest.raises(InvalidArgumentError, match="now='later' is not a date"):
        overdue(hitask_items(), now="later")


# --------------------------------------------------------------------------------------------- work_by
def test_work_by__per_assignee_most_open_first(late_items: pd.DataFrame) -> None:
    out = work_by(late_items, now="2026-11-23")
    assert dtypes(out) == {"assignee": "str", "open": "Int64", "completed": "Int64", "overdue": "Int64",
                           "total": "Int64"}  # fmt: skip
    assert out.values.tolist() == [["#5", 2, 1, 1, 3], ["unassigned", 1, 1, 1, 2], ["#7", 1, 0, 0, 1]]


def test_work_by__per_project(late_items: pd.DataFrame) -> None:
    out = work_by(late_items, by="project", now="2026-11-23")
    assert out["project"].tolist() == ["CRM", "Web", "no project"]
    assert out[["open", "completed", "overdue", "total"]].values.tolist() == [[2, 0, 1, 2], [2, 0, 1, 2], [0, 2, 0, 2]]


def test_work_by__empty_single_row_and_bad_by() -> None:
    empty = work_by(glasshat_tasks(), by="project")
    assert len(empty) == 0
    assert dtypes(empty) == {"project": "str", "open": "Int64", "completed": "Int64", "overdue": "Int64",
                             "total": "Int64"}  # fmt: skip
    one = work_by(glasshat_tasks((1, 20, 1, "done", "2026-11-02", "2026-11-03")), by="project")
    assert one.values.tolist() == [["20", 0, 1, 0, 1]]
    with pytest.raises(InvalidArgumentError, match="by='owner': use one of assignee, project"):
        work_by(hitask_items(), by="owner")


# --------------------------------------------------------------------------------------------- completion_times
def test_completion_times__days_from_creation_to_completion() -> None:
    tasks = glasshat_tasks(
        (1, 20, 1, "done", "2026-11-02 00:00", "2026-11-03 12:00"),
        (2, 20, 1, "done", "2026-11-05 00:00", "2026-11-04 00:00"),  # completed before created: dropped
        (3, 20, 1, "open", "2026-11-02 00:00", None),
        (4, 20, 1, "done", "2026-11-02 00:00", "2026-11-02 00:00"),
        (5, 20, 1, "done", None, "2026-11-02 00:00"),
    )
    out = completion_times(tasks)
    assert out.columns.tolist() == ["id", "title", "project", "assignee", "created", "completed_at", "days_to_complete"]
    assert out["id"].tolist() == [1, 4]
    assert out["days_to_complete"].tolist() == [1.5, 0.0]
    assert str(out["days_to_complete"].dtype) == "float64"


def test_completion_times__hitask_single_row_and_empty() -> None:
    one = hitask_items({"completed": True, "time_create": "2026-11-02 06:00", "time_last_update": "2026-11-02 12:00"})
    assert completion_times(one)["days_to_complete"].tolist() == [0.25]
    empty = completion_times(hitask_items())
    assert len(empty) == 0
    assert str(empty["days_to_complete"].dtype) == "float64" and str(empty["completed_at"].dtype) == UTC
