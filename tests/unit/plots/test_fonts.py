"""Every name draws: the font fallback chain of the plots, and one clear warning when no font has a script."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from apitoolkit.plots import plot_leaderboard, plot_overdue_by_assignee, style
from tests.helpers import figure_of, hitask_items, users

CJK_NAME = ("聡太郎", "中村")
GLYPH = "missing from font"
INSTALL = "install fonts-wqy-microhei (or fonts-noto-cjk) to run the font tests"


def team() -> pd.DataFrame:
    return users([(1, *CJK_NAME, "s@x.io", "Editor", 40), (2, "Ann", "Lee", "a@x.io", "Manager", 30)])


def saved_warnings(figure: Figure) -> list[warnings.WarningMessage]:
    """Save ``figure`` as PNG; the warnings raised meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure.savefig(io.BytesIO(), format="png")
    return caught


def pixels(text: str, family: list[str]) -> np.ndarray:
    """``text`` drawn alone with ``family``, as an RGBA array."""
    figure = Figure(figsize=(3, 1), dpi=100)
    figure.text(0.05, 0.3, text, fontfamily=family, fontsize=20)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=f"Glyph .* {GLYPH}")
        figure.savefig(buffer, format="raw")
    return np.frombuffer(buffer.getvalue(), dtype=np.uint8)


@pytest.fixture
def cjk_font() -> str:
    """The CJK font of the chain (the machine must have one: the CI and `make demo` install it)."""
    fonts = [name for name in style.fallback_fonts() if name in style.CJK_FONTS]
    assert fonts, INSTALL
    return fonts[0]


def test_font_family__dejavu_first_then_the_installed_cjk_font(cjk_font: str) -> None:
    assert style.font_family()[:2] == ["DejaVu Sans", cjk_font]


def test_plot_leaderboard__cjk_names_draw_with_the_cjk_font_and_no_glyph_warning(cjk_font: str) -> None:
    before = list(matplotlib.rcParams["font.family"])
    ax = plot_leaderboard(team())
    names = {label.get_text(): label for label in ax.get_yticklabels()}
    label = names[" ".join(CJK_NAME)]
    assert cjk_font in label.get_fontfamily()
    caught = saved_warnings(figure_of(ax))
    assert not [w for w in caught if GLYPH in str(w.message)]
    assert not [w for w in caught if issubclass(w.category, style.MissingFontWarning)]
    assert list(matplotlib.rcParams["font.family"]) == before  # the chain is given to our text, not set globally


def test_font_chain__glyphs_are_drawn_from_the_cjk_font(cjk_font: str) -> None:
    word = CJK_NAME[0]  # no space: every glyph must come from the CJK font
    chain = style.font_family()
    assert np.array_equal(pixels(word, chain), pixels(word, [cjk_font]))
    assert not np.array_equal(pixels(word, chain), pixels(word, ["DejaVu Sans"]))  # boxes look different


def test_plots__own_figures_of_the_widgets_get_the_chain_too(cjk_font: str) -> None:
    figure = Figure(figsize=(9, 4.8), layout="constrained")  # as apitoolkit.widgets.base draws
    items = hitask_items({"assignee_id": 5, "due_date": "2026-11-01"})
    members = pd.DataFrame({"id": [5], "login": ["sn"], "first_name": [CJK_NAME[0]], "last_name": [CJK_NAME[1]]})
    ax = plot_overdue_by_assignee(items, now="2026-11-23", users=members, ax=figure.subplots())
    assert [t.get_text() for t in ax.get_yticklabels()] == [" ".join(CJK_NAME)]
    assert all(cjk_font in t.get_fontfamily() for t in ax.get_yticklabels())
    assert not [w for w in saved_warnings(figure) if GLYPH in str(w.message)]


def test_use_fonts__text_added_by_hand(cjk_font: str) -> None:
    figure = Figure()
    title = figure.suptitle("報告 " + " ".join(CJK_NAME))
    style.use_fonts(figure)
    assert cjk_font in title.get_fontfamily()
    assert not [w for w in saved_warnings(figure) if GLYPH in str(w.message)]


def test_missing_font__one_warning_naming_the_package_and_no_glyph_warnings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(style, "fallback_fonts", lambda: ())  # a machine without any CJK font
    monkeypatch.setattr(style, "_WARNED", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for path in (tmp_path / "one.png", tmp_path / "two.png"):
            ax = plot_leaderboard(team())
            figure_of(ax).savefig(path)
            assert path.stat().st_size > 0
    missing = [w for w in caught if issubclass(w.category, style.MissingFontWarning)]
    assert len(missing) == 1
    message = str(missing[0].message)
    assert "fonts-noto-cjk" in message and "fonts-wqy-microhei" in message and "聡" in message
    assert issubclass(style.MissingFontWarning, UserWarning)
    assert not [w for w in caught if GLYPH in str(w.message)]


def test_missing_font__latin_names_need_no_warning(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(style, "fallback_fonts", lambda: ())
    monkeypatch.setattr(style, "_WARNED", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = plot_leaderboard(users([(1, "Zoë", "Ødegård", "z@x.io", "Editor", 40)]))
        figure_of(ax).savefig(io.BytesIO(), format="png")
    assert not caught
