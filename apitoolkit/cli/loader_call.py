"""What ``apitoolkit fetch`` calls: the resource's loader (from the registry) and its keyword arguments."""

from __future__ import annotations

import argparse
import difflib
import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any

from apitoolkit.cli._common import UsageError
from apitoolkit.registry import REGISTRY, Resource

#: Loader arguments the command sets itself: never a ``--filter``.
OWN_OPTIONS = frozenset({"client", "refresh", "progress", "start", "end"})
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
#: Integers as written by people: no leading zeros, so ``phone=0123`` stays text.
_INTEGER = re.compile(r"-?[1-9][0-9]*|0")


def loader_call(args: argparse.Namespace) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The loader of ``args.resource`` and its keyword arguments from ``--start``, ``--end`` and ``--filter``.

    Raises:
        UsageError: Unknown resource, an option or filter the loader does not take, a required one missing.

    Example:
        >>> args = argparse.Namespace(
        ...     service="itglue", resource="users", start=None, end=None, filters=[("id", "1,2")]
        ... )
        >>> loader, kwargs = loader_call(args)
        >>> loader.__name__, kwargs
        ('load_users', {'id': [1, 2]})
    """
    resource = find_resource(args.service, args.resource)
    label = f"{args.service} {resource.name}"
    loader = resource.load_function()
    parameters = inspect.signature(loader).parameters
    kwargs = _date_range(args.service, resource, args)
    kwargs.update(_filters(label, parameters, args.filters))
    missing = [name for name in _required(parameters) if name not in kwargs]
    if missing:
        raise UsageError(f"{label} needs --filter {missing[0]}=VALUE.")
    return loader, kwargs


def find_resource(service: str, name: str) -> Resource:
    """The resource ``name`` of the registry's ``service``, or a usage error suggesting the closest name.

    Example:
        >>> find_resource("glasshat", "tasks").name
        'tasks'
        >>> try:
        ...     find_resource("glasshat", "task")
        ... except UsageError as error:
        ...     print(error)
        unknown glasshat resource 'task' (did you mean 'tasks'?): use one of clients, projects, tasks.
    """
    resources = {resource.name: resource for resource in REGISTRY[service].resources}
    if name in resources:
        return resources[name]
    close = difflib.get_close_matches(name, resources, n=1)
    also = f" (did you mean {close[0]!r}?)" if close else ""
    raise UsageError(f"unknown {service} resource {name!r}{also}: use one of {', '.join(resources)}.")


def _date_range(service: str, resource: Resource, args: argparse.Namespace) -> dict[str, Any]:
    given = {option: getattr(args, option) for option in ("start", "end") if getattr(args, option) is not None}
    if given and not resource.date_range:
        ranged = ", ".join(r.name for r in REGISTRY[service].resources if r.date_range)
        raise UsageError(f"{service} {resource.name} takes no --start/--end; {service} resources that do: {ranged}.")
    return given


def _keywords(parameters: Mapping[str, inspect.Parameter]) -> dict[str, inspect.Parameter]:
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return {name: p for name, p in parameters.items() if p.kind in kinds}


def _accepted(parameters: Mapping[str, inspect.Parameter]) -> list[str]:
    """The loader's arguments a ``--filter`` may set, sorted."""
    return sorted(set(_keywords(parameters)) - OWN_OPTIONS)


def _required(parameters: Mapping[str, inspect.Parameter]) -> list[str]:
    return [name for name in _accepted(parameters) if parameters[name].default is inspect.Parameter.empty]


def _filters(label: str, parameters: Mapping[str, inspect.Parameter], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """The ``--filter KEY=VALUE`` pairs as the loader's keyword arguments, repeated keys gathered into lists."""
    keywords = _keywords(parameters)
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    kwargs: dict[str, Any] = {}
    for key, texts in grouped.items():
        if key in OWN_OPTIONS or (key not in keywords and not takes_any):
            accepted = _accepted(parameters)
            takes = f"it takes {', '.join(accepted)}" if accepted else "it takes none"
            own = f" (use --{key})" if key in {"start", "end", "refresh"} else ""
            raise UsageError(f"{label} has no filter {key!r}{own}: {takes}.")
        kwargs[key] = filter_value(key, texts, keywords.get(key))
    return kwargs


def filter_value(key: str, texts: list[str], param: inspect.Parameter | None) -> Any:
    r"""One ``--filter`` value: true/false for a boolean argument, else a scalar or list, integers converted.

    A comma separates values ("any of"); ``\,`` is a comma inside a value, as in IT Glue's own filters.

    Example:
        >>> filter_value("user_id", ["1,2", "3"], None), filter_value("email", ["007"], None)
        ([1, 2, 3], '007')
        >>> filter_value("name", ["Kub\\, Reynolds and Gibson"], None)
        'Kub, Reynolds and Gibson'
    """
    items = [part.strip().replace("\\,", ",") for text in texts for part in re.split(r"(?<!\\),", text)]
    if not all(items):
        raise UsageError(f"--filter {key}= has an empty value: give a value or leave the filter out.")
    if param is not None and isinstance(param.default, bool):
        if len(items) != 1 or items[0].lower() not in _BOOLEANS:
            raise UsageError(f"--filter {key}= takes one of true or false, not {','.join(items)!r}.")
        return _BOOLEANS[items[0].lower()]
    values: list[Any] = [int(item) if _INTEGER.fullmatch(item) else item for item in items]
    return values[0] if len(values) == 1 else values
