"""``products``: the organisation's catalogue (SKU unique regardless of case, price in minor units)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from .._generated.api.products import create_product, delete_product, get_product, list_products, update_product
from .._generated.models import Price, ProductIn, ProductList, ProductOut, ProductPatchIn
from .._generated.types import UNSET, Unset
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, fields_of, model, opt, present

# A price: the generated model or ``{"amount": 1999, "currency": "EUR"}`` (amount in minor units).
PriceInput = Price | Mapping[str, Any]


def _list_params(
    limit: int | None, cursor: str | None, active: bool | None, q: str | None, currency: str | None, sku: str | None
) -> dict[str, Any]:
    return {
        "limit": opt(limit),
        "cursor": opt(cursor),
        "active": opt(active),
        "q": opt(q),
        "currency": opt(currency),
        "sku": opt(sku),
    }


class Products(Resource):
    """Products. ``update`` sends only the arguments given; ``description=None`` clears it, and
    in ``custom_fields`` a key set to None is removed."""

    def create(
        self,
        *,
        name: str,
        sku: str,
        price: PriceInput,
        description: str | None = None,
        active: bool | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> ProductOut:
        """Create a product (201); a SKU already used (in any case) is 409 naming ``sku``."""
        body = model(ProductIn, **present(**fields_of(locals())))
        return self._client._call(create_product, ProductOut, body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> ProductOut:
        """One product by id (``prod_…``)."""
        return self._client._call(get_product, ProductOut, id=id)

    def update(
        self,
        id: str,
        *,
        name: str | Unset = UNSET,
        sku: str | Unset = UNSET,
        price: PriceInput | Unset = UNSET,
        description: str | None | Unset = UNSET,
        active: bool | Unset = UNSET,
        custom_fields: Mapping[str, Any] | None | Unset = UNSET,
    ) -> ProductOut:
        """Change the fields given."""
        body = model(ProductPatchIn, **fields_of(locals(), "id"))
        return self._client._call(update_product, ProductOut, id=id, body=body)

    def delete(self, id: str) -> None:
        """Delete a product."""
        self._client._call_no_content(delete_product, id=id)

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        active: bool | None = None,
        q: str | None = None,
        currency: str | None = None,
        sku: str | None = None,
    ) -> ProductList:
        """One page of products; the filters combine with AND (``q``: name or SKU prefix)."""
        params = _list_params(limit, cursor, active, q, currency, sku)
        return self._client._call(list_products, ProductList, **params)

    def list_all(
        self,
        *,
        limit: int | None = None,
        active: bool | None = None,
        q: str | None = None,
        currency: str | None = None,
        sku: str | None = None,
    ) -> Iterator[ProductOut]:
        """Every matching product."""
        return paginate(self.list, limit=limit, active=active, q=q, currency=currency, sku=sku)

    def pages(
        self,
        *,
        limit: int | None = None,
        active: bool | None = None,
        q: str | None = None,
        currency: str | None = None,
        sku: str | None = None,
    ) -> Iterator[ProductList]:
        return paginate_pages(self.list, limit=limit, active=active, q=q, currency=currency, sku=sku)


class AsyncProducts(AsyncResource):
    """Products (async); same methods as :class:`Products`."""

    async def create(
        self,
        *,
        name: str,
        sku: str,
        price: PriceInput,
        description: str | None = None,
        active: bool | None = None,
        custom_fields: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> ProductOut:
        body = model(ProductIn, **present(**fields_of(locals())))
        return await self._client._call(create_product, ProductOut, body=body, idempotency_key=idempotency_key)

    async def get(self, id: str) -> ProductOut:
        return await self._client._call(get_product, ProductOut, id=id)

    async def update(
        self,
        id: str,
        *,
        name: str | Unset = UNSET,
        sku: str | Unset = UNSET,
        price: PriceInput | Unset = UNSET,
        description: str | None | Unset = UNSET,
        active: bool | Unset = UNSET,
        custom_fields: Mapping[str, Any] | None | Unset = UNSET,
    ) -> ProductOut:
        body = model(ProductPatchIn, **fields_of(locals(), "id"))
        return await self._client._call(update_product, ProductOut, id=id, body=body)

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_product, id=id)

    async def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        active: bool | None = None,
        q: str | None = None,
        currency: str | None = None,
        sku: str | None = None,
    ) -> ProductList:
        params = _list_params(limit, cursor, active, q, currency, sku)
        return await self._client._call(list_products, ProductList, **params)

    def list_all(
        self,
        *,
        limit: int | None = None,
        active: bool | None = None,
        q: str | None = None,
        currency: str | None = None,
        sku: str | None = None,
    ) -> AsyncIterator[ProductOut]:
        return apaginate(self.list, limit=limit, active=active, q=q, currency=currency, sku=sku)

    def pages(
        self,
        *,
        limit: int | None = None,
        active: bool | None = None,
        q: str | None = None,
        currency: str | None = None,
        sku: str | None = None,
    ) -> AsyncIterator[ProductList]:
        return apaginate_pages(self.list, limit=limit, active=active, q=q, currency=currency, sku=sku)
