"""``companies``: organisations the contacts work for (CRUD, search, their contacts)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from functools import partial
from typing import Any

from .._generated.api.companies import (
    create_company,
    delete_company,
    get_company,
    list_companies,
    list_company_contacts,
    update_company,
)
from .._generated.models import CompanyIn, CompanyList, CompanyOut, CompanyPatch, ContactList, ContactOut
from .._generated.types import UNSET, Unset
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, fields_of, model, opt, present


class Companies(Resource):
    """The organisation's companies. ``update`` sends only the arguments given; ``domain=None``
    clears the domain, and in ``custom_fields`` a key set to None is removed."""

    def create(
        self,
        *,
        name: str,
        domain: str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> CompanyOut:
        """Create a company (201). A domain already used in the organisation is 409."""
        body = model(CompanyIn, **present(**fields_of(locals())))
        return self._client._call(create_company, CompanyOut, body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> CompanyOut:
        """One company by id (``com_…``)."""
        return self._client._call(get_company, CompanyOut, id=id)

    def update(
        self,
        id: str,
        *,
        name: str | Unset = UNSET,
        domain: str | None | Unset = UNSET,
        custom_fields: Mapping[str, Any] | Unset = UNSET,
    ) -> CompanyOut:
        """Change the fields given."""
        body = model(CompanyPatch, **fields_of(locals(), "id"))
        return self._client._call(update_company, CompanyOut, id=id, body=body)

    def delete(self, id: str) -> None:
        """Delete a company: its contacts are unlinked, its notes deleted."""
        self._client._call_no_content(delete_company, id=id)

    def list(self, *, limit: int | None = None, cursor: str | None = None, q: str | None = None) -> CompanyList:
        """One page of companies; ``q`` keeps those whose name starts with it (ignoring case)."""
        return self._client._call(list_companies, CompanyList, limit=opt(limit), cursor=opt(cursor), q=opt(q))

    def list_all(self, *, limit: int | None = None, q: str | None = None) -> Iterator[CompanyOut]:
        """Every company, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit, q=q)

    def pages(self, *, limit: int | None = None, q: str | None = None) -> Iterator[CompanyList]:
        """Every page of companies."""
        return paginate_pages(self.list, limit=limit, q=q)

    def contacts(self, id: str, *, limit: int | None = None, cursor: str | None = None) -> ContactList:
        """One page of the company's contacts."""
        return self._client._call(list_company_contacts, ContactList, id=id, limit=opt(limit), cursor=opt(cursor))

    def contacts_all(self, id: str, *, limit: int | None = None) -> Iterator[ContactOut]:
        """Every contact of the company."""
        return paginate(partial(self.contacts, id), limit=limit)


class AsyncCompanies(AsyncResource):
    """The organisation's companies (async); same methods as :class:`Companies`."""

    async def create(
        self,
        *,
        name: str,
        domain: str | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> CompanyOut:
        body = model(CompanyIn, **present(**fields_of(locals())))
        return await self._client._call(create_company, CompanyOut, body=body, idempotency_key=idempotency_key)

    async def get(self, id: str) -> CompanyOut:
        return await self._client._call(get_company, CompanyOut, id=id)

    async def update(
        self,
        id: str,
        *,
        name: str | Unset = UNSET,
        domain: str | None | Unset = UNSET,
        custom_fields: Mapping[str, Any] | Unset = UNSET,
    ) -> CompanyOut:
        body = model(CompanyPatch, **fields_of(locals(), "id"))
        return await self._client._call(update_company, CompanyOut, id=id, body=body)

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_company, id=id)

    async def list(self, *, limit: int | None = None, cursor: str | None = None, q: str | None = None) -> CompanyList:
        return await self._client._call(list_companies, CompanyList, limit=opt(limit), cursor=opt(cursor), q=opt(q))

    def list_all(self, *, limit: int | None = None, q: str | None = None) -> AsyncIterator[CompanyOut]:
        return apaginate(self.list, limit=limit, q=q)

    def pages(self, *, limit: int | None = None, q: str | None = None) -> AsyncIterator[CompanyList]:
        return apaginate_pages(self.list, limit=limit, q=q)

    async def contacts(self, id: str, *, limit: int | None = None, cursor: str | None = None) -> ContactList:
        return await self._client._call(list_company_contacts, ContactList, id=id, limit=opt(limit), cursor=opt(cursor))

    def contacts_all(self, id: str, *, limit: int | None = None) -> AsyncIterator[ContactOut]:
        return apaginate(partial(self.contacts, id), limit=limit)
