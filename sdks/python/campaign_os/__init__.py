"""Campaign OS Python SDK.

A thin layer over the client generated from the OpenAPI spec (``campaign_os._generated``):
configured sync/async clients with auth, retries, idempotency keys, typed errors, pagination and
webhook verification.
"""

from . import models
from ._client import DEFAULT_BASE_URL, USER_AGENT, AsyncCampaignOS, CampaignOS
from ._errors import CampaignOSConnectionError, CampaignOSError, CampaignOSTimeoutError, FieldError
from ._pagination import Page, apaginate, apaginate_pages, paginate, paginate_pages
from ._resources.events import Event
from ._retry import AsyncRetryTransport, RetryPolicy, RetryTransport, parse_retry_after
from ._version import __version__
from .webhooks import WebhookVerificationError, sign_webhook, verify_webhook

__all__ = [
    "DEFAULT_BASE_URL",
    "USER_AGENT",
    "AsyncCampaignOS",
    "AsyncRetryTransport",
    "CampaignOS",
    "CampaignOSConnectionError",
    "CampaignOSError",
    "CampaignOSTimeoutError",
    "Event",
    "FieldError",
    "Page",
    "RetryPolicy",
    "RetryTransport",
    "WebhookVerificationError",
    "__version__",
    "apaginate",
    "apaginate_pages",
    "models",
    "paginate",
    "paginate_pages",
    "parse_retry_after",
    "sign_webhook",
    "verify_webhook",
]
