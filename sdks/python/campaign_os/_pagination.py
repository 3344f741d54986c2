"""Cursor pagination over any list operation.

Every Campaign OS list answers ``{"data": [...], "has_more": bool, "next_cursor": str | null}`` and
takes ``limit`` and ``cursor``. These helpers call a list method page after page, passing the
previous page's ``next_cursor`` as ``cursor``, until ``has_more`` is false::

    for key in paginate(cos.api_keys.list, limit=50): ...
    for page in paginate_pages(cos.api_keys.list, limit=50): ...
    async for key in apaginate(acos.api_keys.list, limit=50): ...
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
P = TypeVar("P", bound="Page[Any]")

__all__ = ["Page", "apaginate", "apaginate_pages", "paginate", "paginate_pages"]


class Page(Protocol[T_co]):
    """What a list operation returns (e.g. the generated ``ApiKeyList``)."""

    @property
    def data(self) -> Sequence[T_co]: ...

    @property
    def has_more(self) -> bool: ...

    @property
    def next_cursor(self) -> str | None: ...


def _next(page: Page[Any]) -> str | None:
    if not page.has_more or not page.next_cursor:
        return None
    return page.next_cursor


def paginate_pages(list_page: Callable[..., P], /, **params: Any) -> Iterator[P]:
    """Yield every page of a list operation; ``params`` (e.g. ``limit``) go to each call."""
    page = list_page(**params)
    while True:
        yield page
        cursor = _next(page)
        if cursor is None:
            return
        page = list_page(**params, cursor=cursor)


def paginate(list_page: Callable[..., Page[T]], /, **params: Any) -> Iterator[T]:
    """Yield every item of a list operation, fetching pages as needed."""
    for page in paginate_pages(list_page, **params):
        yield from page.data


async def apaginate_pages(list_page: Callable[..., Awaitable[P]], /, **params: Any) -> AsyncIterator[P]:
    """Async version of :func:`paginate_pages`."""
    page = await list_page(**params)
    while True:
        yield page
        cursor = _next(page)
        if cursor is None:
            return
        page = await list_page(**params, cursor=cursor)


async def apaginate(list_page: Callable[..., Awaitable[Page[T]]], /, **params: Any) -> AsyncIterator[T]:
    """Async version of :func:`paginate`: ``async for item in apaginate(acos.api_keys.list)``."""
    async for page in apaginate_pages(list_page, **params):
        for item in page.data:
            yield item
