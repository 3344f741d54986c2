"""``sessions``: the calling user's login sessions."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from .._generated.api.sessions import list_my_sessions, revoke_my_session
from .._generated.models import LoginSessionList, LoginSessionOut
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, opt


class Sessions(Resource):
    """The calling user's login sessions (one per login; ``current`` marks the caller's own)."""

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> LoginSessionList:
        """One page of the user's live sessions."""
        return self._client._call(list_my_sessions, LoginSessionList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[LoginSessionOut]:
        """Every live session, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[LoginSessionList]:
        """Every page of sessions."""
        return paginate_pages(self.list, limit=limit)

    def revoke(self, id: str) -> None:
        """End a session (``ses_…``): its refresh token stops working."""
        self._client._call_no_content(revoke_my_session, id=id)


class AsyncSessions(AsyncResource):
    """The calling user's login sessions (one per login; ``current`` marks the caller's own)."""

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> LoginSessionList:
        return await self._client._call(list_my_sessions, LoginSessionList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[LoginSessionOut]:
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[LoginSessionList]:
        return apaginate_pages(self.list, limit=limit)

    async def revoke(self, id: str) -> None:
        await self._client._call_no_content(revoke_my_session, id=id)
