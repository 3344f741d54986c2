"""Resource namespaces: one short method per generated operation.

One module per namespace of the clients (``cos.auth``, ``cos.api_keys``, …), each with the sync
class and its async twin; ``_base`` holds what they share. Each method builds the generated
request model from keyword arguments and hands the generated operation module to the client's
``_call``/``_call_no_content``, which runs it through the configured httpx client (auth, retries,
idempotency keys, typed errors) and returns the parsed 2xx model. List operations also get
``list_all`` (every item) and, in the tenant namespaces, ``pages`` (every page) iterators that
follow the cursors.

Adding an endpoint: regenerate, then add a method to its namespace's module (and its async twin)
naming the operation module, the model it answers and the body/params; a new namespace is
exported here and attached in both clients in ``_client.py``. Until then ``cos.request(op, ...)``
calls any generated operation directly.
"""

from .admin import Admin, AsyncAdmin
from .api_keys import ApiKeys, AsyncApiKeys
from .audit_events import AsyncAuditEvents, AuditEvents, AuditFilters
from .auth import AsyncAuth, Auth
from .clients import AsyncClients, Clients
from .companies import AsyncCompanies, Companies
from .contacts import AsyncContacts, Contacts
from .custom_fields import AsyncCustomFields, CustomFields
from .events import AsyncEvents, Event, Events
from .exports import AsyncExports, Exports
from .imports import AsyncImports, Imports
from .invitations import AsyncInvitations, Invitations
from .jobs import AsyncJobs, Jobs
from .me import AsyncMe, Me
from .members import AsyncMembers, Members
from .mfa import AsyncMfa, Mfa
from .notes import AsyncNotes, Notes
from .ops import AsyncOps, Ops
from .organizations import AsyncOrganizations, Organizations
from .products import AsyncProducts, Products
from .segments import AsyncSegments, Segments
from .sessions import AsyncSessions, Sessions
from .tags import AsyncTags, Tags
from .webhooks import (
    AsyncWebhookAttempts,
    AsyncWebhookEndpoints,
    AsyncWebhookMessages,
    AsyncWebhooks,
    WebhookAttempts,
    WebhookEndpoints,
    WebhookMessages,
    Webhooks,
)

__all__ = [
    "Admin",
    "ApiKeys",
    "AsyncAdmin",
    "AsyncApiKeys",
    "AsyncAuditEvents",
    "AsyncAuth",
    "AsyncClients",
    "AsyncCompanies",
    "AsyncContacts",
    "AsyncCustomFields",
    "AsyncEvents",
    "AsyncExports",
    "AsyncImports",
    "AsyncInvitations",
    "AsyncJobs",
    "AsyncMe",
    "AsyncMembers",
    "AsyncMfa",
    "AsyncNotes",
    "AsyncOps",
    "AsyncOrganizations",
    "AsyncProducts",
    "AsyncSegments",
    "AsyncSessions",
    "AsyncTags",
    "AsyncWebhookAttempts",
    "AsyncWebhookEndpoints",
    "AsyncWebhookMessages",
    "AsyncWebhooks",
    "AuditEvents",
    "AuditFilters",
    "Auth",
    "Clients",
    "Companies",
    "Contacts",
    "CustomFields",
    "Event",
    "Events",
    "Exports",
    "Imports",
    "Invitations",
    "Jobs",
    "Me",
    "Members",
    "Mfa",
    "Notes",
    "Ops",
    "Organizations",
    "Products",
    "Segments",
    "Sessions",
    "Tags",
    "WebhookAttempts",
    "WebhookEndpoints",
    "WebhookMessages",
    "Webhooks",
]
