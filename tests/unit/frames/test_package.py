"""The frames package: its public names import from `apitoolkit.frames` and its docstring maps every module."""

from __future__ import annotations

import pkgutil
import re

import pytest

import apitoolkit.frames as frames
from apitoolkit import exceptions

#: The public names of `apitoolkit.frames` when it was one module: they must keep importing from there.
PUBLIC = [
    "BATCH_BYTES",
    "DuplicateRecordsWarning",
    "Field",
    "FrameBuilder",
    "Kind",
    "Raw",
    "Schema",
    "SchemaDriftWarning",
    "drop_duplicate_records",
    "empty_frame",
    "pages_to_frame",
    "pages_to_table",
    "snake_case",
    "table_to_frame",
    "utc_timestamp",
]


@pytest.mark.parametrize("name", PUBLIC)
def test_frames__public_names_import_from_the_package(name: str) -> None:
    assert name in frames.__all__ and getattr(frames, name) is not None


def test_frames__warnings_are_the_exceptions_classes() -> None:
    assert frames.SchemaDriftWarning is exceptions.SchemaDriftWarning
    assert frames.DuplicateRecordsWarning is exceptions.DuplicateRecordsWarning


def test_frames__docstring_maps_every_module() -> None:
    drawing = (frames.__doc__ or "").split("```text", 1)[1].split("```", 1)[0]
    mapped = set(re.findall(r"^(\w+)\.py\s", drawing, flags=re.MULTILINE))
    assert mapped == {m.name for m in pkgutil.iter_modules(frames.__path__)}


def test_frames__each_public_name_is_mapped_to_the_module_that_defines_it() -> None:
    drawing = (frames.__doc__ or "").split("```text", 1)[1].split("```", 1)[0]
    lines = {m.group(1): m.group(2) for m in re.finditer(r"^(\w+)\.py\s+(.*)$", drawing, flags=re.MULTILINE)}
    for name in frames.__all__:
        module = getattr(frames, name).__module__ if hasattr(getattr(frames, name), "__module__") else None
        if module is None or not module.startswith("apitoolkit.frames."):
            continue  # constants, type aliases and the warnings (apitoolkit.exceptions)
        assert re.search(rf"\b{name}\b", lines[module.rsplit(".", 1)[1]]), (name, module)
