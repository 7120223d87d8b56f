"""The error tree: retriable vs fatal, attributes kept through pickling (papermill, multiprocessing)."""

from __future__ import annotations

import pickle

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
