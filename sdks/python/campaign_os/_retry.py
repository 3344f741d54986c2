"""httpx transports that add idempotency keys and retry with backoff.

They wrap the real transport, so they apply to every request the generated code makes:

* every ``POST`` gets an ``Idempotency-Key`` header (the caller's, or a fresh uuid4) before the
  first attempt, and the same key is sent on every retry of that call;
* a request is retried on network errors and timeouts, on 408, 429 and 5xx, and on 409 only
  when the problem ``code`` is ``idempotency_key_in_use`` (another attempt with the same key is
  still in flight). Any other status is final;
* the delay is ``Retry-After`` when the response has one (seconds or an HTTP date), otherwise
  exponential backoff with full jitter: ``uniform(0, min(max_delay, base_delay * 2**attempt))``;
* at most ``max_retries`` retries; then the last response is returned (and turned into a
  :class:`CampaignOSError` by the client), or the last network error is raised as
  :class:`CampaignOSConnectionError` / :class:`CampaignOSTimeoutError`.

The response body is read inside the retry loop, so a connection that breaks while the body is
being read is retried too. A call made with ``call_options(stream=True)`` (file uploads and
downloads) is the exception: one attempt, with the request body streamed from its source and the
response body left unread for the caller to stream, so memory does not grow with the file.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from ._errors import connection_error
from ._options import current_options

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_IN_USE = "idempotency_key_in_use"

# Transport failures worth another attempt. Excluded: UnsupportedProtocol, LocalProtocolError and
# ProxyError, which a retry cannot fix.
_RETRYABLE_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class RetryPolicy:
    """How many times and how long to wait. See the module docstring."""

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A Retry-After longer than this is not waited for: the response is returned as it is (the
    # error's ``retry_after`` tells the caller when to come back).
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.base_delay < 0 or self.max_delay < 0:
            raise ValueError("retry delays must be >= 0")

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff before retry number ``attempt + 1``."""
        cap = min(self.max_delay, self.base_delay * (2**attempt))
        return random.uniform(0, cap)

    def is_retryable_response(self, response: httpx.Response) -> bool:
        status = response.status_code
        if status in (408, 429) or 500 <= status <= 599:
            return True
        if status == 409:
            return _problem_code(response) == IDEMPOTENCY_IN_USE
        return False

    def delay_for(self, attempt: int, response: httpx.Response | None) -> float | None:
        """Seconds to wait before the next attempt, or None when the response must not be retried."""
        if response is not None:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            if retry_after is not None:
                return retry_after if retry_after <= self.max_retry_after else None
        return self.backoff(attempt)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` value (delay-seconds or an HTTP date); None if absent/invalid."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds and seconds != float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = datetime.now(UTC).timestamp() if now is None else now
    return max(when.timestamp() - current, 0.0)


def _problem_code(response: httpx.Response) -> str | None:
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    code = body.get("code") if isinstance(body, dict) else None
    return code if isinstance(code, str) else None


def _streaming() -> bool:
    """Whether the current call streams its bodies (one attempt, nothing buffered)."""
    return current_options().stream


def _prepare(request: httpx.Request) -> int | None:
    """Add the idempotency key; return the per-call retry budget, if any."""
    options = current_options()
    if request.method == "POST" and IDEMPOTENCY_HEADER not in request.headers:
        request.headers[IDEMPOTENCY_HEADER] = options.idempotency_key or str(uuid.uuid4())
    return options.max_retries


class RetryTransport(httpx.BaseTransport):
    """Synchronous retrying transport (see the module docstring)."""

    def __init__(
        self,
        inner: httpx.BaseTransport | None = None,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner if inner is not None else httpx.HTTPTransport()
        self.policy = policy if policy is not None else RetryPolicy()
        self._sleep = sleep

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        budget = _prepare(request)
        if _streaming():
            try:
                return self._inner.handle_request(request)
            except httpx.TransportError as exc:
                raise connection_error(exc) from exc
        max_retries = self.policy.max_retries if budget is None else budget
        request.read()  # buffer the body so that every attempt can send it again
        attempt = 0
        while True:
            try:
                response = self._inner.handle_request(request)
                try:
                    response.read()
                except BaseException:
                    response.close()
                    raise
            except _RETRYABLE_ERRORS as exc:
                if attempt >= max_retries:
                    raise connection_error(exc) from exc
                delay = self.policy.backoff(attempt)
            except httpx.TransportError as exc:
                raise connection_error(exc) from exc
            else:
                if attempt >= max_retries or not self.policy.is_retryable_response(response):
                    return response
                wait = self.policy.delay_for(attempt, response)
                if wait is None:
                    return response
                delay = wait
                response.close()
            self._sleep(delay)
            attempt += 1

    def close(self) -> None:
        self._inner.close()


class AsyncRetryTransport(httpx.AsyncBaseTransport):
    """Asynchronous retrying transport (see the module docstring)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self.policy = policy if policy is not None else RetryPolicy()
        self._sleep = sleep

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        budget = _prepare(request)
        if _streaming():
            try:
                return await self._inner.handle_async_request(request)
            except httpx.TransportError as exc:
                raise connection_error(exc) from exc
        max_retries = self.policy.max_retries if budget is None else budget
        await request.aread()
        attempt = 0
        while True:
            try:
                response = await self._inner.handle_async_request(request)
                try:
                    await response.aread()
                except BaseException:
                    await response.aclose()
                    raise
            except _RETRYABLE_ERRORS as exc:
                if attempt >= max_retries:
                    raise connection_error(exc) from exc
                delay = self.policy.backoff(attempt)
            except httpx.TransportError as exc:
                raise connection_error(exc) from exc
            else:
                if attempt >= max_retries or not self.policy.is_retryable_response(response):
                    return response
                wait = self.policy.delay_for(attempt, response)
                if wait is None:
                    return response
                delay = wait
                await response.aclose()
            await self._sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        await self._inner.aclose()
