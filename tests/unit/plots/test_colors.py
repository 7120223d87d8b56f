"""Colours that keep their meaning: fixed per role and action, stable for any other name, in every process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from matplotlib.colors import to_rgba

from apitoolkit.exceptions import InvalidArgumentError
from apitoolkit.plots import plot_leaderboard, plot_points_over_time
from apitoolkit.plots.style import ACTION_COLORS, ROLE_COLORS, category_colors
from tests.helpers import TEAM, WEEKS, legend_texts, metrics, users


def bar_colours(ax: object, label: str) -> set[tuple[float, ...]]:
    """The face colours of the bars of the series labelled ``label``."""
    containers = [c for c in ax.containers if c.get_label() == label]  # type: ignore[attr-defined]
    return {tuple(bar.get_facecolor()) for container in containers for bar in container}


def test_category_colors__known_roles_and_actions_are_fixed() -> None:
    assert category_colors(["Editor", "Manager"], kind="role") == {"Editor": "#0077BB", "Manager": "#CC3311"}
    assert category_colors(["viewed", "created"]) == {"viewed": ACTION_COLORS["viewed"], "created": "#0077BB"}
    assert category_colors(["Read-only", "Editor"])["Editor"] == category_colors(["Editor"])["Editor"]
    assert len(set(ROLE_COLORS.values())) == len(ROLE_COLORS) and len(set(ACTION_COLORS.values())) == 3
    with pytest.raises(InvalidArgumentError, match="kind='team'"):
        category_colors(["x"], kind="team")


def test_category_colors__other_names_get_the_same_colour_in_every_process() -> None:
    names = ["Contractor", "Auditor", "聡太郎"]
    here = category_colors(names)
    assert set(here) == set(names) and category_colors(names) == here
    code = f"from apitoolkit.plots.style import category_colors; print(category_colors({names!r}))"
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == repr(here)


def test_plot_leaderboard__a_role_keeps_its_colour_when_filtered() -> None:
    everyone = plot_leaderboard(users(TEAM))
    editors = plot_leaderboard(users(TEAM), roles=["Editor"])
    assert bar_colours(everyone, "Editor") == bar_colours(editors, "Editor") == {to_rgba(ROLE_COLORS["Editor"])}
    managers = plot_leaderboard(users(TEAM), roles=["Manager"], top=1)
    assert bar_colours(managers, "Manager") == bar_colours(everyone, "Manager")


def test_plot_leaderboard__colors_override_the_fixed_ones() -> None:
    ax = plot_leaderboard(users(TEAM), colors={"Editor": "black"})
    assert bar_colours(ax, "Editor") == {to_rgba("black")}
    assert bar_colours(ax, "Manager") == {to_rgba(ROLE_COLORS["Manager"])}


def test_plot_points_over_time__actions_in_order_with_fixed_colours() -> None:
    ax = plot_points_over_time(metrics(WEEKS), end="2026-11-22")
    assert legend_texts(ax) == ["created", "edited", "viewed"]
    assert [c.get_label() for c in ax.containers] == ["created", "edited", "viewed"]
    for action, colour in ACTION_COLORS.items():
        assert bar_colours(ax, action) == {to_rgba(colour)}
    custom = plot_points_over_time(metrics(WEEKS), colors={"viewed": "black"})
    assert bar_colours(custom, "viewed") == {to_rgba("black")}
