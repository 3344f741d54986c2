"""``events``: the organisation's domain-event feed (``contact.created``, ``api_key.revoked``, …)."""

from __future__ import annotations

import datetime
import typing
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from .._generated import models as _models
from .._generated.api.events import get_event, list_events
from .._generated.models import (
    ApiKeyCreatedEvent,
    ApiKeyRevokedEvent,
    ApiKeyRotatedEvent,
    CompanyCreatedEvent,
    CompanyDeletedEvent,
    CompanyUpdatedEvent,
    ContactCreatedEvent,
    ContactDeletedEvent,
    ContactUpdatedEvent,
    EndpointDisabledEvent,
    EventList,
    ExportCompletedEvent,
    ExportFailedEvent,
    ImportCompletedEvent,
    ImportFailedEvent,
    ListEventsOrder,
    MemberInvitedEvent,
    MemberJoinedEvent,
    MemberRemovedEvent,
    MemberRoleChangedEvent,
    ProductCreatedEvent,
    ProductDeletedEvent,
    ProductUpdatedEvent,
)
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, opt

Event = (
    ContactCreatedEvent
    | ContactUpdatedEvent
    | ContactDeletedEvent
    | CompanyCreatedEvent
    | CompanyUpdatedEvent
    | CompanyDeletedEvent
    | ProductCreatedEvent
    | ProductUpdatedEvent
    | ProductDeletedEvent
    | ImportCompletedEvent
    | ImportFailedEvent
    | ExportCompletedEvent
    | ExportFailedEvent
    | MemberInvitedEvent
    | MemberJoinedEvent
    | MemberRoleChangedEvent
    | MemberRemovedEvent
    | ApiKeyCreatedEvent
    | ApiKeyRotatedEvent
    | ApiKeyRevokedEvent
    | EndpointDisabledEvent
)
"""One event: a generated envelope per type (``ContactCreatedEvent``…), each with ``id``,
``type_``, ``created_at`` and a typed ``data``. Tell them apart with ``isinstance`` or ``type_``."""


def _event_classes() -> tuple[type[Any], ...]:
    """The envelope classes the generated ``EventList`` parses, read from its annotations, so that
    ``get`` accepts every type of the spec it was generated from (the ``Event`` alias above is
    for type checkers; a test checks that both list the same classes)."""
    hints = typing.get_type_hints(EventList, localns=vars(_models))
    (item,) = typing.get_args(hints["data"])
    return typing.get_args(item)


EVENT_CLASSES: tuple[type[Any], ...] = _event_classes()


def _types(type: str | Sequence[str] | None) -> str | None:
    if type is None or isinstance(type, str):
        return type
    return ",".join(type)


def _params(
    type: str | Sequence[str] | None,
    created_at_gte: datetime.datetime | None,
    created_at_lt: datetime.datetime | None,
    order: ListEventsOrder | str | None,
    limit: int | None,
    cursor: str | None,
) -> dict[str, Any]:
    return {
        "type_": opt(_types(type)),
        "created_atgte": opt(created_at_gte),
        "created_atlt": opt(created_at_lt),
        "order": opt(None if order is None else ListEventsOrder(order)),
        "limit": opt(limit),
        "cursor": opt(cursor),
    }


class Events(Resource):
    """The organisation's events (needs ``events:read``: owners, admins, keys holding it).

    Every list method takes ``type`` (one name, a comma-separated string or a list of names; an
    unknown name is a 422 ``unknown_event_type``), ``created_at_gte`` / ``created_at_lt``
    (timezone-aware datetimes) and ``order`` (``"asc"``, the default, or ``"desc"``).
    """

    def list(
        self,
        *,
        type: str | Sequence[str] | None = None,
        created_at_gte: datetime.datetime | None = None,
        created_at_lt: datetime.datetime | None = None,
        order: ListEventsOrder | str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> EventList:
        """One page of matching events."""
        params = _params(type, created_at_gte, created_at_lt, order, limit, cursor)
        return self._client._call(list_events, EventList, **params)

    def list_all(
        self,
        *,
        type: str | Sequence[str] | None = None,
        created_at_gte: datetime.datetime | None = None,
        created_at_lt: datetime.datetime | None = None,
        order: ListEventsOrder | str | None = None,
        limit: int | None = None,
    ) -> Iterator[Event]:
        """Every matching event, fetching ``limit`` per page."""
        return paginate(
            self.list, type=type, created_at_gte=created_at_gte, created_at_lt=created_at_lt, order=order, limit=limit
        )

    def pages(
        self,
        *,
        type: str | Sequence[str] | None = None,
        created_at_gte: datetime.datetime | None = None,
        created_at_lt: datetime.datetime | None = None,
        order: ListEventsOrder | str | None = None,
        limit: int | None = None,
    ) -> Iterator[EventList]:
        return paginate_pages(
            self.list, type=type, created_at_gte=created_at_gte, created_at_lt=created_at_lt, order=order, limit=limit
        )

    def get(self, id: str) -> Event:
        """One event by id (``evt_…``)."""
        event: Event = self._client._call(get_event, EVENT_CLASSES, id=id)
        return event


class AsyncEvents(AsyncResource):
    """The organisation's events (async); same methods as :class:`Events`."""

    async def list(
        self,
        *,
        type: str | Sequence[str] | None = None,
        created_at_gte: datetime.datetime | None = None,
        created_at_lt: datetime.datetime | None = None,
        order: ListEventsOrder | str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> EventList:
        params = _params(type, created_at_gte, created_at_lt, order, limit, cursor)
        return await self._client._call(list_events, EventList, **params)

    def list_all(
        self,
        *,
        type: str | Sequence[str] | None = None,
        created_at_gte: datetime.datetime | None = None,
        created_at_lt: datetime.datetime | None = None,
        order: ListEventsOrder | str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Event]:
        return apaginate(
            self.list, type=type, created_at_gte=created_at_gte, created_at_lt=created_at_lt, order=order, limit=limit
        )

    def pages(
        self,
        *,
        type: str | Sequence[str] | None = None,
        created_at_gte: datetime.datetime | None = None,
        created_at_lt: datetime.datetime | None = None,
        order: ListEventsOrder | str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[EventList]:
        return apaginate_pages(
            self.list, type=type, created_at_gte=created_at_gte, created_at_lt=created_at_lt, order=order, limit=limit
        )

    async def get(self, id: str) -> Event:
        event: Event = await self._client._call(get_event, EVENT_CLASSES, id=id)
        return event
