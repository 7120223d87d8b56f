"""When to show a progress bar: interactive sessions only, never in papermill logs or CI."""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["progress_bar", "wants_progress"]

#: Loads of at most this many pages never show a bar.
MIN_PAGES = 4


def _interactive() -> bool:
    setting = (os.environ.get("APITOOLKIT_PROGRESS") or "").strip().lower()
    if setting in {"0", "false", "no", "off"}:
        return False
    if setting in {"1", "true", "yes", "on"}:
        return True
    if "ipykernel" in sys.modules:
        # A kernel started by a Jupyter server (Lab, Notebook, Hub) has JPY_SESSION_NAME; papermill and
        # nbclient start kernels without it, so scheduled runs keep clean outputs.
        return bool(os.environ.get("JPY_SESSION_NAME") or os.environ.get("VSCODE_PID"))
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def wants_progress(progress: bool | None, pages: int) -> bool:
    """Whether to show a bar for a load of ``pages`` pages.

    Args:
        progress: True or False forces it; None decides automatically (interactive and more than a few
            pages). ``APITOOLKIT_PROGRESS=0`` or ``1`` overrides the automatic choice.

    Example:
        >>> wants_progress(False, 100)
        False
    """
    if progress is not None:
        return progress
    return pages >= MIN_PAGES and _interactive()


def progress_bar(*, total: int, desc: str, enabled: bool) -> Any:
    """A tqdm bar (notebook-aware through ``tqdm.auto``), or a do-nothing one when disabled."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="page", disable=not enabled, leave=False)
