"""apitoolkit: paginated SaaS APIs as flat, typed, cached pandas DataFrames.

Names are imported on first use, so ``import apitoolkit`` stays fast (pandas, pyarrow, requests-cache,
matplotlib and ipywidgets load only when something needs them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "ApiError": "apitoolkit.exceptions",
    "ApiToolkitError": "apitoolkit.exceptions",
    "CacheError": "apitoolkit.exceptions",
    "CacheWarning": "apitoolkit.exceptions",
    "ConfigurationError": "apitoolkit.exceptions",
    "GlasshatClient": "apitoolkit.glasshat",
    "HappyGrasshopperClient": "apitoolkit.happygrasshopper",
    "HitaskClient": "apitoolkit.hitask",
    "ITGlueClient": "apitoolkit.itglue",
    "InvalidArgumentError": "apitoolkit.exceptions",
    "OfflineError": "apitoolkit.exceptions",
    "StaleDataWarning": "apitoolkit.exceptions",
    "cache_info": "apitoolkit.cache",
    "clear_cache": "apitoolkit.cache",
    "load_expirations": "apitoolkit.itglue",
    "load_items": "apitoolkit.hitask",
    "load_logs": "apitoolkit.itglue",
    "load_organizations": "apitoolkit.itglue",
    "load_source": "apitoolkit.loading",
    "load_user_metrics": "apitoolkit.itglue",
    "load_users": "apitoolkit.itglue",
    "to_excel": "apitoolkit.export",
}

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from apitoolkit.cache import cache_info as cache_info
    from apitoolkit.cache import clear_cache as clear_cache
    from apitoolkit.exceptions import ApiError as ApiError
    from apitoolkit.exceptions import ApiToolkitError as ApiToolkitError
    from apitoolkit.exceptions import CacheError as CacheError
    from apitoolkit.exceptions import CacheWarning as CacheWarning
    from apitoolkit.exceptions import ConfigurationError as ConfigurationError
    from apitoolkit.exceptions import InvalidArgumentError as InvalidArgumentError
    from apitoolkit.exceptions import OfflineError as OfflineError
    from apitoolkit.exceptions import StaleDataWarning as StaleDataWarning
    from apitoolkit.export import to_excel as to_excel
    from apitoolkit.glasshat import GlasshatClient as GlasshatClient
    from apitoolkit.happygrasshopper import HappyGrasshopperClient as HappyGrasshopperClient
    from apitoolkit.hitask import HitaskClient as HitaskClient
    from apitoolkit.hitask import load_items as load_items
    from apitoolkit.itglue import ITGlueClient as ITGlueClient
    from apitoolkit.itglue import load_expirations as load_expirations
    from apitoolkit.itglue import load_logs as load_logs
    from apitoolkit.itglue import load_organizations as load_organizations
    from apitoolkit.itglue import load_user_metrics as load_user_metrics
    from apitoolkit.itglue import load_users as load_users
    from apitoolkit.loading import load_source as load_source


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'apitoolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
