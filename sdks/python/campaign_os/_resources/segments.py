"""``segments``: dynamic (a saved filter) and static (explicit members) groups of contacts."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from functools import partial
from typing import Any

from .._generated.api.segments import (
    add_segment_members,
    count_segment_contacts,
    create_segment,
    delete_segment,
    get_segment,
    list_segment_contacts,
    list_segments,
    preview_segment,
    remove_segment_members,
    update_segment,
)
from .._generated.models import (
    ContactList,
    ContactOut,
    ListSegmentContactsSort,
    SegmentCountOut,
    SegmentIn,
    SegmentKind,
    SegmentList,
    SegmentMembersIn,
    SegmentMembersOut,
    SegmentOut,
    SegmentPatch,
    SegmentPreviewIn,
)
from .._generated.types import UNSET, Unset
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, model, opt, present


def _contacts_params(
    limit: int | None,
    cursor: str | None,
    q: str | None,
    filter: str | None,
    sort: ListSegmentContactsSort | str | None,
) -> dict[str, Any]:
    return {
        "limit": opt(limit),
        "cursor": opt(cursor),
        "q": opt(q),
        "filter_": opt(filter),
        "sort": UNSET if sort is None else ListSegmentContactsSort(sort),
    }


class Segments(Resource):
    """Segments. A ``dynamic`` segment's members are the contacts matching its ``filter`` (the
    language of ``contacts.list(filter=…)``), evaluated when read; a ``static`` one's are added and
    removed with ``add_members`` / ``remove_members``."""

    def create(
        self,
        *,
        name: str,
        kind: SegmentKind | str,
        filter: str | None = None,
        idempotency_key: str | None = None,
    ) -> SegmentOut:
        """Create a segment (201); ``filter`` is required for a dynamic one."""
        body = model(SegmentIn, **present(name=name, kind=kind, filter=filter))
        return self._client._call(create_segment, SegmentOut, body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> SegmentOut:
        """One segment by id (``seg_…``)."""
        return self._client._call(get_segment, SegmentOut, id=id)

    def update(self, id: str, *, name: str | Unset = UNSET, filter: str | Unset = UNSET) -> SegmentOut:
        """Rename it and/or (dynamic segments) replace its filter."""
        return self._client._call(update_segment, SegmentOut, id=id, body=model(SegmentPatch, name=name, filter=filter))

    def delete(self, id: str) -> None:
        """Delete a segment (its contacts stay)."""
        self._client._call_no_content(delete_segment, id=id)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> SegmentList:
        """One page of segments."""
        return self._client._call(list_segments, SegmentList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[SegmentOut]:
        """Every segment."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[SegmentList]:
        return paginate_pages(self.list, limit=limit)

    def contacts(
        self,
        id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListSegmentContactsSort | str | None = None,
    ) -> ContactList:
        """One page of the segment's contacts, narrowed by ``q`` / ``filter`` like ``contacts.list``."""
        params = _contacts_params(limit, cursor, q, filter, sort)
        return self._client._call(list_segment_contacts, ContactList, id=id, **params)

    def contacts_all(
        self,
        id: str,
        *,
        limit: int | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListSegmentContactsSort | str | None = None,
    ) -> Iterator[ContactOut]:
        """Every contact of the segment."""
        return paginate(partial(self.contacts, id), limit=limit, q=q, filter=filter, sort=sort)

    def count(self, id: str) -> int:
        """How many contacts the segment has now."""
        return self._client._call(count_segment_contacts, SegmentCountOut, id=id).count

    def preview(self, filter: str) -> int:
        """How many contacts a filter matches, without saving a segment."""
        body = SegmentPreviewIn(filter_=filter)
        return self._client._call(preview_segment, SegmentCountOut, body=body).count

    def add_members(
        self, id: str, contact_ids: Sequence[str], *, idempotency_key: str | None = None
    ) -> SegmentMembersOut:
        """Add up to 1,000 contacts to a static segment (a result per id)."""
        body = SegmentMembersIn(contact_ids=list(contact_ids))
        return self._client._call(
            add_segment_members, SegmentMembersOut, id=id, body=body, idempotency_key=idempotency_key
        )

    def remove_members(
        self, id: str, contact_ids: Sequence[str], *, idempotency_key: str | None = None
    ) -> SegmentMembersOut:
        """Remove up to 1,000 contacts from a static segment (a result per id)."""
        body = SegmentMembersIn(contact_ids=list(contact_ids))
        return self._client._call(
            remove_segment_members, SegmentMembersOut, id=id, body=body, idempotency_key=idempotency_key
        )


class AsyncSegments(AsyncResource):
    """Segments (async); same methods as :class:`Segments`."""

    async def create(
        self,
        *,
        name: str,
        kind: SegmentKind | str,
        filter: str | None = None,
        idempotency_key: str | None = None,
    ) -> SegmentOut:
        body = model(SegmentIn, **present(name=name, kind=kind, filter=filter))
        return await self._client._call(create_segment, SegmentOut, body=body, idempotency_key=idempotency_key)

    async def get(self, id: str) -> SegmentOut:
        return await self._client._call(get_segment, SegmentOut, id=id)

    async def update(self, id: str, *, name: str | Unset = UNSET, filter: str | Unset = UNSET) -> SegmentOut:
        body = model(SegmentPatch, name=name, filter=filter)
        return await self._client._call(update_segment, SegmentOut, id=id, body=body)

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_segment, id=id)

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> SegmentList:
        return await self._client._call(list_segments, SegmentList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[SegmentOut]:
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[SegmentList]:
        return apaginate_pages(self.list, limit=limit)

    async def contacts(
        self,
        id: str,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListSegmentContactsSort | str | None = None,
    ) -> ContactList:
        params = _contacts_params(limit, cursor, q, filter, sort)
        return await self._client._call(list_segment_contacts, ContactList, id=id, **params)

    def contacts_all(
        self,
        id: str,
        *,
        limit: int | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListSegmentContactsSort | str | None = None,
    ) -> AsyncIterator[ContactOut]:
        return apaginate(partial(self.contacts, id), limit=limit, q=q, filter=filter, sort=sort)

    async def count(self, id: str) -> int:
        return (await self._client._call(count_segment_contacts, SegmentCountOut, id=id)).count

    async def preview(self, filter: str) -> int:
        body = SegmentPreviewIn(filter_=filter)
        return (await self._client._call(preview_segment, SegmentCountOut, body=body)).count

    async def add_members(
        self, id: str, contact_ids: Sequence[str], *, idempotency_key: str | None = None
    ) -> SegmentMembersOut:
        body = SegmentMembersIn(contact_ids=list(contact_ids))
        return await self._client._call(
            add_segment_members, SegmentMembersOut, id=id, body=body, idempotency_key=idempotency_key
        )

    async def remove_members(
        self, id: str, contact_ids: Sequence[str], *, idempotency_key: str | None = None
    ) -> SegmentMembersOut:
        body = SegmentMembersIn(contact_ids=list(contact_ids))
        return await self._client._call(
            remove_segment_members, SegmentMembersOut, id=id, body=body, idempotency_key=idempotency_key
        )
