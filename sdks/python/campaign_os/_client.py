"""The configured clients: :class:`CampaignOS` (sync) and :class:`AsyncCampaignOS`."""

from __future__ import annotations

import os
import platform
from types import ModuleType, TracebackType
from typing import Any, TypeVar, overload

import httpx

from ._errors import CampaignOSError
from ._generated.client import AuthenticatedClient
from ._generated.types import Response
from ._options import call_options
from ._resources import (
    Admin,
    ApiKeys,
    AsyncAdmin,
    AsyncApiKeys,
    AsyncAuditEvents,
    AsyncAuth,
    AsyncClients,
    AsyncCompanies,
    AsyncContacts,
    AsyncCustomFields,
    AsyncEvents,
    AsyncExports,
    AsyncImports,
    AsyncInvitations,
    AsyncJobs,
    AsyncMe,
    AsyncMembers,
    AsyncMfa,
    AsyncNotes,
    AsyncOps,
    AsyncOrganizations,
    AsyncProducts,
    AsyncSegments,
    AsyncSessions,
    AsyncTags,
    AsyncWebhooks,
    AuditEvents,
    Auth,
    Clients,
    Companies,
    Contacts,
    CustomFields,
    Events,
    Exports,
    Imports,
    Invitations,
    Jobs,
    Me,
    Members,
    Mfa,
    Notes,
    Ops,
    Organizations,
    Products,
    Segments,
    Sessions,
    Tags,
    Webhooks,
)
from ._retry import AsyncRetryTransport, RetryPolicy, RetryTransport
from ._version import __version__

T = TypeVar("T")
U = TypeVar("U")

# What a resource method expects: one model type, or a tuple of them when an operation has
# several 2xx answers (login: 200 SessionOut or 202 MfaChallengeOut).
Expected = type[Any] | tuple[type[Any], ...]

BASE_URL_ENV = "CAMPAIGN_OS_BASE_URL"
DEFAULT_BASE_URL = "http://127.0.0.1:8080"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
USER_AGENT = (
    f"campaign-os-python/{__version__} python/{platform.python_version_tuple()[0]}.{platform.python_version_tuple()[1]}"
)


def _raise_for_status(response: httpx.Response) -> None:
    if not response.is_success:
        response.read()
        raise CampaignOSError.from_response(response)


async def _araise_for_status(response: httpx.Response) -> None:
    if not response.is_success:
        await response.aread()
        raise CampaignOSError.from_response(response)


def _check(response: Response[Any], expected: Expected) -> Any:
    """The parsed 2xx body if it is of the expected type(s); otherwise a typed error."""
    if isinstance(response.parsed, expected):
        return response.parsed
    names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
    raise _unexpected(response, names)


def _unexpected(response: Response[Any], expected: str) -> CampaignOSError:
    return CampaignOSError(
        f"unexpected_response: status {int(response.status_code)} with a body that is not {expected}",
        status=int(response.status_code),
        code="unexpected_response",
        body=response.content,
        headers=httpx.Headers(response.headers),
    )


