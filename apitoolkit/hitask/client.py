"""The Hitask client: session auth through ``user/authenticate``, reused, renewed once when it expires.

Hitask's documented conventions: ``https://hitask.com/api/{method}``, a session from ``User.authenticate``
(api key + login + password) sent as ``session_id`` with every request, errors as
``{"response_status": <code>, "error_message": ...}`` (7 = session not found, 8 = invalid API key). The
documents do not say which HTTP status carries code 7 (the error table lists it without one), so the client
signs in again once on code 7 whatever the status: 401, 400, 403, or 200 with an error body.
The session id is a credential: it is never cached, logged or shown, and cached responses do not depend
on it (the cache key leaves it out), so a new session still finds yesterday's pages.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

from apitoolkit.exceptions import ApiError, AuthenticationError
from apitoolkit.http.client import BaseClient, ClientOptions, configure
from apitoolkit.http.paginators import Page, RequestSpec
from apitoolkit.http.redaction import register_secrets

__all__ = ["HitaskClient"]

SESSION_NOT_FOUND = "7"
#: What each sign-in refusal means, by Hitask's response code: (the credential at fault, its variable).
_REFUSALS = {
    "8": ("the API key", "HITASK_API_KEY"),
    "1": ("the login", "HITASK_LOGIN"),
    "36": ("the password for that login", "HITASK_PASSWORD"),
}


class HitaskClient(BaseClient):
    """A client for one Hitask user.

    Args:
        api_key: The integration's API key; default ``HITASK_API_KEY``.
        login: The user's login; default ``HITASK_LOGIN``.
        password: The user's password; default ``HITASK_PASSWORD``.
        base_url: The API root; default ``HITASK_BASE_URL``, else ``https://hitask.com/api``.
        session: A requests session to send everything through.
        cache, offline, rate_limit, max_workers, timeout, retry, expire_after: As for every client
            (see `apitoolkit.itglue.ITGlueClient`).

    Example:
        >>> client = HitaskClient(api_key="key", login="ann", password="secret", cache="off")
        >>> client.sign_out()  # nothing to do: it signs in on its first request
    """

    records_key: ClassVar[str | None] = None
    expire_after_defaults: ClassVar[Mapping[str, float]] = {"default": 3600.0, "item_history": 600.0}

    def __init__(
        self,
        api_key: str | None = None,
        login: str | None = None,
        password: str | None = None,
        *,
        base_url: str | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(
            **configure(
                "hitask", {"api_key": api_key, "login": login, "password": password}, options, base_url=base_url
            )
        )
        self._session_id: str | None = None
        self._sign_in_lock = threading.Lock()

    # ---------------------------------------------------------------- session
    @property
    def signed_in(self) -> bool:
        """Whether the client holds a session."""
        return self._session_id is not None

    @property
    def secrets(self) -> list[str]:
        """The credentials and the session id."""
        return [*super().secrets, *([self._session_id] if self._session_id else [])]

    def sign_in(self) -> None:
        """Start a session (done lazily by the first request).

        Raises:
            AuthenticationError: The message says which credential Hitask refused, never its value.
        """
        creds = self.config.credentials
        spec = RequestSpec(
            "user/authenticate",
            params={"api_key": creds["api_key"], "login": creds["login"], "password": creds["password"]},
        )
        try:
            page = self.request("GET", spec, cache=False, authenticate=False)
        except ApiError as error:  # a refusal is known by its code, whatever status carries it
            if not isinstance(error, AuthenticationError) and (error.code not in _REFUSALS or error.status == 404):
                raise  # 404 code 1 is "Method not found" (a wrong base URL), not "User not found"
            what, variable = _REFUSALS.get(error.code or "", ("the credentials", "HITASK_API_KEY/LOGIN/PASSWORD"))
            raise AuthenticationError(
                f"Hitask refused {what} (code {error.code}): check {variable}.",
                service="hitask",
                status=error.status,
                code=error.code,
                detail=error.detail,
                url=error.url,
                hint=f"Check {variable}.",
            ) from None
        session_id = page.payload.get("session_id") if isinstance(page.payload, dict) else None
        if not session_id:
            raise AuthenticationError("Hitask signed in without a session id: try again later.", service="hitask")
        self._session_id = str(session_id)
        register_secrets([self._session_id])

    def sign_out(self) -> None:
        """End the session, if there is one."""
        if self._session_id is None:
            return
        session_id, self._session_id = self._session_id, None
        self.request(
            "GET", RequestSpec("user/signout", params={"session_id": session_id}), cache=False, authenticate=False
        )

    def _current_session(self) -> str:
        with self._sign_in_lock:
            if self._session_id is None:
                self.sign_in()
            assert self._session_id is not None
            return self._session_id

    # ---------------------------------------------------------------- hooks
    def auth_params(self) -> dict[str, str]:
        """The session id (none offline: cached responses do not depend on it)."""
        if self.config.offline:
            return {}
        return {"session_id": self._current_session()}

    def request(self, method: str, spec: RequestSpec, **kwargs: Any) -> Page:
        """As `BaseClient.request`, signing in again once when Hitask says the session is gone (code 7, any status)."""
        try:
            return super().request(method, spec, **kwargs)
        except ApiError as error:
            if error.code != SESSION_NOT_FOUND or not kwargs.get("authenticate", True):
                raise
            with self._sign_in_lock:
                self._session_id = None
            return super().request(method, spec, **kwargs)

    def error_from_body(self, payload: Any) -> tuple[str | None, str | None] | None:
        """Hitask's ``{"response_status": code, "error_message": text}`` with a non-zero code."""
        if isinstance(payload, dict) and "error_message" in payload:
            code = payload.get("response_status")
            if code not in (0, "0", None):
                return str(code), str(payload.get("error_message") or "")
        return None

    def hint(self, status: int | None) -> str:
        """What to check, Hitask's way."""
        if status == 401:
            return "Check HITASK_API_KEY, HITASK_LOGIN and HITASK_PASSWORD."
        return super().hint(status)

    def __repr__(self) -> str:
        state = "signed in" if self.signed_in else "not signed in"
        return f"HitaskClient(base_url={self.base_url!r}, cache='{self.config.cache}', {state})"
