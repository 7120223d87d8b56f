"""The emulated IT Glue API: service, backend (state) and accounts."""

from __future__ import annotations

from apitoolkit.emulator.itglue.models import ITGlueAccount, ITGlueBackend
from apitoolkit.emulator.itglue.service import ITGlueService

__all__ = ["ITGlueAccount", "ITGlueBackend", "ITGlueService"]
