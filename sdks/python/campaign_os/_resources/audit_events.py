"""``audit_events``: the organisation's security audit log."""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterator
from enum import StrEnum
from typing import Any, TypedDict, Unpack

from .._generated.api.audit import list_audit_events
from .._generated.models import AuditEventList, AuditEventOut, ListAuditEventsOrder
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, opt


class AuditFilters(TypedDict, total=False):
    """The audit log's filters (each optional)."""

    order: str
    """``"asc"`` (oldest first, the default) or ``"desc"``."""
    action: str
    """e.g. ``"api_key.created"``."""
    actor_id: str
    target_id: str
    since: datetime.datetime
    until: datetime.datetime


def audit_params(order_type: type[StrEnum], filters: AuditFilters) -> dict[str, Any]:
    """The query parameters of an audit-log operation (``order_type``: its generated order enum)."""
    params: dict[str, Any] = dict(filters)
    if "order" in params:
        params["order"] = order_type(params["order"])
    return params


class AuditEvents(Resource):
    """The audit log of the organisation acted on (needs ``audit_events:read``).

    Every method takes the filters ``action``, ``actor_id``, ``target_id``, ``since``, ``until``
    (datetimes) and ``order`` (``"asc"``, the default, or ``"desc"``).
    """

    def list(
        self, *, limit: int | None = None, cursor: str | None = None, **filters: Unpack[AuditFilters]
    ) -> AuditEventList:
        """One page of matching events."""
        params = audit_params(ListAuditEventsOrder, filters)
        return self._client._call(list_audit_events, AuditEventList, limit=opt(limit), cursor=opt(cursor), **params)

    def list_all(self, *, limit: int | None = None, **filters: Unpack[AuditFilters]) -> Iterator[AuditEventOut]:
        """Every matching event, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit, **filters)

    def pages(self, *, limit: int | None = None, **filters: Unpack[AuditFilters]) -> Iterator[AuditEventList]:
        """Every page of matching events."""
        return paginate_pages(self.list, limit=limit, **filters)


class AsyncAuditEvents(AsyncResource):
    """The audit log of the organisation acted on (needs ``audit_events:read``)."""

    async def list(
        self, *, limit: int | None = None, cursor: str | None = None, **filters: Unpack[AuditFilters]
    ) -> AuditEventList:
        params = audit_params(ListAuditEventsOrder, filters)
        return await self._client._call(
            list_audit_events, AuditEventList, limit=opt(limit), cursor=opt(cursor), **params
        )

    def list_all(self, *, limit: int | None = None, **filters: Unpack[AuditFilters]) -> AsyncIterator[AuditEventOut]:
        return apaginate(self.list, limit=limit, **filters)

    def pages(self, *, limit: int | None = None, **filters: Unpack[AuditFilters]) -> AsyncIterator[AuditEventList]:
        return apaginate_pages(self.list, limit=limit, **filters)
