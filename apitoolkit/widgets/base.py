"""What every explorer shares: controls that redraw on change, figures as images, tables, a refresh button."""

from __future__ import annotations

import html
import io
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as widgets
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from apitoolkit.exceptions import ApiToolkitError
from apitoolkit.tables import readable

__all__ = ["Explorer", "html_table", "keep_choice"]

FIGSIZE = (9.0, 4.8)
MAX_ROWS = 50
# Each control keeps its label beside its input (nothing wraps inside a control); a row wraps between controls.
# Sliders keep the width their explorer gives them (a slider of width "auto" has no track).
CONTROL_LAYOUT = {"flex": "0 0 auto", "margin": "2px 16px 2px 0"}
INLINE = {"display": "flex", "flex_flow": "row nowrap", "align_items": "center"}
# Cells wrap (long titles and names never run into the next column) and the table scrolls inside its box.
TABLE_CSS = (
    "<style>.apitoolkit-table{border-collapse:collapse;font-size:12px;max-width:100%}"
    ".apitoolkit-table th,.apitoolkit-table td{padding:3px 10px 3px 0;text-align:left !important;vertical-align:top;"
    "white-space:normal;overflow-wrap:anywhere;line-height:1.35}"
    ".apitoolkit-table th{border-bottom:1px solid #bbb}"
    ".apitoolkit-table tr:nth-child(even) td{background:#f4f4f4}</style>"
)


def keep_choice(control: widgets.Dropdown, options: Sequence[Any], *, everything: str | None = None) -> None:
    """Give a dropdown new ``options`` and keep its value when it is still one of them.

    Example:
        >>> d = widgets.Dropdown(options=["a", "b"], value="b")
        >>> keep_choice(d, ["b", "c"]); d.value
        'b'
    """
    choices = ([everything] if everything is not None else []) + [o for o in options if o != everything]
    current = control.value
    control.options = choices  # may reset the selection: the choice is put back after
    control.value = current if current in choices else (choices[0] if choices else None)


def html_table(frame: pd.DataFrame, *, heading: str, max_rows: int = MAX_ROWS, empty: str = "None.") -> str:
    """``frame`` as a people-readable HTML table (`apitoolkit.tables.readable`) under ``heading``.

    At most ``max_rows`` rows are shown, with a line saying how many there are; cells wrap and the table scrolls
    inside its box instead of running off the page; nothing is cut with "...".

    Example:
        >>> "<h4" in html_table(pd.DataFrame({"a": [1]}), heading="A")
        True
    """
    title = f"<h4 style='margin:10px 0 4px'>{html.escape(heading)}</h4>"
    if frame.empty:
        return f"{title}<p style='margin:0'>{html.escape(empty)}</p>"
    shown = readable(frame.head(max_rows))
    body = shown.to_html(index=False, border=0, na_rep="", escape=True, classes="apitoolkit-table", justify="left")
    more = f"<p style='margin:2px 0'>First {max_rows} of {len(frame)} rows shown.</p>" if len(frame) > max_rows else ""
    return f"{title}<div style='max-width:100%;overflow-x:auto'>{body}</div>{more}"


def _alert(text: str) -> str:
    return f"<span style='color:#D55E00'>{html.escape(text)}</span>"


def _png(draw: Callable[[Axes], Any]) -> bytes:
    figure = Figure(figsize=FIGSIZE, layout="constrained")  # not pyplot: nothing shows outside the widget
    draw(figure.subplots())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


