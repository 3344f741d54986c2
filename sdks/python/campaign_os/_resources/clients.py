"""``clients``: an agency's client workspaces."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from .._generated.api.clients import create_client, get_client, list_clients
from .._generated.models import ClientIn, ClientList, ClientOut
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, opt


class Clients(Resource):
    """Client workspaces of an agency; act on one with ``CampaignOS(..., tenant_id=client.id)``."""

    def create(self, *, name: str, idempotency_key: str | None = None) -> ClientOut:
        """Create a client workspace (from the agency itself, not through ``tenant_id``)."""
        return self._client._call(create_client, ClientOut, body=ClientIn(name=name), idempotency_key=idempotency_key)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> ClientList:
        """One page of the agency's clients (those the caller may reach)."""
        return self._client._call(list_clients, ClientList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[ClientOut]:
        """Every client, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[ClientList]:
        """Every page of clients."""
        return paginate_pages(self.list, limit=limit)

    def get(self, id: str) -> ClientOut:
        """One client workspace by id (``org_…``)."""
        return self._client._call(get_client, ClientOut, id=id)


class AsyncClients(AsyncResource):
    """Client workspaces of an agency; act on one with ``AsyncCampaignOS(..., tenant_id=client.id)``."""

    async def create(self, *, name: str, idempotency_key: str | None = None) -> ClientOut:
        return await self._client._call(
            create_client, ClientOut, body=ClientIn(name=name), idempotency_key=idempotency_key
        )

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> ClientList:
        return await self._client._call(list_clients, ClientList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[ClientOut]:
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[ClientList]:
        return apaginate_pages(self.list, limit=limit)

    async def get(self, id: str) -> ClientOut:
        return await self._client._call(get_client, ClientOut, id=id)
