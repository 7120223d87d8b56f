"""What every plot shares: colours that survive colour blindness, fonts for every script, period axes, legends."""

from __future__ import annotations

import functools
import hashlib
import math
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import NullLocator

from apitoolkit.exceptions import InvalidArgumentError, MissingFontWarning

__all__ = [
    "ACTION_COLORS",
    "PALETTE",
    "PARTIAL_HATCH",
    "ROLE_COLORS",
    "URGENCY",
    "MissingFontWarning",
    "axes",
    "category_colors",
    "colors",
    "date_axis",
    "empty",
    "finish",
    "font_family",
    "legend_outside",
    "partial_handle",
    "period_axis",
    "use_fonts",
]

# Seven colours (Okabe & Ito and Paul Tol hues) chosen so that every pair stays apart (CAM02-UCS distance above
# 20) with normal vision and under simulated deuteranopia, protanopia and tritanopia, and none is faint on white.
PALETTE = ("#0077BB", "#E69F00", "#4D0013", "#33BBEE", "#CC3311", "#1B3A6B", "#999999")
# From most to least urgent (expired, 0-30, 31-60, 61-90, later): wine, red, amber, sky blue, navy. Neighbours
# differ in lightness as well as hue, so they stay apart for colour-blind readers; the amber is dark enough on white.
URGENCY = ("#4D0013", "#CC3311", "#F6B04B", "#5E9ED6", "#1B3A6B")
NO_ROLE = "(no role)"
# IT Glue's roles (and users without one) keep their colour whatever a chart is filtered to.
ROLE_COLORS = {
    "Administrator": "#4D0013",
    "Manager": "#CC3311",
    "Editor": "#0077BB",
    "Creator": "#E69F00",
    "Lite": "#33BBEE",
    "Read-only": "#1B3A6B",
    NO_ROLE: "#999999",
}
# Reputation actions, in the order they are always stacked and listed.
ACTION_COLORS = {"created": "#0077BB", "edited": "#E69F00", "viewed": "#33BBEE"}
_KNOWN = {"role": ROLE_COLORS, "action": ACTION_COLORS}
FIGSIZE = (9.0, 4.8)  # inches; readable on a report page at 100 dpi
PARTIAL_HATCH = "//"  # the period still running (or cut by the end of the data) is drawn with this hatch
MAX_PERIOD_TICKS = 12  # more periods than this get a tick every few periods, still on period starts

# Font fallback: DejaVu Sans (matplotlib's own, Latin, Greek, Cyrillic), then the first CJK font found, then fonts
# for other scripts. matplotlib draws each glyph with the first font in the list that has it.
FIRST_FONT = "DejaVu Sans"
CJK_FONTS = (
    "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK KR", "Source Han Sans JP",
    "Source Han Sans SC", "Source Han Sans TC", "Source Han Sans K", "Source Han Sans", "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei", "Droid Sans Fallback", "Noto Sans JP", "Noto Sans SC", "IPAexGothic", "IPAGothic",
    "TakaoGothic", "VL Gothic", "Unifont",
)  # fmt: skip
OTHER_SCRIPT_FONTS = (
    "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans Thai", "Noto Sans Devanagari", "Noto Sans Bengali",
    "Noto Sans Tamil", "Noto Sans Telugu", "Noto Sans Gujarati", "Noto Sans Gurmukhi", "Noto Sans Kannada",
    "Noto Sans Malayalam", "Noto Sans Sinhala", "Noto Sans Khmer", "Noto Sans Lao", "Noto Sans Myanmar",
    "Noto Sans Georgian", "Noto Sans Armenian", "Noto Sans Ethiopic", "Noto Sans Symbols", "Noto Sans Symbols2",
)  # fmt: skip
CJK_PACKAGES = "`sudo apt-get install fonts-noto-cjk` (or the smaller fonts-wqy-microhei)"
OTHER_PACKAGES = "`sudo apt-get install fonts-noto-core`"
_GLYPH_WARNING = r"Glyph .* missing from font"
_WARNED: set[str] = set()  # MissingFontWarning is given once per process