class Explorer:
    """Base of the explorers: subclasses declare controls, one selection, figures and tables; this wires them.

    A subclass sets ``self.data`` (a dict of frames), builds its controls in ``controls`` (a name -> widget
    mapping, laid out in ``rows`` of control names), and implements ``sync_controls`` (new option lists from the
    data, keeping choices), ``selection`` (the ONE place where the controls' values filter the data), and, from
    that selection only, ``figures`` (name -> a function drawing on Axes), ``tables`` (heading -> frame),
    ``describe`` (a readout line) and ``note`` (a sentence under the tables). Any control change redraws every
    view from one fresh selection; the Refresh button calls ``reload`` (returns new data) and shows its error
    instead of raising.
    """

    title = "Explorer"

    def __init__(
        self,
        data: Mapping[str, pd.DataFrame],
        controls: Mapping[str, widgets.ValueWidget],
        figure_names: Sequence[str],
        *,
        rows: Sequence[Sequence[str]] | None = None,
        reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
    ) -> None:
        self.data = dict(data)
        self.controls = dict(controls)
        self.images = {
            name: widgets.Image(
                format="png", layout=widgets.Layout(max_width="100%", width="900px", height="auto", margin="2px 0")
            )
            for name in figure_names
        }
        self.readout = widgets.HTML(layout=widgets.Layout(max_width="100%"))
        self.table_view = widgets.HTML(layout=widgets.Layout(max_width="100%", overflow="auto"))
        self.status = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", icon="refresh", tooltip="Load again from the API")
        self.refresh_button.layout.display = None if reload is not None else "none"
        self.refresh_button.on_click(lambda _: self.refresh())
        self._reload = reload
        self.last_update_seconds = 0.0
        self.updates = 0
        self.sync_controls()
        for control in self.controls.values():
            control.style.description_width = "initial"  # "Organization", not "Organizat…"
            for key, value in CONTROL_LAYOUT.items():
                setattr(control.layout, key, value)
            if not control.layout.width:
                control.layout.width = "auto"
            if isinstance(control, widgets.ToggleButtons):  # "Per" beside its buttons, the buttons on one line
                for key, value in INLINE.items():
                    setattr(control.layout, key, value)
                control.style.button_width = "auto"
            control.observe(lambda _: self.update(), names="value")
        listed = [name for names in rows or [] for name in names]
        row_names = [*(rows or []), [name for name in self.controls if name not in listed]]  # none left out
        control_rows = [
            widgets.HBox([self.controls[n] for n in names], layout=widgets.Layout(flex_flow="row wrap", width="100%"))
            for names in row_names
            if names
        ]
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>{html.escape(self.title)}</b>"),
                *control_rows,
                self.readout,
                widgets.HBox([self.refresh_button, self.status]),
                *self.images.values(),
                self.table_view,
            ],
            layout=widgets.Layout(max_width="100%", overflow="hidden"),
        )
        self.widget.add_class("apitoolkit-explorer")
        self.update()

    # ---------------------------------------------------------------- what subclasses provide
    def sync_controls(self) -> None:
        """Set the controls' options from ``self.data``, keeping the current choices where possible."""

    def selection(self) -> Any:
        """The data every view shows, filtered by the controls' current values (computed once per redraw)."""
        raise NotImplementedError

    def figures(self, chosen: Any) -> dict[str, Callable[[Axes], Any]]:
        """Name -> a function that draws that figure, from ``chosen`` (a `selection`), on the Axes it is given."""
        raise NotImplementedError

    def tables(self, chosen: Any) -> dict[str, pd.DataFrame]:
        """Heading -> the frame shown under it, from ``chosen`` (a `selection`)."""
        raise NotImplementedError

    def describe(self, chosen: Any) -> str:
        """A line of plain text above the figures saying what is shown (empty: nothing)."""
        return ""

    def note(self, chosen: Any) -> str:
        """A sentence of plain text under the tables (empty: nothing)."""
        return ""

    # ---------------------------------------------------------------- shared behaviour
    def value(self, name: str) -> Any:
        """The current value of control ``name``."""
        return self.controls[name].value

    def table(self) -> pd.DataFrame:
        """The first table of the current selection (as computed, before formatting for display)."""
        return next(iter(self.tables(self.selection()).values()))

    def update(self) -> None:
        """Redraw every figure, the readout and the tables from one selection of the data by the controls."""
        started = time.perf_counter()
        try:
            chosen = self.selection()
            for name, draw in self.figures(chosen).items():
                self.images[name].value = _png(draw)
            parts = [html_table(frame, heading=heading) for heading, frame in self.tables(chosen).items()]
            note = self.note(chosen)
            closing = f"<p style='margin:6px 0'>{html.escape(note)}</p>" if note else ""
            self.table_view.value = TABLE_CSS + "".join(parts) + closing
            self.readout.value = html.escape(self.describe(chosen))
        except (ValueError, KeyError) as error:  # a combination of choices the data cannot answer
            self.status.value = _alert(f"Cannot draw this selection: {error}")
            return
        self.updates += 1
        if self.status.value.startswith("<span"):
            self.status.value = ""
        self.last_update_seconds = time.perf_counter() - started

    def refresh(self) -> None:
        """Load the data again (``reload``), keep the controls' choices, redraw; show errors, never raise."""
        if self._reload is None:
            return
        self.refresh_button.disabled = True
        self.status.value = "Loading from the API…"
        try:
            fresh = self._reload()
        except ApiToolkitError as error:
            self.status.value = _alert(f"Refresh failed: {error}")
            return
        finally:
            self.refresh_button.disabled = False
        self.data.update(fresh)
        self.sync_controls()
        self.update()
        self.status.value = f"Refreshed at {pd.Timestamp.now(tz='UTC'):%H:%M:%S} UTC."

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)
