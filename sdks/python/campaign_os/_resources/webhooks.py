"""``webhooks``: outbound webhooks — endpoints and their secrets, messages, delivery attempts,
replays, test sends and the event-type catalogue.

``cos.webhooks.endpoints`` manages where events are delivered; ``cos.webhooks.messages`` are what
was sent (one per event, with the exact body) and ``cos.webhooks.attempts`` each try to deliver
one. Deliveries are signed the Standard Webhooks way; check them in your receiver with
:func:`campaign_os.verify_webhook` and the endpoint's secret
(``cos.webhooks.endpoints.get_secret(id).key``).
"""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterator, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from .._generated.api.webhooks import (
    create_webhook_endpoint,
    delete_webhook_endpoint,
    get_webhook_attempt,
    get_webhook_endpoint,
    get_webhook_endpoint_secret,
    get_webhook_message,
    list_webhook_endpoint_attempts,
    list_webhook_endpoints,
    list_webhook_event_types,
    list_webhook_message_attempts,
    list_webhook_messages,
    replay_failed_webhook_messages,
    replay_webhook_message,
    rotate_webhook_endpoint_secret,
    test_webhook_endpoint,
    update_webhook_endpoint,
)
from .._generated.models import (
    ListWebhookEndpointAttemptsStatus,
    ListWebhookMessageAttemptsStatus,
    ReplayFailedWebhookMessagesIn,
    ReplayWebhookMessageIn,
    RotateWebhookSecretIn,
    WebhookAttemptList,
    WebhookAttemptOut,
    WebhookEndpointIn,
    WebhookEndpointList,
    WebhookEndpointOut,
    WebhookEndpointPatchIn,
    WebhookEndpointSecretOut,
    WebhookEventTypeList,
    WebhookMessageList,
    WebhookMessageOut,
    WebhookReplayOut,
)
from .._generated.types import UNSET, Unset
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, fields_of, model, opt, present

if TYPE_CHECKING:
    from .._client import AsyncCampaignOS, CampaignOS


def _endpoint_in(
    url: str,
    description: str | None,
    event_types: Sequence[str] | None,
    enabled: bool | None,
    rate_limit_per_second: int | None,
    secret: str | None,
) -> WebhookEndpointIn:
    fields = present(
        description=description,
        event_types=None if event_types is None else list(event_types),
        enabled=enabled,
        rate_limit_per_second=rate_limit_per_second,
        secret=secret,
    )
    return model(WebhookEndpointIn, url=url, **fields)


def _message_attempts(id: str, status: str | None, limit: int | None, cursor: str | None) -> dict[str, Any]:
    status_enum = None if status is None else ListWebhookMessageAttemptsStatus(status)
    return {"id": id, "status": opt(status_enum), "limit": opt(limit), "cursor": opt(cursor)}


def _endpoint_attempts(id: str, status: str | None, limit: int | None, cursor: str | None) -> dict[str, Any]:
    status_enum = None if status is None else ListWebhookEndpointAttemptsStatus(status)
    return {"id": id, "status": opt(status_enum), "limit": opt(limit), "cursor": opt(cursor)}