def axes(ax: Axes | None, *, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """``ax``, or new Axes on a new figure of report size (shown by Jupyter; never `plt.show()` here).

    The figure gets the constrained layout when it has no layout engine, so long labels, colour bars and legends
    outside the Axes are not cut off when it is saved (a layout the caller chose is kept).

    Example:
        >>> a = axes(None); a.figure.get_size_inches().tolist()
        [9.0, 4.8]
    """
    if ax is not None:
        figure = ax.get_figure(root=True)
        if figure is not None and figure.get_layout_engine() is None:
            figure.set_layout_engine("constrained")
        return ax
    _, created = plt.subplots(figsize=figsize, layout="constrained")
    return created


def colors(n: int, palette: Sequence[str] = PALETTE) -> list[str]:
    """``n`` colours from ``palette``, cycling when there are more series than colours.

    Example:
        >>> colors(2)
        ['#0077BB', '#E69F00']
    """
    return [palette[i % len(palette)] for i in range(n)]


def _stable_color(name: str) -> str:
    """A colour of ``PALETTE`` picked by a hash of ``name``: the same in every process (unlike ``hash()``)."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def category_colors(categories: Iterable[Any], *, kind: str | None = None) -> dict[str, str]:
    """A fixed colour per category, so a category keeps its colour however a chart is filtered.

    IT Glue roles (``kind="role"``) and the reputation actions created, edited and viewed (``kind="action"``)
    have fixed colours (``ROLE_COLORS``, ``ACTION_COLORS``); with ``kind=None`` both are looked up. Any other
    category gets a colour of ``PALETTE`` chosen from its name, the same in every process (two unknown names can
    share one).

    Args:
        categories: The category names (converted to text).
        kind: ``"role"``, ``"action"`` or None (either).

    Returns:
        Category name -> colour (hex), in the order given.

    Example:
        >>> category_colors(["Editor", "viewed"])
        {'Editor': '#0077BB', 'viewed': '#33BBEE'}
    """
    if kind is not None and kind not in _KNOWN:
        raise InvalidArgumentError(f"kind={kind!r}: use one of {', '.join(_KNOWN)}, or None for either.")
    known = {name: color for group in ([kind] if kind else _KNOWN) for name, color in _KNOWN[group].items()}
    return {str(name): known.get(str(name)) or _stable_color(str(name)) for name in categories}


def _fallback_candidates() -> frozenset[str]:
    """The font family names matplotlib can use, after adding system fonts its font cache does not list yet.

    matplotlib's font cache is built once: a font package installed later (such as fonts-wqy-microhei) is not in
    it, so system fonts it lacks are added (to the font manager, not to ``rcParams``).
    """
    manager = font_manager.fontManager
    names = {entry.name for entry in manager.ttflist}
    if names.isdisjoint(CJK_FONTS):
        listed = {str(Path(entry.fname)) for entry in manager.ttflist}
        for path in font_manager.findSystemFonts():
            if str(Path(path)) not in listed:
                try:
                    manager.addfont(path)
                except (OSError, RuntimeError, ValueError):
                    continue  # not a font matplotlib can read
        names = {entry.name for entry in manager.ttflist}
    return frozenset(names)


@functools.cache
def fallback_fonts() -> tuple[str, ...]:
    """The installed fonts used after DejaVu Sans: the first CJK font found, then fonts of other scripts.

    Example:
        >>> isinstance(fallback_fonts(), tuple)
        True
    """
    installed = _fallback_candidates()
    cjk = [name for name in CJK_FONTS if name in installed][:1]
    return (*cjk, *(name for name in OTHER_SCRIPT_FONTS if name in installed))


def font_family() -> list[str]:
    """The font fallback chain every plot's text uses: DejaVu Sans, then the installed CJK and other fonts.

    Give it to text drawn outside the plot functions: ``fig.suptitle(name, fontfamily=font_family())``.

    Example:
        >>> font_family()[0]
        'DejaVu Sans'
    """
    return [FIRST_FONT, *fallback_fonts()]


@functools.cache
def _coverage(families: tuple[str, ...]) -> frozenset[int]:
    """The code points the fonts of ``families`` can draw together."""
    points: set[int] = set()
    for family in families:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        except ValueError:
            continue
        points.update(font_manager.get_font(path).get_charmap())
    return frozenset(points)


def _needs_cjk(characters: Iterable[str]) -> bool:
    return any(unicodedata.name(c, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL")) for c in characters)


def _warn_missing(characters: set[str]) -> None:
    if "missing-font" in _WARNED:
        return
    _WARNED.add("missing-font")
    sample = ", ".join(sorted(characters)[:5])
    packages = CJK_PACKAGES if _needs_cjk(characters) else OTHER_PACKAGES
    warnings.warn(
        f"Some labels have characters no installed font can draw ({sample}): they show as boxes. Install a font "
        f"that has them (Debian/Ubuntu: {packages}) and restart Python.",
        MissingFontWarning,
        stacklevel=4,
    )


class _QuietDraw:
    """A figure's ``draw`` that hides matplotlib's per-glyph warnings (MissingFontWarning said it once)."""

    def __init__(self, draw: Callable[..., Any]) -> None:
        self.draw = draw

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_GLYPH_WARNING, category=UserWarning)
            return self.draw(*args, **kwargs)


def use_fonts(target: Axes | Figure | SubFigure) -> None:
    """Give every text of ``target``'s figure the font fallback chain, so names in any installed script draw.

    Every plot function calls it on its figure; call it on a figure whose text you add yourself. When a text needs
    a font that is not installed, one ``MissingFontWarning`` per process names the package to install, and this
    figure no longer repeats matplotlib's warning for every missing glyph.

    Example:
        >>> a = axes(None); _ = a.set_title("聡太郎 中村"); use_fonts(a); a.title.get_fontfamily()[-1] != ""
        True
    """
    figure = target.get_figure(root=True) if not isinstance(target, Figure) else target
    if figure is None:
        return
    chain = font_family()
    texts = [text for text in figure.findobj(Text) if isinstance(text, Text)]
    families: set[str] = set()
    for text in texts:
        current = list(text.get_fontfamily())
        text.set_fontfamily([*current, *(name for name in chain if name not in current)])
        families.update(text.get_fontfamily())
    drawable = _coverage(tuple(sorted(families | set(chain))))
    missing = {c for text in texts for c in text.get_text() if not c.isspace() and ord(c) not in drawable}
    if missing:
        _warn_missing(missing)
        if not isinstance(vars(figure).get("draw"), _QuietDraw):
            figure.draw = _QuietDraw(figure.draw)  # type: ignore[method-assign]


def finish(ax: Axes, *, title: str, xlabel: str, ylabel: str) -> Axes:
    """Set the title and axis labels (with units) every plot must have, and the fonts of all text; returns ``ax``.

    Example:
        >>> finish(axes(None), title="T", xlabel="Day", ylabel="Events (count)").get_title()
        'T'
    """
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    use_fonts(ax)
    return ax


def empty(ax: Axes | None, *, title: str, xlabel: str, ylabel: str, message: str = "No data") -> Axes:
    """Labelled Axes with ``message`` in the middle: what a plot of an empty frame draws.

    Example:
        >>> empty(None, title="T", xlabel="x", ylabel="y").texts[0].get_text()
        'No data'
    """
    target = axes(ax)
    target.text(0.5, 0.5, message, transform=target.transAxes, ha="center", va="center", color="0.4")
    target.set_xticks([])
    target.set_yticks([])
    return finish(target, title=title, xlabel=xlabel, ylabel=ylabel)


def date_axis(ax: Axes, *, tz: Any = None) -> Axes:
    """Concise date ticks on the x axis (``Nov``, ``23``, ``2026``), in ``tz`` when given.

    Example:
        >>> date_axis(axes(None)).xaxis.get_major_formatter().__class__.__name__
        'ConciseDateFormatter'
    """
    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    # The year goes under the month where a month starts ("Jan / 2027"), not as a corner offset ("2027-Mar")
    # that reads like one more tick.
    formatter = mdates.ConciseDateFormatter(locator, tz=tz, show_offset=False)
    formatter.zero_formats = ["", "%Y", "%b\n%Y", "%d %b", "%H:%M", "%H:%M"]
    ax.xaxis.set_major_formatter(formatter)
    return ax


def as_utc_naive(periods: Any) -> pd.DatetimeIndex:
    """Period starts as naive UTC times (how matplotlib places dates); naive input is taken as UTC already.

    Example:
        >>> as_utc_naive(pd.to_datetime(["2026-11-02"]).tz_localize("Asia/Tokyo"))[0]
        Timestamp('2026-11-01 15:00:00')
    """
    index = pd.DatetimeIndex(periods)
    return index.tz_convert("UTC").tz_localize(None) if index.tz is not None else index


def _period_label(start: pd.Timestamp, previous: pd.Timestamp | None, freq: str) -> str:
    """``05 Oct`` (``Oct`` for months), with the year below on the first tick and where the year changes."""
    text = f"{start:%b}" if freq == "month" else f"{start:%d %b}"
    return f"{text}\n{start:%Y}" if previous is None or previous.year != start.year else text


def period_axis(ax: Axes, periods: Any, freq: str, *, max_ticks: int = MAX_PERIOD_TICKS) -> Axes:
    """Ticks on the period starts (Mondays for weeks, the 1st for months) with month names, none past the last.

    ``periods`` are the period starts, naive (UTC) or zone-aware (labelled in their own zone). With more than
    ``max_ticks`` periods, every k-th period gets a tick, counted from the first.

    Example:
        >>> a = period_axis(axes(None), pd.date_range("2026-09-28", periods=3, freq="W-MON"), "week")
        >>> [t.get_text() for t in a.get_xticklabels()]
        ['28 Sep\\n2026', '05 Oct', '12 Oct']
    """
    starts = pd.DatetimeIndex(periods)
    step = max(1, math.ceil(len(starts) / max_ticks))
    shown = starts[::step]
    labels = [_period_label(start, shown[i - 1] if i else None, freq) for i, start in enumerate(shown)]
    ax.set_xticks(mdates.date2num(as_utc_naive(shown).to_pydatetime()), labels)
    ax.xaxis.set_minor_locator(NullLocator())
    return ax


def period_end(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    """The start of the period after the one starting at ``start`` (wall time, so months and DST are right).

    Example:
        >>> period_end(pd.Timestamp("2026-02-01"), "month")
        Timestamp('2026-03-01 00:00:00')
    """
    return start + (pd.DateOffset(months=1) if freq == "month" else pd.Timedelta(days=7 if freq == "week" else 1))


def line_period_axis(ax: Axes, periods: Any, freq: str, *, data_end: pd.Timestamp) -> Axes:
    """`period_axis` for lines drawn at period starts; a last period running past ``data_end`` is shaded.

    The shade is hatched and labelled "partial week" (or day, month) for the legend.

    Example:
        >>> weeks = pd.date_range("2026-11-02", periods=2, freq="W-MON", tz="UTC")
        >>> a = line_period_axis(axes(None), weeks, "week", data_end=pd.Timestamp("2026-11-11", tz="UTC"))
        >>> [p.get_label() for p in a.patches]
        ['partial week']
    """
    starts = pd.DatetimeIndex(periods)
    finish = period_end(starts[-1], freq)
    partial = finish > data_end
    if partial:
        edges = mdates.date2num(as_utc_naive([starts[-1], finish]).to_pydatetime())
        ax.axvspan(*edges, facecolor="none", edgecolor="0.6", hatch=PARTIAL_HATCH, linewidth=0,
                   label=f"partial {freq}", zorder=0)  # fmt: skip
    period_axis(ax, starts, freq)
    low, high = mdates.date2num(as_utc_naive([starts[0], finish if partial else starts[-1]]).to_pydatetime())
    pad = max((high - low) * 0.03, 0.5)
    ax.set_xlim(low - pad, high + (0 if partial else pad))
    return ax


def partial_handle(freq: str) -> Patch:
    """The legend entry for the hatched, partial last period ("partial week").

    Example:
        >>> partial_handle("week").get_label()
        'partial week'
    """
    return Patch(facecolor="white", edgecolor="0.35", hatch=PARTIAL_HATCH, label=f"partial {freq}")


def legend_outside(ax: Axes, *, title: str | None = None, extra: Sequence[Artist] = ()) -> Axes:
    """The legend to the right of the plot, where it covers no data (only when something is labelled).

    The legend takes part in the figure's layout (see `finish`), so it stays inside the saved image. ``extra``
    artists (such as ``partial_handle``) are listed after the plot's own.

    Example:
        >>> a = axes(None); _ = a.plot([1, 2], label="x"); legend_outside(a).get_legend() is not None
        True
    """
    handles, labels = ax.get_legend_handles_labels()
    handles = [*handles, *extra]
    labels = [*labels, *(str(artist.get_label()) for artist in extra)]
    if handles:
        legend = ax.legend(
            handles, labels, title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False,
            borderaxespad=0.0,
        )  # fmt: skip
        legend.set_in_layout(True)
    return ax
