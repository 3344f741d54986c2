"""``api_keys``: the organisation's API keys (scopes, expiry, client restriction, rotation)."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterator, Sequence

from .._generated.api.api_keys import create_api_key, delete_api_key, get_api_key, list_api_keys, rotate_api_key
from .._generated.models import ApiKeyCreatedOut, ApiKeyIn, ApiKeyList, ApiKeyOut, RotateApiKeyIn
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, opt, opt_list


def _key_in(
    name: str,
    scopes: Sequence[str] | None,
    expires_at: datetime.datetime | None,
    allowed_organization_ids: Sequence[str] | None,
) -> ApiKeyIn:
    return ApiKeyIn(
        name=name,
        scopes=opt_list(scopes),
        expires_at=opt(expires_at),
        allowed_organization_ids=opt_list(allowed_organization_ids),
    )


class ApiKeys(Resource):
    """Organisation API keys."""

    def create(
        self,
        *,
        name: str,
        scopes: Sequence[str] | None = None,
        expires_at: datetime.datetime | None = None,
        allowed_organization_ids: Sequence[str] | None = None,
        idempotency_key: str | None = None,
    ) -> ApiKeyCreatedOut:
        """Create a key; the response's ``secret`` is shown only this once.

        ``scopes`` (e.g. ``["members:read"]``; omitted: every scope the creator holds),
        ``expires_at`` (omitted: no expiry) and, for agencies, ``allowed_organization_ids`` (the
        client workspaces the key may reach with ``X-Tenant-Id``; omitted: every client).
        """
        body = _key_in(name, scopes, expires_at, allowed_organization_ids)
        return self._client._call(create_api_key, ApiKeyCreatedOut, body=body, idempotency_key=idempotency_key)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> ApiKeyList:
        """One page of live keys, oldest first."""
        return self._client._call(list_api_keys, ApiKeyList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[ApiKeyOut]:
        """Every live key, oldest first, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[ApiKeyList]:
        """Every page of live keys."""
        return paginate_pages(self.list, limit=limit)

    def get(self, id: str) -> ApiKeyOut:
        """One key by id (``key_…``)."""
        return self._client._call(get_api_key, ApiKeyOut, id=id)

    def rotate(
        self, id: str, *, grace_period_secs: int | None = None, idempotency_key: str | None = None
    ) -> ApiKeyCreatedOut:
        """Give a key a new ``secret`` (shown only this once); the previous secret keeps working for
        ``grace_period_secs`` (0–604800; omitted: the server's default, 24 hours)."""
        body = RotateApiKeyIn(grace_period_secs=opt(grace_period_secs))
        return self._client._call(rotate_api_key, ApiKeyCreatedOut, id=id, body=body, idempotency_key=idempotency_key)

    def delete(self, id: str) -> None:
        """Revoke a key."""
        self._client._call_no_content(delete_api_key, id=id)


class AsyncApiKeys(AsyncResource):
    """Organisation API keys."""

    async def create(
        self,
        *,
        name: str,
        scopes: Sequence[str] | None = None,
        expires_at: datetime.datetime | None = None,
        allowed_organization_ids: Sequence[str] | None = None,
        idempotency_key: str | None = None,
    ) -> ApiKeyCreatedOut:
        body = _key_in(name, scopes, expires_at, allowed_organization_ids)
        return await self._client._call(create_api_key, ApiKeyCreatedOut, body=body, idempotency_key=idempotency_key)

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> ApiKeyList:
        return await self._client._call(list_api_keys, ApiKeyList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[ApiKeyOut]:
        """``async for key in acos.api_keys.list_all(limit=50)``."""
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[ApiKeyList]:
        return apaginate_pages(self.list, limit=limit)

    async def get(self, id: str) -> ApiKeyOut:
        return await self._client._call(get_api_key, ApiKeyOut, id=id)

    async def rotate(
        self, id: str, *, grace_period_secs: int | None = None, idempotency_key: str | None = None
    ) -> ApiKeyCreatedOut:
        body = RotateApiKeyIn(grace_period_secs=opt(grace_period_secs))
        return await self._client._call(
            rotate_api_key, ApiKeyCreatedOut, id=id, body=body, idempotency_key=idempotency_key
        )

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_api_key, id=id)