class WebhookEndpoints(Resource):
    """Webhook endpoints (``webhooks:read`` to read, ``webhooks:write`` to change them and to read
    a secret; owners and admins)."""

    def create(
        self,
        *,
        url: str,
        description: str | None = None,
        event_types: Sequence[str] | None = None,
        enabled: bool | None = None,
        rate_limit_per_second: int | None = None,
        secret: str | None = None,
        idempotency_key: str | None = None,
    ) -> WebhookEndpointOut:
        """Add an endpoint. ``url`` must be ``https://`` with a public host (a 422 names ``url``
        otherwise); ``event_types`` filters what is delivered (omitted or empty: every type);
        ``secret`` (``whsec_…``) brings your own signing secret, otherwise one is generated."""
        body = _endpoint_in(url, description, event_types, enabled, rate_limit_per_second, secret)
        return self._client._call(
            create_webhook_endpoint, WebhookEndpointOut, body=body, idempotency_key=idempotency_key
        )

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> WebhookEndpointList:
        """One page of endpoints, in creation order."""
        return self._client._call(list_webhook_endpoints, WebhookEndpointList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[WebhookEndpointOut]:
        """Every endpoint, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[WebhookEndpointList]:
        return paginate_pages(self.list, limit=limit)

    def get(self, id: str) -> WebhookEndpointOut:
        """One endpoint by id (``ep_…``), without its secret."""
        return self._client._call(get_webhook_endpoint, WebhookEndpointOut, id=id)

    def update(
        self,
        id: str,
        *,
        url: str | Unset = UNSET,
        description: str | None | Unset = UNSET,
        event_types: Sequence[str] | Unset = UNSET,
        enabled: bool | Unset = UNSET,
        rate_limit_per_second: int | None | Unset = UNSET,
    ) -> WebhookEndpointOut:
        """Change the fields given; ``description=None`` and ``rate_limit_per_second=None`` clear
        them. ``enabled=False`` stops deliveries, ``enabled=True`` resumes them (also after the
        server disabled the endpoint)."""
        body = model(WebhookEndpointPatchIn, **fields_of(locals(), "id"))
        return self._client._call(update_webhook_endpoint, WebhookEndpointOut, id=id, body=body)

    def delete(self, id: str) -> None:
        """Remove an endpoint and its secrets."""
        self._client._call_no_content(delete_webhook_endpoint, id=id)

    def get_secret(self, id: str) -> WebhookEndpointSecretOut:
        """The endpoint's current signing secret: ``.key`` is ``whsec_…``, to give to
        :func:`campaign_os.verify_webhook` (needs ``webhooks:write``)."""
        return self._client._call(get_webhook_endpoint_secret, WebhookEndpointSecretOut, id=id)

    def rotate_secret(
        self, id: str, *, key: str | None = None, idempotency_key: str | None = None
    ) -> WebhookEndpointOut:
        """Replace the signing secret (with ``key`` when given, else a generated one). Until the
        returned ``previous_secret_expires_at`` every delivery is signed with both secrets."""
        body = RotateWebhookSecretIn(key=opt(key))
        return self._client._call(
            rotate_webhook_endpoint_secret, WebhookEndpointOut, id=id, body=body, idempotency_key=idempotency_key
        )

    def replay_failed(
        self, id: str, *, since: datetime.datetime, idempotency_key: str | None = None
    ) -> WebhookReplayOut:
        """Send again, to this endpoint, every message whose latest attempt to it failed at or after
        ``since`` (a timezone-aware datetime); ``.queued`` says how many."""
        body = ReplayFailedWebhookMessagesIn(since=since)
        return self._client._call(
            replay_failed_webhook_messages, WebhookReplayOut, id=id, body=body, idempotency_key=idempotency_key
        )

    def test(self, id: str, *, idempotency_key: str | None = None) -> WebhookMessageOut:
        """Send a ``webhook.test`` message to this endpoint only (whatever its ``event_types``),
        signed and retried like any delivery; returns the message."""
        return self._client._call(test_webhook_endpoint, WebhookMessageOut, id=id, idempotency_key=idempotency_key)


class AsyncWebhookEndpoints(AsyncResource):
    """Webhook endpoints (async); same methods as :class:`WebhookEndpoints`."""

    async def create(
        self,
        *,
        url: str,
        description: str | None = None,
        event_types: Sequence[str] | None = None,
        enabled: bool | None = None,
        rate_limit_per_second: int | None = None,
        secret: str | None = None,
        idempotency_key: str | None = None,
    ) -> WebhookEndpointOut:
        body = _endpoint_in(url, description, event_types, enabled, rate_limit_per_second, secret)
        return await self._client._call(
            create_webhook_endpoint, WebhookEndpointOut, body=body, idempotency_key=idempotency_key
        )

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> WebhookEndpointList:
        return await self._client._call(
            list_webhook_endpoints, WebhookEndpointList, limit=opt(limit), cursor=opt(cursor)
        )

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[WebhookEndpointOut]:
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[WebhookEndpointList]:
        return apaginate_pages(self.list, limit=limit)

    async def get(self, id: str) -> WebhookEndpointOut:
        return await self._client._call(get_webhook_endpoint, WebhookEndpointOut, id=id)

    async def update(
        self,
        id: str,
        *,
        url: str | Unset = UNSET,
        description: str | None | Unset = UNSET,
        event_types: Sequence[str] | Unset = UNSET,
        enabled: bool | Unset = UNSET,
        rate_limit_per_second: int | None | Unset = UNSET,
    ) -> WebhookEndpointOut:
        body = model(WebhookEndpointPatchIn, **fields_of(locals(), "id"))
        return await self._client._call(update_webhook_endpoint, WebhookEndpointOut, id=id, body=body)

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_webhook_endpoint, id=id)

    async def get_secret(self, id: str) -> WebhookEndpointSecretOut:
        return await self._client._call(get_webhook_endpoint_secret, WebhookEndpointSecretOut, id=id)

    async def rotate_secret(
        self, id: str, *, key: str | None = None, idempotency_key: str | None = None
    ) -> WebhookEndpointOut:
        body = RotateWebhookSecretIn(key=opt(key))
        return await self._client._call(
            rotate_webhook_endpoint_secret, WebhookEndpointOut, id=id, body=body, idempotency_key=idempotency_key
        )

    async def replay_failed(
        self, id: str, *, since: datetime.datetime, idempotency_key: str | None = None
    ) -> WebhookReplayOut:
        body = ReplayFailedWebhookMessagesIn(since=since)
        return await self._client._call(
            replay_failed_webhook_messages, WebhookReplayOut, id=id, body=body, idempotency_key=idempotency_key
        )

    async def test(self, id: str, *, idempotency_key: str | None = None) -> WebhookMessageOut:
        return await self._client._call(
            test_webhook_endpoint, WebhookMessageOut, id=id, idempotency_key=idempotency_key
        )


class WebhookMessages(Resource):
    """What was sent: one message per event that an enabled endpoint took (plus test messages),
    with the exact ``payload`` delivered (needs ``webhooks:read``; replay needs ``webhooks:write``)."""

    def list(
        self, *, event_type: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> WebhookMessageList:
        """One page of messages, oldest first; ``event_type`` filters (e.g. ``"contact.created"``)."""
        return self._client._call(
            list_webhook_messages, WebhookMessageList, event_type=opt(event_type), limit=opt(limit), cursor=opt(cursor)
        )

    def list_all(self, *, event_type: str | None = None, limit: int | None = None) -> Iterator[WebhookMessageOut]:
        """Every matching message, fetching ``limit`` per page."""
        return paginate(self.list, event_type=event_type, limit=limit)

    def pages(self, *, event_type: str | None = None, limit: int | None = None) -> Iterator[WebhookMessageList]:
        return paginate_pages(self.list, event_type=event_type, limit=limit)

    def get(self, id: str) -> WebhookMessageOut:
        """One message by id (``msg_…``, the ``webhook-id`` of its deliveries)."""
        return self._client._call(get_webhook_message, WebhookMessageOut, id=id)

    def replay(
        self, id: str, *, endpoint_id: str | None = None, idempotency_key: str | None = None
    ) -> WebhookReplayOut:
        """Send the message again, same ``webhook-id`` and body, to ``endpoint_id`` or to every
        enabled endpoint that takes it; ``.queued`` says to how many."""
        body = ReplayWebhookMessageIn(endpoint_id=opt(endpoint_id))
        return self._client._call(
            replay_webhook_message, WebhookReplayOut, id=id, body=body, idempotency_key=idempotency_key
        )


class AsyncWebhookMessages(AsyncResource):
    """Webhook messages (async); same methods as :class:`WebhookMessages`."""

    async def list(
        self, *, event_type: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> WebhookMessageList:
        return await self._client._call(
            list_webhook_messages, WebhookMessageList, event_type=opt(event_type), limit=opt(limit), cursor=opt(cursor)
        )

    def list_all(self, *, event_type: str | None = None, limit: int | None = None) -> AsyncIterator[WebhookMessageOut]:
        return apaginate(self.list, event_type=event_type, limit=limit)

    def pages(self, *, event_type: str | None = None, limit: int | None = None) -> AsyncIterator[WebhookMessageList]:
        return apaginate_pages(self.list, event_type=event_type, limit=limit)

    async def get(self, id: str) -> WebhookMessageOut:
        return await self._client._call(get_webhook_message, WebhookMessageOut, id=id)

    async def replay(
        self, id: str, *, endpoint_id: str | None = None, idempotency_key: str | None = None
    ) -> WebhookReplayOut:
        body = ReplayWebhookMessageIn(endpoint_id=opt(endpoint_id))
        return await self._client._call(
            replay_webhook_message, WebhookReplayOut, id=id, body=body, idempotency_key=idempotency_key
        )


class WebhookAttempts(Resource):
    """Delivery attempts: status code, latency, response excerpt or error of each try (needs
    ``webhooks:read``). ``status`` filters: ``"succeeded"`` or ``"failed"``."""

    def list_for_message(
        self, message_id: str, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> WebhookAttemptList:
        """One page of the attempts to deliver a message (``msg_…``), to any endpoint, oldest first."""
        params = _message_attempts(message_id, status, limit, cursor)
        return self._client._call(list_webhook_message_attempts, WebhookAttemptList, **params)

    def list_all_for_message(
        self, message_id: str, *, status: str | None = None, limit: int | None = None
    ) -> Iterator[WebhookAttemptOut]:
        return paginate(partial(self.list_for_message, message_id), status=status, limit=limit)

    def list_for_endpoint(
        self, endpoint_id: str, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> WebhookAttemptList:
        """One page of the attempts to deliver to an endpoint (``ep_…``), oldest first."""
        params = _endpoint_attempts(endpoint_id, status, limit, cursor)
        return self._client._call(list_webhook_endpoint_attempts, WebhookAttemptList, **params)

    def list_all_for_endpoint(
        self, endpoint_id: str, *, status: str | None = None, limit: int | None = None
    ) -> Iterator[WebhookAttemptOut]:
        return paginate(partial(self.list_for_endpoint, endpoint_id), status=status, limit=limit)

    def get(self, id: str) -> WebhookAttemptOut:
        """One attempt by id (``atm_…``)."""
        return self._client._call(get_webhook_attempt, WebhookAttemptOut, id=id)


class AsyncWebhookAttempts(AsyncResource):
    """Delivery attempts (async); same methods as :class:`WebhookAttempts`."""

    async def list_for_message(
        self, message_id: str, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> WebhookAttemptList:
        params = _message_attempts(message_id, status, limit, cursor)
        return await self._client._call(list_webhook_message_attempts, WebhookAttemptList, **params)

    def list_all_for_message(
        self, message_id: str, *, status: str | None = None, limit: int | None = None
    ) -> AsyncIterator[WebhookAttemptOut]:
        return apaginate(partial(self.list_for_message, message_id), status=status, limit=limit)

    async def list_for_endpoint(
        self, endpoint_id: str, *, status: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> WebhookAttemptList:
        params = _endpoint_attempts(endpoint_id, status, limit, cursor)
        return await self._client._call(list_webhook_endpoint_attempts, WebhookAttemptList, **params)

    def list_all_for_endpoint(
        self, endpoint_id: str, *, status: str | None = None, limit: int | None = None
    ) -> AsyncIterator[WebhookAttemptOut]:
        return apaginate(partial(self.list_for_endpoint, endpoint_id), status=status, limit=limit)

    async def get(self, id: str) -> WebhookAttemptOut:
        return await self._client._call(get_webhook_attempt, WebhookAttemptOut, id=id)


class Webhooks(Resource):
    """Outbound webhooks: ``endpoints``, ``messages``, ``attempts`` and ``event_types()``."""

    def __init__(self, client: CampaignOS) -> None:
        super().__init__(client)
        self.endpoints = WebhookEndpoints(client)
        self.messages = WebhookMessages(client)
        self.attempts = WebhookAttempts(client)

    def event_types(self) -> WebhookEventTypeList:
        """The event types an endpoint can subscribe to (the whole catalogue in one page), each
        with its description and the JSON Schema of its ``data``."""
        return self._client._call(list_webhook_event_types, WebhookEventTypeList)


class AsyncWebhooks(AsyncResource):
    """Outbound webhooks (async): ``endpoints``, ``messages``, ``attempts`` and ``event_types()``."""

    def __init__(self, client: AsyncCampaignOS) -> None:
        super().__init__(client)
        self.endpoints = AsyncWebhookEndpoints(client)
        self.messages = AsyncWebhookMessages(client)
        self.attempts = AsyncWebhookAttempts(client)

    async def event_types(self) -> WebhookEventTypeList:
        return await self._client._call(list_webhook_event_types, WebhookEventTypeList)
