"""``organizations``: the organisation a request acts on, and the caller's memberships."""

from __future__ import annotations

from .._generated.api.organizations import (
    get_organization,
    list_my_organizations,
    switch_organization,
    update_organization,
)
from .._generated.models import (
    MyOrganizationOut,
    OrganizationDetailOut,
    OrganizationPatchIn,
    SessionOut,
    SettableKind,
    SwitchIn,
)
from .._generated.types import UNSET
from ._base import AsyncResource, Resource, opt


def _patch(name: str | None, kind: SettableKind | str | None) -> OrganizationPatchIn:
    return OrganizationPatchIn(name=opt(name), kind=UNSET if kind is None else SettableKind(kind))


class Organizations(Resource):
    """The current organisation (the caller's own, or the client workspace named by ``tenant_id``)."""

    def get(self) -> OrganizationDetailOut:
        """The organisation the request acts on, with its kind, parent and seat usage."""
        return self._client._call(get_organization, OrganizationDetailOut)

    def update(self, *, name: str | None = None, kind: SettableKind | str | None = None) -> OrganizationDetailOut:
        """Rename it and/or change its ``kind`` (``"standard"`` or ``"agency"``; owners only).
        Arguments left None stay as they are."""
        return self._client._call(update_organization, OrganizationDetailOut, body=_patch(name, kind))

    def list_mine(self) -> list[MyOrganizationOut]:
        """Every organisation the calling user belongs to, with their role in each."""
        return self._client._call(list_my_organizations, list)

    def switch(self, organization_id: str, *, idempotency_key: str | None = None) -> SessionOut:
        """A new session acting on another of the user's organisations (``org_…``)."""
        body = SwitchIn(organization_id=organization_id)
        return self._client._call(switch_organization, SessionOut, body=body, idempotency_key=idempotency_key)


class AsyncOrganizations(AsyncResource):
    """The current organisation (the caller's own, or the client workspace named by ``tenant_id``)."""

    async def get(self) -> OrganizationDetailOut:
        return await self._client._call(get_organization, OrganizationDetailOut)

    async def update(self, *, name: str | None = None, kind: SettableKind | str | None = None) -> OrganizationDetailOut:
        return await self._client._call(update_organization, OrganizationDetailOut, body=_patch(name, kind))

    async def list_mine(self) -> list[MyOrganizationOut]:
        return await self._client._call(list_my_organizations, list)

    async def switch(self, organization_id: str, *, idempotency_key: str | None = None) -> SessionOut:
        body = SwitchIn(organization_id=organization_id)
        return await self._client._call(switch_organization, SessionOut, body=body, idempotency_key=idempotency_key)
