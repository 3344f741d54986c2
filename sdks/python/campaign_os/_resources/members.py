"""``members``: the organisation's members and their roles."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from .._generated.api.members import delete_member, list_members, update_member
from .._generated.models import MemberList, MemberOut, MemberRoleIn, Role
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, opt


class Members(Resource):
    """Members of the organisation (agency members acting on a client are not listed)."""

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> MemberList:
        """One page of members, ordered by user id."""
        return self._client._call(list_members, MemberList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[MemberOut]:
        """Every member, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[MemberList]:
        """Every page of members."""
        return paginate_pages(self.list, limit=limit)

    def update(self, user_id: str, *, role: Role | str) -> MemberOut:
        """Change a member's role (``owner``, ``admin``, ``member`` or ``viewer``)."""
        return self._client._call(update_member, MemberOut, user_id=user_id, body=MemberRoleIn(role=Role(role)))

    def remove(self, user_id: str) -> None:
        """Remove a member (``usr_…``) from the organisation."""
        self._client._call_no_content(delete_member, user_id=user_id)


class AsyncMembers(AsyncResource):
    """Members of the organisation (agency members acting on a client are not listed)."""

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> MemberList:
        return await self._client._call(list_members, MemberList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[MemberOut]:
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[MemberList]:
        return apaginate_pages(self.list, limit=limit)

    async def update(self, user_id: str, *, role: Role | str) -> MemberOut:
        return await self._client._call(update_member, MemberOut, user_id=user_id, body=MemberRoleIn(role=Role(role)))

    async def remove(self, user_id: str) -> None:
        await self._client._call_no_content(delete_member, user_id=user_id)
