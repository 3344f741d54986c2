"""``custom_fields``: the organisation's custom field definitions (contacts, companies, products)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence

from .._generated.api.custom_fields import (
    create_custom_field,
    delete_custom_field,
    get_custom_field,
    list_custom_fields,
    update_custom_field,
)
from .._generated.models import (
    CustomFieldIn,
    CustomFieldList,
    CustomFieldOut,
    CustomFieldPatch,
    CustomFieldType,
    FieldObject,
    ListCustomFieldsObject,
)
from .._generated.types import UNSET, Unset
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, model, opt, present


def _field_in(
    object: FieldObject | str,
    key: str,
    label: str,
    type: CustomFieldType | str,
    options: Sequence[str] | None,
    required: bool | None,
) -> CustomFieldIn:
    return model(
        CustomFieldIn, **present(object=object, key=key, label=label, type=type, options=options, required=required)
    )


def _object(object: ListCustomFieldsObject | str | None) -> ListCustomFieldsObject | Unset:
    return UNSET if object is None else ListCustomFieldsObject(object)


class CustomFields(Resource):
    """Custom field definitions: ``object`` is ``"contact"``, ``"company"`` or ``"product"``;
    ``type`` is ``"text"``, ``"number"``, ``"boolean"``, ``"date"`` or ``"select"`` (with ``options``)."""

    def create(
        self,
        *,
        object: FieldObject | str,
        key: str,
        label: str,
        type: CustomFieldType | str,
        options: Sequence[str] | None = None,
        required: bool | None = None,
        idempotency_key: str | None = None,
    ) -> CustomFieldOut:
        """Define a field (201); a key already defined for the object is 409."""
        body = _field_in(object, key, label, type, options, required)
        return self._client._call(create_custom_field, CustomFieldOut, body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> CustomFieldOut:
        """One definition by id (``fld_…``)."""
        return self._client._call(get_custom_field, CustomFieldOut, id=id)

    def update(
        self,
        id: str,
        *,
        label: str | Unset = UNSET,
        type: CustomFieldType | str | Unset = UNSET,
        options: Sequence[str] | None | Unset = UNSET,
        required: bool | Unset = UNSET,
    ) -> CustomFieldOut:
        """Change the arguments given; a type that stored values do not fit is refused (409)."""
        body = model(CustomFieldPatch, label=label, type=type, options=options, required=required)
        return self._client._call(update_custom_field, CustomFieldOut, id=id, body=body)

    def delete(self, id: str) -> None:
        """Delete a definition."""
        self._client._call_no_content(delete_custom_field, id=id)

    def list(
        self,
        *,
        object: ListCustomFieldsObject | str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> CustomFieldList:
        """One page of definitions, optionally of one ``object`` kind."""
        return self._client._call(
            list_custom_fields, CustomFieldList, object_=_object(object), limit=opt(limit), cursor=opt(cursor)
        )

    def list_all(
        self, *, object: ListCustomFieldsObject | str | None = None, limit: int | None = None
    ) -> Iterator[CustomFieldOut]:
        """Every definition (of one ``object`` kind)."""
        return paginate(self.list, object=object, limit=limit)

    def pages(
        self, *, object: ListCustomFieldsObject | str | None = None, limit: int | None = None
    ) -> Iterator[CustomFieldList]:
        return paginate_pages(self.list, object=object, limit=limit)


class AsyncCustomFields(AsyncResource):
    """Custom field definitions (async); same methods as :class:`CustomFields`."""

    async def create(
        self,
        *,
        object: FieldObject | str,
        key: str,
        label: str,
        type: CustomFieldType | str,
        options: Sequence[str] | None = None,
        required: bool | None = None,
        idempotency_key: str | None = None,
    ) -> CustomFieldOut:
        body = _field_in(object, key, label, type, options, required)
        return await self._client._call(create_custom_field, CustomFieldOut, body=body, idempotency_key=idempotency_key)

    async def get(self, id: str) -> CustomFieldOut:
        return await self._client._call(get_custom_field, CustomFieldOut, id=id)

    async def update(
        self,
        id: str,
        *,
        label: str | Unset = UNSET,
        type: CustomFieldType | str | Unset = UNSET,
        options: Sequence[str] | None | Unset = UNSET,
        required: bool | Unset = UNSET,
    ) -> CustomFieldOut:
        body = model(CustomFieldPatch, label=label, type=type, options=options, required=required)
        return await self._client._call(update_custom_field, CustomFieldOut, id=id, body=body)

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_custom_field, id=id)

    async def list(
        self,
        *,
        object: ListCustomFieldsObject | str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> CustomFieldList:
        return await self._client._call(
            list_custom_fields, CustomFieldList, object_=_object(object), limit=opt(limit), cursor=opt(cursor)
        )

    def list_all(
        self, *, object: ListCustomFieldsObject | str | None = None, limit: int | None = None
    ) -> AsyncIterator[CustomFieldOut]:
        return apaginate(self.list, object=object, limit=limit)

    def pages(
        self, *, object: ListCustomFieldsObject | str | None = None, limit: int | None = None
    ) -> AsyncIterator[CustomFieldList]:
        return apaginate_pages(self.list, object=object, limit=limit)
