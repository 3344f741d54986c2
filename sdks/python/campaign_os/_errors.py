"""Typed errors raised by the Campaign OS SDK."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

import httpx

from ._generated.models import FieldError

__all__ = [
    "CampaignOSConnectionError",
    "CampaignOSError",
    "CampaignOSTimeoutError",
    "FieldError",
]


class CampaignOSError(Exception):
    """An error answered by the API (any non-2xx status), or a request that got no answer.

    API errors carry the fields of the problem+json body (RFC 9457): ``status``, ``code`` (stable,
    snake_case: match on this), ``title``, ``detail``, ``type``, ``request_id`` and, on ``422
    validation_failed``, ``errors`` (a list of :class:`FieldError` with ``field``, ``code`` and
    ``message``). ``body`` is the raw response body and ``response`` the final
    :class:`httpx.Response` (after any retries).

    When the server gives no problem+json body (e.g. a proxy's HTML error page), ``code`` is
    ``"http_<status>"`` and ``title`` the HTTP reason phrase.
    """

    status: int | None
    code: str
    title: str
    detail: str
    type: str | None
    request_id: str | None
    errors: list[FieldError]
    body: bytes
    headers: httpx.Headers
    response: httpx.Response | None

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        code: str = "unknown_error",
        title: str = "",
        detail: str = "",
        type: str | None = None,
        request_id: str | None = None,
        errors: list[FieldError] | None = None,
        body: bytes = b"",
        headers: httpx.Headers | None = None,
        response: httpx.Response | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.type = type
        self.request_id = request_id
        self.errors = list(errors or [])
        self.body = body
        self.headers = headers if headers is not None else httpx.Headers()
        self.response = response
        super().__init__(message or self._default_message())

    def _default_message(self) -> str:
        parts = []
        if self.status is not None:
            parts.append(str(self.status))
        parts.append(self.code)
        text = " ".join(parts)
        if self.detail:
            text += f": {self.detail}"
        if self.errors:
            text += " (" + "; ".join(f"{e.field}: {e.code}" for e in self.errors) + ")"
        if self.request_id:
            text += f" [request_id={self.request_id}]"
        return text

    @property
    def retry_after(self) -> str | None:
        """The raw ``Retry-After`` header of the response, if any."""
        value: str | None = self.headers.get("retry-after")
        return value

    @classmethod
    def from_response(cls, response: httpx.Response) -> CampaignOSError:
        """Build the error for a non-2xx response (its body must have been read)."""
        status = response.status_code
        body = response.content
        problem: dict[str, Any] = {}
        try:
            parsed = json.loads(body) if body else None
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            problem = parsed
        try:
            reason = HTTPStatus(status).phrase
        except ValueError:
            reason = ""
        field_errors = [
            FieldError(
                field=str(item.get("field", "")),
                code=str(item.get("code", "")),
                message=str(item.get("message", "")),
            )
            for item in problem.get("errors") or []
            if isinstance(item, dict)
        ]
        request_id = problem.get("request_id") or response.headers.get("x-request-id")
        return cls(
            status=status,
            code=str(problem.get("code") or f"http_{status}"),
            title=str(problem.get("title") or reason),
            detail=str(problem.get("detail") or ""),
            type=problem.get("type") if isinstance(problem.get("type"), str) else None,
            request_id=str(request_id) if request_id else None,
            errors=field_errors,
            body=body,
            headers=response.headers,
            response=response,
        )


class CampaignOSConnectionError(CampaignOSError):
    """No response was received: the connection failed or broke (``code="network_error"``, as in the TypeScript SDK).

    ``status`` is None. Raised after the retries are used up; ``__cause__`` is the underlying
    :class:`httpx.TransportError`.
    """


class CampaignOSTimeoutError(CampaignOSConnectionError):
    """The request timed out (``code="timeout"``); see the client's ``timeout=`` option."""


def connection_error(exc: httpx.TransportError) -> CampaignOSConnectionError:
    """Map an httpx transport failure to the SDK's documented error."""
    kind = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return CampaignOSTimeoutError(f"timeout: the request timed out ({kind})", code="timeout", detail=kind)
    return CampaignOSConnectionError(
        f"network_error: no response from the server ({kind})", code="network_error", detail=kind
    )
