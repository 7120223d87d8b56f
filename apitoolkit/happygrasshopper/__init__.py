"""Happy Grasshopper: the client and its contacts loader."""

from __future__ import annotations

from apitoolkit.happygrasshopper.client import HappyGrasshopperClient
from apitoolkit.happygrasshopper.loaders import load_contacts

__all__ = ["HappyGrasshopperClient", "load_contacts"]
