"""The built-in API emulator of every service in `apitoolkit.registry`, in-process or over loopback HTTP.

Example:
    >>> from apitoolkit.emulator import EmulatorServer, mock_emulator
    >>> with mock_emulator(seed=1, size="small") as emu:
    ...     env = emu.environ()
    >>> env["ITGLUE_BASE_URL"].endswith("/itglue"), "HITASK_API_KEY" in env
    (True, True)
"""

from __future__ import annotations

try:
    import faker  # noqa: F401
    import werkzeug  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the installed extras
    raise ImportError("The apitoolkit emulator needs werkzeug and faker: pip install 'apitoolkit[emulator]'") from error

from apitoolkit.emulator.core.app import EmulatorApp
from apitoolkit.emulator.core.inprocess import mock_emulator
from apitoolkit.emulator.core.server import EmulatorServer
from apitoolkit.emulator.core.service import SIZES

__all__ = ["SIZES", "EmulatorApp", "EmulatorServer", "mock_emulator"]
