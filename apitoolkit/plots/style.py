"""What every plot shares: the colour-blind-safe palette, report-size axes, date axes, legends, empty plots."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.axes import Axes

__all__ = ["PALETTE", "URGENCY", "axes", "colors", "date_axis", "empty", "finish", "legend_outside"]

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency, and in greyscale order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# From most to least urgent: vermillion, orange, yellow, sky blue, bluish green.
URGENCY = ("#D55E00", "#E69F00", "#F0E442", "#56B4E9", "#009E73")
FIGSIZE = (9.0, 4.8)  # inches; readable on a report page at 100 dpi


def axes(ax: Axes | None, *, figsize: tuple[float, float] = FIGSIZE) -> Axes:
    """``ax``, or new Axes on a new figure of report size (shown by Jupyter; never `plt.show()` here).

    Example:
        >>> a = axes(None); a.figure.get_size_inches().tolist()
        [9.0, 4.8]
    """
    if ax is not None:
        return ax
    _, created = plt.subplots(figsize=figsize, layout="constrained")
    return created


def colors(n: int, palette: Sequence[str] = PALETTE) -> list[str]:
    """``n`` colours from ``palette``, cycling when there are more series than colours.

    Example:
        >>> colors(2)
        ['#0072B2', '#E69F00']
    """
    return [palette[i % len(palette)] for i in range(n)]


def finish(ax: Axes, *, title: str, xlabel: str, ylabel: str) -> Axes:
    """Set the title and axis labels (with units) every plot must have; returns ``ax``.

    Example:
        >>> finish(axes(None), title="T", xlabel="Day", ylabel="Events (count)").get_title()
        'T'
    """
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def empty(ax: Axes | None, *, title: str, xlabel: str, ylabel: str, message: str = "No data") -> Axes:
    """Labelled Axes with ``message`` in the middle: what a plot of an empty frame draws.

    Example:
        >>> empty(None, title="T", xlabel="x", ylabel="y").texts[0].get_text()
        'No data'
    """
    target = finish(axes(ax), title=title, xlabel=xlabel, ylabel=ylabel)
    target.text(0.5, 0.5, message, transform=target.transAxes, ha="center", va="center", color="0.4")
    target.set_xticks([])
    target.set_yticks([])
    return target


def date_axis(ax: Axes, *, tz: Any = None) -> Axes:
    """Concise date ticks on the x axis (``Nov``, ``23``, ``2026``), in ``tz`` when given.

    Example:
        >>> date_axis(axes(None)).xaxis.get_major_formatter().__class__.__name__
        'ConciseDateFormatter'
    """
    locator = mdates.AutoDateLocator(tz=tz)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, tz=tz))
    return ax


def legend_outside(ax: Axes, *, title: str | None = None) -> Axes:
    """The legend to the right of the plot, where it cannot cover data (only when something is labelled).

    Example:
        >>> a = axes(None); _ = a.plot([1, 2], label="x"); legend_outside(a).get_legend() is not None
        True
    """
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(handles, labels, title=title, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax
