"""apitoolkit: paginated SaaS APIs as flat, typed, cached pandas DataFrames.

What the top level exports, by one rule: ``__version__``; every error and warning (all of
`apitoolkit.exceptions`); the client of every service in `apitoolkit.registry`; the loader of every registered
resource whose ``load_<resource>`` name no other service's loader has (``load_contacts`` of Hitask and of Happy
Grasshopper stay in their packages: ``apitoolkit.hitask.load_contacts``); the cache functions `cache_info` and
`clear_cache`; `load_source`, `to_excel` and the history `Archive`. Everything else is imported from its module
(``apitoolkit.itglue``, ``apitoolkit.analysis``, ``apitoolkit.plots``, ...). The clients and loaders come from the
registry, so a new service or resource is exported without an edit here (only the type checkers' list below names
them).

Names are imported on first use, so ``import apitoolkit`` stays fast (pandas, pyarrow, requests-cache,
matplotlib and ipywidgets load only when something needs them).
"""

from __future__ import annotations

import importlib
from collections import Counter
from typing import TYPE_CHECKING, Any

from apitoolkit import exceptions as _exceptions
from apitoolkit.registry import REGISTRY as _REGISTRY

__version__ = "0.1.0"


def _exports() -> dict[str, str]:
    """Each exported name and the module it comes from, by the rule of this module's docstring."""
    exports = dict.fromkeys(_exceptions.__all__, "apitoolkit.exceptions")
    loaders = [resource.loader.partition(":") for service in _REGISTRY.values() for resource in service.resources]
    uses = Counter(name for _, _, name in loaders)
    exports |= {name: module for module, _, name in loaders if uses[name] == 1}
    exports |= {name: module for module, _, name in (s.client.partition(":") for s in _REGISTRY.values())}
    exports |= {
        "cache_info": "apitoolkit.cache",
        "clear_cache": "apitoolkit.cache",
        "load_source": "apitoolkit.loading",
        "to_excel": "apitoolkit.export",
        "Archive": "apitoolkit.archive",
    }
    return exports


_EXPORTS: dict[str, str] = _exports()

__all__ = ["__version__", *sorted(_EXPORTS)]

if TYPE_CHECKING:
    from apitoolkit.archive import Archive as Archive
    from apitoolkit.cache import cache_info as cache_info
    from apitoolkit.cache import clear_cache as clear_cache
    from apitoolkit.exceptions import *  # noqa: F403
    from apitoolkit.export import to_excel as to_excel
    from apitoolkit.glasshat import GlasshatClient as GlasshatClient
    from apitoolkit.glasshat import load_clients as load_clients
    from apitoolkit.glasshat import load_projects as load_projects
    from apitoolkit.glasshat import load_tasks as load_tasks
    from apitoolkit.happygrasshopper import HappyGrasshopperClient as HappyGrasshopperClient
    from apitoolkit.hitask import HitaskClient as HitaskClient
    from apitoolkit.hitask import load_item_history as load_item_history
    from apitoolkit.hitask import load_items as load_items
    from apitoolkit.hitask import load_tags as load_tags
    from apitoolkit.hitask import load_team_members as load_team_members
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
