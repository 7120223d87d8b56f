"""The transport under every session: how a response's bytes are read off the socket."""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError, SSLError

from apitoolkit.config import DEFAULT_MAX_BODY_SIZE

__all__ = ["WholeBodyAdapter"]


class WholeBodyAdapter(HTTPAdapter):
    """Reads each body in one call rather than requests' 10 KB chunks (we never stream).

    Every chunk read gives up the GIL and takes it back: while the calling thread parses pages, a page worker
    reading 500 KB in 50 chunks queued for the GIL 50 times, and the next request waited. One read lets the
    socket layer fill the body in a few system calls. Errors are the ones requests raises for a broken body.
    """

    def __init__(self, *, max_body_size: int = DEFAULT_MAX_BODY_SIZE, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.max_body_size = max_body_size

    def build_response(self, req: requests.PreparedRequest, resp: Any) -> requests.Response:
        response = super().build_response(req, resp)
        if req.method == "HEAD" or response.is_redirect:  # requests drains (and discards) a redirect's body
            return response
        try:
            response._content = resp.read(decode_content=True) or b""
        except ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc, request=req) from None
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc, request=req) from None
        except ReadTimeoutError as exc:
            raise requests.exceptions.ConnectionError(exc, request=req) from None
        except SSLError as exc:
            raise requests.exceptions.SSLError(exc, request=req) from None
        response._content_consumed = True  # type: ignore[attr-defined]
        return response
