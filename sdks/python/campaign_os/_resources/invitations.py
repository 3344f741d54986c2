"""``invitations``: invitations to join the organisation, and accepting one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from .._generated.api.invitations import accept_invitation, create_invitation, delete_invitation, list_invitations
from .._generated.models import AcceptInvitationIn, InvitationIn, InvitationList, InvitationOut, Role, SessionOut
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, opt


def _accept_in(token: str, password: str | None, name: str | None) -> AcceptInvitationIn:
    return AcceptInvitationIn(token=token, password=opt(password), name=opt(name))


class Invitations(Resource):
    """Invitations: the invitee gets an ``inv_…`` token by email and passes it to :meth:`accept`."""

    def create(self, *, email: str, role: Role | str, idempotency_key: str | None = None) -> InvitationOut:
        """Invite ``email`` with ``role``; the token is emailed, never returned."""
        body = InvitationIn(email=email, role=Role(role))
        return self._client._call(create_invitation, InvitationOut, body=body, idempotency_key=idempotency_key)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> InvitationList:
        """One page of the organisation's invitations."""
        return self._client._call(list_invitations, InvitationList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[InvitationOut]:
        """Every invitation, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[InvitationList]:
        """Every page of invitations."""
        return paginate_pages(self.list, limit=limit)

    def revoke(self, id: str) -> None:
        """Revoke a pending invitation (``inv_…``)."""
        self._client._call_no_content(delete_invitation, id=id)

    def accept(
        self, *, token: str, password: str | None = None, name: str | None = None, idempotency_key: str | None = None
    ) -> SessionOut:
        """Accept an invitation: a session in the inviting organisation.

        A new user passes ``password`` (and optionally ``name``); someone who already has an
        account passes only ``token`` from a client holding their access token.
        """
        body = _accept_in(token, password, name)
        return self._client._call(accept_invitation, SessionOut, body=body, idempotency_key=idempotency_key)


class AsyncInvitations(AsyncResource):
    """Invitations: the invitee gets an ``inv_…`` token by email and passes it to :meth:`accept`."""

    async def create(self, *, email: str, role: Role | str, idempotency_key: str | None = None) -> InvitationOut:
        body = InvitationIn(email=email, role=Role(role))
        return await self._client._call(create_invitation, InvitationOut, body=body, idempotency_key=idempotency_key)

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> InvitationList:
        return await self._client._call(list_invitations, InvitationList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[InvitationOut]:
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[InvitationList]:
        return apaginate_pages(self.list, limit=limit)

    async def revoke(self, id: str) -> None:
        await self._client._call_no_content(delete_invitation, id=id)

    async def accept(
        self, *, token: str, password: str | None = None, name: str | None = None, idempotency_key: str | None = None
    ) -> SessionOut:
        body = _accept_in(token, password, name)
        return await self._client._call(accept_invitation, SessionOut, body=body, idempotency_key=idempotency_key)
