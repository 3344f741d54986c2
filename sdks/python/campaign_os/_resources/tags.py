"""``tags``: the organisation's tags (put on contacts with ``contacts.add_tags`` / ``bulk_tag``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from .._generated.api.tags import create_tag, delete_tag, get_tag, list_tags, update_tag
from .._generated.models import TagIn, TagList, TagOut, TagPatch
from .._generated.types import UNSET, Unset
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, model, opt, present


class Tags(Resource):
    """Tags: a ``name`` unique in the organisation regardless of case, and a ``color`` (``#rrggbb``)."""

    def create(self, *, name: str, color: str | None = None, idempotency_key: str | None = None) -> TagOut:
        """Create a tag (201); a name already used is 409."""
        body = model(TagIn, **present(name=name, color=color))
        return self._client._call(create_tag, TagOut, body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> TagOut:
        """One tag by id (``tag_…``)."""
        return self._client._call(get_tag, TagOut, id=id)

    def update(self, id: str, *, name: str | Unset = UNSET, color: str | None | Unset = UNSET) -> TagOut:
        """Rename and/or recolour (``color=None`` removes the colour)."""
        return self._client._call(update_tag, TagOut, id=id, body=model(TagPatch, name=name, color=color))

    def delete(self, id: str) -> None:
        """Delete a tag (it comes off every contact)."""
        self._client._call_no_content(delete_tag, id=id)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> TagList:
        """One page of tags."""
        return self._client._call(list_tags, TagList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[TagOut]:
        """Every tag."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[TagList]:
        return paginate_pages(self.list, limit=limit)


class AsyncTags(AsyncResource):
    """Tags (async); same methods as :class:`Tags`."""

    async def create(self, *, name: str, color: str | None = None, idempotency_key: str | None = None) -> TagOut:
        body = model(TagIn, **present(name=name, color=color))
        return await self._client._call(create_tag, TagOut, body=body, idempotency_key=idempotency_key)

    async def get(self, id: str) -> TagOut:
        return await self._client._call(get_tag, TagOut, id=id)

    async def update(self, id: str, *, name: str | Unset = UNSET, color: str | None | Unset = UNSET) -> TagOut:
        return await self._client._call(update_tag, TagOut, id=id, body=model(TagPatch, name=name, color=color))

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_tag, id=id)

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> TagList:
        return await self._client._call(list_tags, TagList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[TagOut]:
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[TagList]:
        return apaginate_pages(self.list, limit=limit)
