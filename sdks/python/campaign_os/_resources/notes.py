"""``notes``: notes on contacts and companies."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from functools import partial

from .._generated.api.notes import (
    create_company_note,
    create_contact_note,
    delete_note,
    get_note,
    list_company_notes,
    list_contact_notes,
    update_note,
)
from .._generated.models import NoteIn, NoteList, NoteOut, NotePatch
from .._pagination import apaginate, paginate
from ._base import AsyncResource, Resource, opt


class Notes(Resource):
    """Notes, authored by the caller (the user or the API key)."""

    def create_for_contact(self, contact_id: str, *, body: str, idempotency_key: str | None = None) -> NoteOut:
        """Add a note to a contact (``con_…``)."""
        return self._client._call(
            create_contact_note, NoteOut, id=contact_id, body=NoteIn(body=body), idempotency_key=idempotency_key
        )

    def create_for_company(self, company_id: str, *, body: str, idempotency_key: str | None = None) -> NoteOut:
        """Add a note to a company (``com_…``)."""
        return self._client._call(
            create_company_note, NoteOut, id=company_id, body=NoteIn(body=body), idempotency_key=idempotency_key
        )

    def list_for_contact(self, contact_id: str, *, limit: int | None = None, cursor: str | None = None) -> NoteList:
        """One page of a contact's notes."""
        return self._client._call(list_contact_notes, NoteList, id=contact_id, limit=opt(limit), cursor=opt(cursor))

    def list_for_company(self, company_id: str, *, limit: int | None = None, cursor: str | None = None) -> NoteList:
        """One page of a company's notes."""
        return self._client._call(list_company_notes, NoteList, id=company_id, limit=opt(limit), cursor=opt(cursor))

    def list_all_for_contact(self, contact_id: str, *, limit: int | None = None) -> Iterator[NoteOut]:
        """Every note of a contact."""
        return paginate(partial(self.list_for_contact, contact_id), limit=limit)

    def list_all_for_company(self, company_id: str, *, limit: int | None = None) -> Iterator[NoteOut]:
        """Every note of a company."""
        return paginate(partial(self.list_for_company, company_id), limit=limit)

    def get(self, id: str) -> NoteOut:
        """One note by id (``note_…``)."""
        return self._client._call(get_note, NoteOut, id=id)

    def update(self, id: str, *, body: str) -> NoteOut:
        """Replace a note's text."""
        return self._client._call(update_note, NoteOut, id=id, body=NotePatch(body=body))

    def delete(self, id: str) -> None:
        """Delete a note."""
        self._client._call_no_content(delete_note, id=id)


class AsyncNotes(AsyncResource):
    """Notes (async); same methods as :class:`Notes`."""

    async def create_for_contact(self, contact_id: str, *, body: str, idempotency_key: str | None = None) -> NoteOut:
        return await self._client._call(
            create_contact_note, NoteOut, id=contact_id, body=NoteIn(body=body), idempotency_key=idempotency_key
        )

    async def create_for_company(self, company_id: str, *, body: str, idempotency_key: str | None = None) -> NoteOut:
        return await self._client._call(
            create_company_note, NoteOut, id=company_id, body=NoteIn(body=body), idempotency_key=idempotency_key
        )

    async def list_for_contact(
        self, contact_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> NoteList:
        return await self._client._call(
            list_contact_notes, NoteList, id=contact_id, limit=opt(limit), cursor=opt(cursor)
        )

    async def list_for_company(
        self, company_id: str, *, limit: int | None = None, cursor: str | None = None
    ) -> NoteList:
        return await self._client._call(
            list_company_notes, NoteList, id=company_id, limit=opt(limit), cursor=opt(cursor)
        )

    def list_all_for_contact(self, contact_id: str, *, limit: int | None = None) -> AsyncIterator[NoteOut]:
        return apaginate(partial(self.list_for_contact, contact_id), limit=limit)

    def list_all_for_company(self, company_id: str, *, limit: int | None = None) -> AsyncIterator[NoteOut]:
        return apaginate(partial(self.list_for_company, company_id), limit=limit)

    async def get(self, id: str) -> NoteOut:
        return await self._client._call(get_note, NoteOut, id=id)

    async def update(self, id: str, *, body: str) -> NoteOut:
        return await self._client._call(update_note, NoteOut, id=id, body=NotePatch(body=body))

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_note, id=id)
