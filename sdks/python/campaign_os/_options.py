"""Per-call options handed from the resource methods to the transport.

The generated operations know nothing of idempotency keys or retry budgets, so a call's options
travel in a context variable that the retry transport reads. Context variables follow the
current thread and asyncio task, so concurrent calls do not see each other's options.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class CallOptions:
    idempotency_key: str | None = None
    max_retries: int | None = None
    # One attempt that neither buffers the request body nor reads the response body: uploads of
    # large files and downloads that the caller streams (``imports.create``, ``exports.download``).
    stream: bool = False


_current: ContextVar[CallOptions] = ContextVar("campaign_os_call_options", default=CallOptions())  # noqa: B039 (frozen, immutable)


def current_options() -> CallOptions:
    return _current.get()


@contextmanager
def call_options(
    *, idempotency_key: str | None = None, max_retries: int | None = None, stream: bool = False
) -> Iterator[None]:
    token = _current.set(CallOptions(idempotency_key=idempotency_key, max_retries=max_retries, stream=stream))
    try:
        yield
    finally:
        _current.reset(token)