class _Config:
    """Options shared by the sync and async clients."""

    def __init__(
        self,
        *,
        api_key: str | None,
        access_token: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        retry_base_delay: float,
        retry_max_delay: float,
        headers: dict[str, str] | None,
        tenant_id: str | None = None,
    ) -> None:
        if api_key is not None and access_token is not None:
            raise ValueError("pass api_key= or access_token=, not both")
        self.api_key = api_key
        self.access_token = access_token
        self.base_url = (base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.retry_policy = RetryPolicy(max_retries=max_retries, base_delay=retry_base_delay, max_delay=retry_max_delay)
        self.extra_headers = dict(headers or {})
        self.tenant_id = tenant_id

    @property
    def token(self) -> str | None:
        return self.api_key if self.api_key is not None else self.access_token

    def headers(self) -> dict[str, str]:
        out = {"User-Agent": USER_AGENT, "Accept": "application/json, application/problem+json"}
        if self.token:
            out["Authorization"] = f"Bearer {self.token}"
        if self.tenant_id:
            out["X-Tenant-Id"] = self.tenant_id
        out.update(self.extra_headers)
        return out

    def generated_client(self) -> AuthenticatedClient:
        # The httpx client is set right after; the generated client only routes calls to it.
        return AuthenticatedClient(base_url=self.base_url, token=self.token or "", timeout=self.timeout)

    def evolve(self, api_key: str | None, access_token: str | None) -> dict[str, Any]:
        return {
            "api_key": api_key,
            "access_token": access_token,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.retry_policy.max_retries,
            "retry_base_delay": self.retry_policy.base_delay,
            "retry_max_delay": self.retry_policy.max_delay,
            "headers": self.extra_headers,
            "tenant_id": self.tenant_id,
        }


class CampaignOS:
    """Synchronous Campaign OS client.

    ::

        with CampaignOS(api_key="cos_…") as cos:
            me = cos.me.get()
            for key in cos.api_keys.list_all(limit=50):
                print(key.id, key.name)

    Args:
        api_key: an API key (``cos_…``), sent as ``Authorization: Bearer``.
        access_token: a JWT access token (from signup, login or refresh), instead of ``api_key``.
            With neither, only the public operations (``auth.*``, ``invitations.accept``, ``ops.*``)
            succeed.
        base_url: the API's root URL; default ``$CAMPAIGN_OS_BASE_URL``, then
            ``http://127.0.0.1:8080``.
        timeout: seconds (or an ``httpx.Timeout``) for each attempt; default 30.
        max_retries: retries after the first attempt on network errors, 408, 429, 5xx and 409
            ``idempotency_key_in_use``; default 2. 0 disables retries.
        retry_base_delay / retry_max_delay: backoff bounds in seconds (full jitter); defaults
            0.5 and 8. A ``Retry-After`` header overrides them.
        headers: extra headers for every request.
        tenant_id: act on this client workspace (``org_…``) of your agency, sent as
            ``X-Tenant-Id``; default your own organisation.
        transport: the underlying httpx transport (tests, proxies); retries wrap it.
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        access_token: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_base_delay: float = 0.5,
        retry_max_delay: float = 8.0,
        headers: dict[str, str] | None = None,
        tenant_id: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._config = _Config(
            api_key=api_key,
            access_token=access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_base_delay=retry_base_delay,
            retry_max_delay=retry_max_delay,
            headers=headers,
            tenant_id=tenant_id,
        )
        self._transport = transport
        self._http = httpx.Client(
            base_url=self._config.base_url,
            headers=self._config.headers(),
            timeout=self._config.timeout,
            transport=RetryTransport(transport, self._config.retry_policy),
            event_hooks={"response": [_raise_for_status]},
        )
        self._api = self._config.generated_client().set_httpx_client(self._http)
        self.auth = Auth(self)
        self.me = Me(self)
        self.organizations = Organizations(self)
        self.members = Members(self)
        self.invitations = Invitations(self)
        self.clients = Clients(self)
        self.api_keys = ApiKeys(self)
        self.mfa = Mfa(self)
        self.sessions = Sessions(self)
        self.audit_events = AuditEvents(self)
        self.admin = Admin(self)
        self.ops = Ops(self)
        self.companies = Companies(self)
        self.contacts = Contacts(self)
        self.custom_fields = CustomFields(self)
        self.exports = Exports(self)
        self.imports = Imports(self)
        self.notes = Notes(self)
        self.products = Products(self)
        self.segments = Segments(self)
        self.tags = Tags(self)
        self.jobs = Jobs(self)
        self.events = Events(self)
        self.webhooks = Webhooks(self)

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def http_client(self) -> httpx.Client:
        """The configured httpx client (auth, retries, idempotency keys, errors) for raw calls."""
        return self._http

    @property
    def generated_client(self) -> AuthenticatedClient:
        """The generated client bound to :attr:`http_client`, to pass as ``client=`` to generated operations."""
        return self._api

    def with_credentials(self, *, api_key: str | None = None, access_token: str | None = None) -> CampaignOS:
        """A new client with the same options and other credentials (close it when done)."""
        return CampaignOS(**self._config.evolve(api_key, access_token), transport=self._transport)

    def request(self, op: ModuleType, /, *, idempotency_key: str | None = None, **kwargs: Any) -> Any:
        """Call any generated operation module, e.g. ``cos.request(get_api_key, id="key_…")``.

        Returns the parsed 2xx body (None for 204); raises :class:`CampaignOSError` otherwise.
        """
        with call_options(idempotency_key=idempotency_key):
            response: Response[Any] = op.sync_detailed(client=self._api, **kwargs)
        return response.parsed

    @overload
    def _call(
        self,
        op: ModuleType,
        expected: type[T],
        /,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> T: ...

    @overload
    def _call(
        self,
        op: ModuleType,
        expected: tuple[type[T], type[U]],
        /,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> T | U: ...

    @overload
    def _call(
        self,
        op: ModuleType,
        expected: tuple[type[Any], ...],
        /,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> Any: ...

    def _call(
        self,
        op: ModuleType,
        expected: Expected,
        /,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> Any:
        with call_options(idempotency_key=idempotency_key, max_retries=max_retries, stream=stream):
            response: Response[Any] = op.sync_detailed(client=self._api, **kwargs)
        return _check(response, expected)

    def _call_no_content(self, op: ModuleType, /, *, idempotency_key: str | None = None, **kwargs: Any) -> None:
        with call_options(idempotency_key=idempotency_key):
            op.sync_detailed(client=self._api, **kwargs)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CampaignOS:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        auth = "api_key" if self._config.api_key else "access_token" if self._config.access_token else "none"
        return f"CampaignOS(base_url={self.base_url!r}, auth={auth})"


class AsyncCampaignOS:
    """Asynchronous Campaign OS client; same options as :class:`CampaignOS`.

    ::

        async with AsyncCampaignOS(api_key="cos_…") as cos:
            me = await cos.me.get()
            async for key in cos.api_keys.list_all(limit=50):
                print(key.id)
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        access_token: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_base_delay: float = 0.5,
        retry_max_delay: float = 8.0,
        headers: dict[str, str] | None = None,
        tenant_id: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._config = _Config(
            api_key=api_key,
            access_token=access_token,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            retry_base_delay=retry_base_delay,
            retry_max_delay=retry_max_delay,
            headers=headers,
            tenant_id=tenant_id,
        )
        self._transport = transport
        self._http = httpx.AsyncClient(
            base_url=self._config.base_url,
            headers=self._config.headers(),
            timeout=self._config.timeout,
            transport=AsyncRetryTransport(transport, self._config.retry_policy),
            event_hooks={"response": [_araise_for_status]},
        )
        self._api = self._config.generated_client().set_async_httpx_client(self._http)
        self.auth = AsyncAuth(self)
        self.me = AsyncMe(self)
        self.organizations = AsyncOrganizations(self)
        self.members = AsyncMembers(self)
        self.invitations = AsyncInvitations(self)
        self.clients = AsyncClients(self)
        self.api_keys = AsyncApiKeys(self)
        self.mfa = AsyncMfa(self)
        self.sessions = AsyncSessions(self)
        self.audit_events = AsyncAuditEvents(self)
        self.admin = AsyncAdmin(self)
        self.ops = AsyncOps(self)
        self.companies = AsyncCompanies(self)
        self.contacts = AsyncContacts(self)
        self.custom_fields = AsyncCustomFields(self)
        self.exports = AsyncExports(self)
        self.imports = AsyncImports(self)
        self.notes = AsyncNotes(self)
        self.products = AsyncProducts(self)
        self.segments = AsyncSegments(self)
        self.tags = AsyncTags(self)
        self.jobs = AsyncJobs(self)
        self.events = AsyncEvents(self)
        self.webhooks = AsyncWebhooks(self)

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def http_client(self) -> httpx.AsyncClient:
        return self._http

    @property
    def generated_client(self) -> AuthenticatedClient:
        return self._api

    def with_credentials(self, *, api_key: str | None = None, access_token: str | None = None) -> AsyncCampaignOS:
        return AsyncCampaignOS(**self._config.evolve(api_key, access_token), transport=self._transport)

    async def request(self, op: ModuleType, /, *, idempotency_key: str | None = None, **kwargs: Any) -> Any:
        with call_options(idempotency_key=idempotency_key):
            response: Response[Any] = await op.asyncio_detailed(client=self._api, **kwargs)
        return response.parsed

    @overload
    async def _call(
        self,
        op: ModuleType,
        expected: type[T],
        /,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> T: ...

    @overload
    async def _call(
        self,
        op: ModuleType,
        expected: tuple[type[T], type[U]],
        /,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> T | U: ...

    @overload
    async def _call(
        self,
        op: ModuleType,
        expected: tuple[type[Any], ...],
        /,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> Any: ...

    async def _call(
        self,
        op: ModuleType,
        expected: Expected,
        /,
        *,
        idempotency_key: str | None = None,
        max_retries: int | None = None,
        stream: bool = False,
        **kwargs: Any,
    ) -> Any:
        with call_options(idempotency_key=idempotency_key, max_retries=max_retries, stream=stream):
            response: Response[Any] = await op.asyncio_detailed(client=self._api, **kwargs)
        return _check(response, expected)

    async def _call_no_content(self, op: ModuleType, /, *, idempotency_key: str | None = None, **kwargs: Any) -> None:
        with call_options(idempotency_key=idempotency_key):
            await op.asyncio_detailed(client=self._api, **kwargs)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncCampaignOS:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        auth = "api_key" if self._config.api_key else "access_token" if self._config.access_token else "none"
        return f"AsyncCampaignOS(base_url={self.base_url!r}, auth={auth})"
