"""``contacts``: people (CRUD, search and filtering, bulk upsert, bulk tagging, bulk delete, tags)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from typing import Any

from .._generated.api.contacts import (
    add_contact_tags,
    bulk_delete_contacts,
    bulk_tag_contacts,
    bulk_upsert_contacts,
    create_contact,
    delete_contact,
    get_contact,
    list_contacts,
    remove_contact_tag,
    update_contact,
)
from .._generated.models import (
    BulkDeleteIn,
    BulkDeleteOut,
    BulkTagIn,
    BulkTagOut,
    BulkUpsertIn,
    BulkUpsertOut,
    ContactIn,
    ContactList,
    ContactOut,
    ContactPatch,
    ContactTagsIn,
    ListContactsSort,
    MatchOn,
    OnMatch,
)
from .._generated.types import UNSET, Unset
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, fields_of, model, opt, present

# A contact given to create/bulk_upsert: the generated model or the same fields as a mapping
# (``{"email": "ada@example.com", "tags": ["vip"], "consent": {"email": {"status": "opted_in"}}}``).
ContactInput = ContactIn | Mapping[str, Any]


def _contact_in(contact: ContactInput) -> ContactIn:
    return contact if isinstance(contact, ContactIn) else model(ContactIn, **dict(contact))


def _list_params(
    limit: int | None, cursor: str | None, q: str | None, filter: str | None, sort: ListContactsSort | str | None
) -> dict[str, Any]:
    return {
        "limit": opt(limit),
        "cursor": opt(cursor),
        "q": opt(q),
        "filter_": opt(filter),
        "sort": UNSET if sort is None else ListContactsSort(sort),
    }


def _patch(fields: dict[str, Any]) -> ContactPatch:
    return model(ContactPatch, **fields)


def _bulk_upsert_in(
    contacts: Sequence[ContactInput], match_on: MatchOn | str | None, on_match: OnMatch | str | None
) -> BulkUpsertIn:
    return BulkUpsertIn(
        contacts=[_contact_in(c) for c in contacts],
        match_on=UNSET if match_on is None else MatchOn(match_on),
        on_match=UNSET if on_match is None else OnMatch(on_match),
    )


def _bulk_tag_in(contact_ids: Sequence[str], add: Sequence[str] | None, remove: Sequence[str] | None) -> BulkTagIn:
    return BulkTagIn(
        contact_ids=list(contact_ids),
        add=UNSET if add is None else list(add),
        remove=UNSET if remove is None else list(remove),
    )


class Contacts(Resource):
    """The organisation's contacts.

    ``create`` takes the contact's fields as keyword arguments (None leaves a field out);
    ``update`` sends only the arguments given, and ``None`` clears a field (``phone=None``).
    ``custom_fields`` is a mapping by field key, ``consent`` a mapping by channel
    (``{"sms": {"status": "opted_out", "source": "reply STOP"}}``), ``tags`` tag ids or names.
    """

    def create(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        timezone: str | None = None,
        locale: str | None = None,
        company_id: str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        consent: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> ContactOut:
        """Create a contact (201). An email or phone already used in the organisation is 409."""
        body = model(ContactIn, **present(**fields_of(locals())))
        return self._client._call(create_contact, ContactOut, body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> ContactOut:
        """One contact by id (``con_…``)."""
        return self._client._call(get_contact, ContactOut, id=id)

    def update(
        self,
        id: str,
        *,
        first_name: str | None | Unset = UNSET,
        last_name: str | None | Unset = UNSET,
        email: str | None | Unset = UNSET,
        phone: str | None | Unset = UNSET,
        timezone: str | None | Unset = UNSET,
        locale: str | None | Unset = UNSET,
        company_id: str | None | Unset = UNSET,
        custom_fields: Mapping[str, Any] | None | Unset = UNSET,
        tags: Sequence[str] | None | Unset = UNSET,
        consent: Mapping[str, Any] | Unset = UNSET,
    ) -> ContactOut:
        """Change the fields given; ``None`` clears one. In ``custom_fields`` only the keys given
        change (a key set to None is removed); ``tags`` replaces the contact's tags."""
        body = _patch(fields_of(locals(), "id"))
        return self._client._call(update_contact, ContactOut, id=id, body=body)

    def delete(self, id: str) -> None:
        """Delete a contact."""
        self._client._call_no_content(delete_contact, id=id)

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListContactsSort | str | None = None,
    ) -> ContactList:
        """One page of contacts. ``q``: prefix search on names, email and phone; ``filter``: the
        filter language (``"tags[any]:vip,created_at[gte]:2026-01-01"``, see docs/filtering.md);
        ``sort``: ``"created_at"``, ``"-updated_at"``, ``"last_name"``… (default: creation order)."""
        return self._client._call(list_contacts, ContactList, **_list_params(limit, cursor, q, filter, sort))

    def list_all(
        self,
        *,
        limit: int | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListContactsSort | str | None = None,
    ) -> Iterator[ContactOut]:
        """Every matching contact, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit, q=q, filter=filter, sort=sort)

    def pages(
        self,
        *,
        limit: int | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListContactsSort | str | None = None,
    ) -> Iterator[ContactList]:
        """Every page of matching contacts."""
        return paginate_pages(self.list, limit=limit, q=q, filter=filter, sort=sort)

    def bulk_upsert(
        self,
        contacts: Sequence[ContactInput],
        *,
        match_on: MatchOn | str | None = None,
        on_match: OnMatch | str | None = None,
        idempotency_key: str | None = None,
    ) -> BulkUpsertOut:
        """Create or update up to 1,000 contacts in one transaction, matched on ``match_on``
        (``"email"`` or ``"phone"``; omitted: create only) and, on a match, ``on_match``
        (``"upsert"``, the default, or ``"skip"``). Per-item results are in ``results``."""
        body = _bulk_upsert_in(contacts, match_on, on_match)
        return self._client._call(bulk_upsert_contacts, BulkUpsertOut, body=body, idempotency_key=idempotency_key)

    def bulk_tag(
        self,
        contact_ids: Sequence[str],
        *,
        add: Sequence[str] | None = None,
        remove: Sequence[str] | None = None,
        idempotency_key: str | None = None,
    ) -> BulkTagOut:
        """Add and/or remove tags (ids or names) on up to 1,000 contacts."""
        body = _bulk_tag_in(contact_ids, add, remove)
        return self._client._call(bulk_tag_contacts, BulkTagOut, body=body, idempotency_key=idempotency_key)

    def bulk_delete(self, filter: str, *, dry_run: bool = False, idempotency_key: str | None = None) -> BulkDeleteOut:
        """Delete every contact matching ``filter``; ``dry_run=True`` only counts them."""
        body = BulkDeleteIn(filter_=filter, dry_run=dry_run)
        return self._client._call(bulk_delete_contacts, BulkDeleteOut, body=body, idempotency_key=idempotency_key)

    def add_tags(self, id: str, tags: Sequence[str], *, idempotency_key: str | None = None) -> ContactOut:
        """Put tags (ids or names) on one contact; returns the contact."""
        body = ContactTagsIn(tags=list(tags))
        return self._client._call(add_contact_tags, ContactOut, id=id, body=body, idempotency_key=idempotency_key)

    def remove_tag(self, id: str, tag_id: str) -> None:
        """Take one tag (``tag_…``) off a contact."""
        self._client._call_no_content(remove_contact_tag, id=id, tag_id=tag_id)


class AsyncContacts(AsyncResource):
    """The organisation's contacts (async); same methods as :class:`Contacts`."""

    async def create(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        timezone: str | None = None,
        locale: str | None = None,
        company_id: str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        tags: Sequence[str] | None = None,
        consent: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> ContactOut:
        body = model(ContactIn, **present(**fields_of(locals())))
        return await self._client._call(create_contact, ContactOut, body=body, idempotency_key=idempotency_key)

    async def get(self, id: str) -> ContactOut:
        return await self._client._call(get_contact, ContactOut, id=id)

    async def update(
        self,
        id: str,
        *,
        first_name: str | None | Unset = UNSET,
        last_name: str | None | Unset = UNSET,
        email: str | None | Unset = UNSET,
        phone: str | None | Unset = UNSET,
        timezone: str | None | Unset = UNSET,
        locale: str | None | Unset = UNSET,
        company_id: str | None | Unset = UNSET,
        custom_fields: Mapping[str, Any] | None | Unset = UNSET,
        tags: Sequence[str] | None | Unset = UNSET,
        consent: Mapping[str, Any] | Unset = UNSET,
    ) -> ContactOut:
        body = _patch(fields_of(locals(), "id"))
        return await self._client._call(update_contact, ContactOut, id=id, body=body)

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_contact, id=id)

    async def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListContactsSort | str | None = None,
    ) -> ContactList:
        return await self._client._call(list_contacts, ContactList, **_list_params(limit, cursor, q, filter, sort))

    def list_all(
        self,
        *,
        limit: int | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListContactsSort | str | None = None,
    ) -> AsyncIterator[ContactOut]:
        """``async for contact in acos.contacts.list_all(filter="tags[any]:vip")``."""
        return apaginate(self.list, limit=limit, q=q, filter=filter, sort=sort)

    def pages(
        self,
        *,
        limit: int | None = None,
        q: str | None = None,
        filter: str | None = None,
        sort: ListContactsSort | str | None = None,
    ) -> AsyncIterator[ContactList]:
        return apaginate_pages(self.list, limit=limit, q=q, filter=filter, sort=sort)

    async def bulk_upsert(
        self,
        contacts: Sequence[ContactInput],
        *,
        match_on: MatchOn | str | None = None,
        on_match: OnMatch | str | None = None,
        idempotency_key: str | None = None,
    ) -> BulkUpsertOut:
        body = _bulk_upsert_in(contacts, match_on, on_match)
        return await self._client._call(bulk_upsert_contacts, BulkUpsertOut, body=body, idempotency_key=idempotency_key)

    async def bulk_tag(
        self,
        contact_ids: Sequence[str],
        *,
        add: Sequence[str] | None = None,
        remove: Sequence[str] | None = None,
        idempotency_key: str | None = None,
    ) -> BulkTagOut:
        body = _bulk_tag_in(contact_ids, add, remove)
        return await self._client._call(bulk_tag_contacts, BulkTagOut, body=body, idempotency_key=idempotency_key)

    async def bulk_delete(
        self, filter: str, *, dry_run: bool = False, idempotency_key: str | None = None
    ) -> BulkDeleteOut:
        body = BulkDeleteIn(filter_=filter, dry_run=dry_run)
        return await self._client._call(bulk_delete_contacts, BulkDeleteOut, body=body, idempotency_key=idempotency_key)

    async def add_tags(self, id: str, tags: Sequence[str], *, idempotency_key: str | None = None) -> ContactOut:
        body = ContactTagsIn(tags=list(tags))
        return await self._client._call(add_contact_tags, ContactOut, id=id, body=body, idempotency_key=idempotency_key)

    async def remove_tag(self, id: str, tag_id: str) -> None:
        await self._client._call_no_content(remove_contact_tag, id=id, tag_id=tag_id)
