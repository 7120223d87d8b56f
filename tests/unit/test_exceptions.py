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
