"""The error tree: retriable vs fatal, attributes kept through pickling (papermill, multiprocessing)."""

from __future__ import annotations

import pickle
import re

import pytest

from apitoolkit import exceptions as ex


@pytest.mark.parametrize("cls", [ex.RateLimitedError, ex.ServerError, ex.InvalidResponseError, ex.TransportError])
def test_tree__retriable(cls: type[ex.ApiError]) -> None:
    assert issubclass(cls, ex.RetriableError) and not issubclass(cls, ex.FatalError)


@pytest.mark.parametrize(
    "cls",
    [ex.AuthenticationError, ex.PermissionDeniedError, ex.NotFoundError, ex.ConflictError, ex.InvalidRequestError],
)
def test_tree__fatal(cls: type[ex.ApiError]) -> None:
    assert issubclass(cls, ex.FatalError) and not issubclass(cls, ex.RetriableError)


def test_tree__everything_is_an_apitoolkit_error() -> None:
    for name in ex.__all__:
        if name.endswith("Warning"):
            assert issubclass(getattr(ex, name), UserWarning)
        else:
            assert issubclass(getattr(ex, name), ex.ApiToolkitError)
    assert issubclass(ex.ConfigurationError, ValueError)


def test_api_error__pickles_with_attributes() -> None:
    err = ex.NotFoundError("gone", service="itglue", status=404, code="404", detail="no user", url="http://x/users/1")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ex.NotFoundError and str(back) == "gone"
    assert (back.status, back.code, back.detail, back.url) == (404, "404", "no user", "http://x/users/1")


def test_invalid_argument_error__is_a_configuration_error_and_a_value_error() -> None:
    err = ex.InvalidArgumentError("max_workers='6' is not a whole number of 1 or more")
    assert isinstance(err, ex.ConfigurationError) and isinstance(err, ValueError)
    assert not issubclass(ex.ConfigurationError, ex.InvalidArgumentError)


def test_tree__the_docstring_drawing_matches_the_classes() -> None:
    drawing = (ex.__doc__ or "").split("```text", 1)[1].split("```", 1)[0]
    classes = {name for name in ex.__all__ if not name.endswith("Warning")}
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in drawing.splitlines():
        match = re.match(r"^([│ ]*)(?:[├└]── )?(\w+)", line)
        if match is None or match.group(2) not in classes:
            continue
        depth = (match.end(2) - len(match.group(2))) // 4
        del stack[depth:]
        parents[match.group(2)] = stack[-1] if stack else None
        stack.append(match.group(2))
    assert set(parents) == classes
    for name, parent in parents.items():
        assert getattr(ex, name).__bases__[0].__name__ == (parent or "Exception"), name


def _package_warnings() -> dict[str, type[Warning]]:
    """Every Warning subclass defined by a module of apitoolkit (imported one by one), by qualified name."""
    import importlib
    import inspect
    import pkgutil

    import apitoolkit

    found: dict[str, type[Warning]] = {}
    for info in pkgutil.walk_packages(apitoolkit.__path__, "apitoolkit."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Warning) and obj.__module__.startswith("apitoolkit"):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return found


def test_warnings__every_warning_class_is_defined_in_exceptions() -> None:
    found = _package_warnings()
    assert {ex.SchemaDriftWarning, ex.SyncWarning, ex.MissingFontWarning} <= set(found.values())
    elsewhere = sorted(name for name, cls in found.items() if cls.__module__ != "apitoolkit.exceptions")
    assert not elsewhere, f"define these in apitoolkit/exceptions.py (re-export them where they were): {elsewhere}"
    exported = {name for name in ex.__all__ if name.endswith("Warning")}
    assert {cls.__name__ for cls in found.values()} == exported


def test_warnings__the_docstring_drawing_lists_every_warning() -> None:
    drawing = (ex.__doc__ or "").split("```text", 2)[2].split("```", 1)[0]
    drawn = set(re.findall(r"[├└]── (\w+)", drawing))
    assert drawn == {name for name in ex.__all__ if name.endswith("Warning")}
    assert all(issubclass(getattr(ex, name), UserWarning) for name in drawn)


@pytest.mark.parametrize(
    ("old_path", "name"),
    [
        ("apitoolkit.frames", "SchemaDriftWarning"),
        ("apitoolkit.frames", "DuplicateRecordsWarning"),
        ("apitoolkit.hitask", "SyncWarning"),
        ("apitoolkit.hitask.loaders", "SyncWarning"),
        ("apitoolkit.plots.style", "MissingFontWarning"),
    ],
)
def test_warnings__old_import_paths_still_give_the_same_class(old_path: str, name: str) -> None:
    import importlib

    assert getattr(importlib.import_module(old_path), name) is getattr(ex, name)
