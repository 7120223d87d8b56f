"""What every explorer shares: controls that redraw on change, figures as images, a table, a refresh button."""

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

__all__ = ["Explorer", "keep_choice"]

FIGSIZE = (9.0, 4.8)


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


def _alert(text: str) -> str:
    return f"<span style='color:#D55E00'>{html.escape(text)}</span>"


def _png(draw: Callable[[Axes], Any]) -> bytes:
    figure = Figure(figsize=FIGSIZE, layout="constrained")  # not pyplot: nothing shows outside the widget
    draw(figure.subplots())
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


class Explorer:
    """Base of the explorers: subclasses declare controls, figures and a table; this wires them together.

    A subclass sets ``self.data`` (a dict of frames), builds its controls in ``controls`` (a name -> widget
    mapping), and implements ``sync_controls`` (new option lists from the data, keeping choices), ``figures``
    (name -> a function drawing on Axes) and ``table`` (the frame to show). Any control change redraws; the
    Refresh button calls ``reload`` (returns new data) and shows its error instead of raising.
    """

    title = "Explorer"

    def __init__(
        self,
        data: Mapping[str, pd.DataFrame],
        controls: Mapping[str, widgets.ValueWidget],
        figure_names: Sequence[str],
        *,
        reload: Callable[[], Mapping[str, pd.DataFrame]] | None = None,
    ) -> None:
        self.data = dict(data)
        self.controls = dict(controls)
        self.images = {
            name: widgets.Image(format="png", layout=widgets.Layout(max_width="900px")) for name in figure_names
        }
        self.table_view = widgets.HTML()
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
            control.observe(lambda _: self.update(), names="value")
        self.widget = widgets.VBox(
            [
                widgets.HTML(f"<b>{self.title}</b>"),
                widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")),
                widgets.HBox([self.refresh_button, self.status]),
                *self.images.values(),
                self.table_view,
            ]
        )
        self.update()

    # ---------------------------------------------------------------- what subclasses provide
    def sync_controls(self) -> None:
        """Set the controls' options from ``self.data``, keeping the current choices where possible."""

    def figures(self) -> dict[str, Callable[[Axes], Any]]:
        """Name -> a function that draws that figure on the Axes it is given."""
        raise NotImplementedError

    def table(self) -> pd.DataFrame:
        """The table under the figures."""
        raise NotImplementedError

    # ---------------------------------------------------------------- shared behaviour
    def value(self, name: str) -> Any:
        """The current value of control ``name``."""
        return self.controls[name].value

    def update(self) -> None:
        """Redraw every figure and the table from the data and the controls' values."""
        started = time.perf_counter()
        try:
            for name, draw in self.figures().items():
                self.images[name].value = _png(draw)
            self.table_view.value = self.table().to_html(index=False, border=0, max_rows=50, na_rep="")
        except (ValueError, KeyError) as error:  # a combination of choices the data cannot answer
            self.status.value = (
                f"<span style='color:#D55E00'>Cannot draw this selection: {html.escape(str(error))}</span>"
            )
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
