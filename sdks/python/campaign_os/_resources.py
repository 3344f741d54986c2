"""Resource namespaces: one short method per generated operation.

Each method builds the generated request model from keyword arguments and hands the generated
operation module to the client's ``_call``/``_acall``, which runs it through the configured
httpx client (auth, retries, idempotency keys, typed errors) and returns the parsed 2xx model.

Adding an endpoint: regenerate, then add a method here (and its async twin) naming the operation
module, the model it answers and the body/params. Until then ``cos.request(op, ...)`` calls any
generated operation directly.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from ._errors import CampaignOSError
from ._generated.api.api_keys import create_api_key, delete_api_key, get_api_key, list_api_keys
from ._generated.api.auth import login, logout, signup
from ._generated.api.auth import refresh_token as refresh_token_op
from ._generated.api.me import get_me
from ._generated.api.ops import healthz, metrics, readyz
from ._generated.models import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyList,
    ApiKeyOut,
    HealthOut,
    LoginIn,
    MeOut,
    ReadinessOut,
    RefreshTokenIn,
    SessionOut,
    SignupIn,
)
from ._generated.types import UNSET, Unset
from ._pagination import apaginate, apaginate_pages, paginate, paginate_pages

if TYPE_CHECKING:
    from ._client import AsyncCampaignOS, CampaignOS


def _str(value: str | None) -> str | Unset:
    return UNSET if value is None else value


def _int(value: int | None) -> int | Unset:
    return UNSET if value is None else value


def _readiness(err: CampaignOSError) -> ReadinessOut:
    """``/readyz`` documents its 503 with a ReadinessOut body, not a problem."""
    import json

    if err.status == 503:
        try:
            return ReadinessOut.from_dict(json.loads(err.body))
        except (ValueError, KeyError, TypeError):
            pass
    raise err


# --------------------------------------------------------------------------------------------
# sync


class _Resource:
    def __init__(self, client: CampaignOS) -> None:
        self._client = client


class Auth(_Resource):
    """Sign-up, login and session tokens (public operations: no credentials needed)."""

    def signup(
        self,
        *,
        email: str,
        password: str,
        organization_name: str,
        name: str | None = None,
        idempotency_key: str | None = None,
    ) -> SessionOut:
        """Create a user, a new organisation with the user as owner, and a session."""
        body = SignupIn(email=email, password=password, organization_name=organization_name, name=_str(name))
        return self._client._call(signup, SessionOut, body=body, idempotency_key=idempotency_key)

    def login(self, *, email: str, password: str, idempotency_key: str | None = None) -> SessionOut:
        """Start a session with email and password (acts on the user's oldest organisation)."""
        body = LoginIn(email=email, password=password)
        return self._client._call(login, SessionOut, body=body, idempotency_key=idempotency_key)

    def refresh(self, *, refresh_token: str, idempotency_key: str | None = None) -> SessionOut:
        """Rotate a refresh token: returns a new access token and a new refresh token."""
        body = RefreshTokenIn(refresh_token=refresh_token)
        return self._client._call(refresh_token_op, SessionOut, body=body, idempotency_key=idempotency_key)

    def logout(self, *, refresh_token: str, idempotency_key: str | None = None) -> None:
        """Revoke the refresh token's whole session."""
        body = RefreshTokenIn(refresh_token=refresh_token)
        self._client._call_no_content(logout, body=body, idempotency_key=idempotency_key)


class Me(_Resource):
    """The calling principal."""

    def get(self) -> MeOut:
        """Who is calling (``principal_type`` ``user`` or ``api_key``) and for which organisation."""
        return self._client._call(get_me, MeOut)


class ApiKeys(_Resource):
    """Organisation API keys."""

    def create(self, *, name: str, idempotency_key: str | None = None) -> ApiKeyCreatedOut:
        """Create a key; the response's ``secret`` is shown only this once."""
        return self._client._call(
            create_api_key, ApiKeyCreatedOut, body=ApiKeyIn(name=name), idempotency_key=idempotency_key
        )

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> ApiKeyList:
        """One page of live keys, oldest first."""
        return self._client._call(list_api_keys, ApiKeyList, limit=_int(limit), cursor=_str(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[ApiKeyOut]:
        """Every live key, oldest first, fetching ``limit`` per page."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[ApiKeyList]:
        """Every page of live keys."""
        return paginate_pages(self.list, limit=limit)

    def get(self, id: str) -> ApiKeyOut:
        """One key by id (``key_…``)."""
        return self._client._call(get_api_key, ApiKeyOut, id=id)

    def delete(self, id: str) -> None:
        """Revoke a key."""
        self._client._call_no_content(delete_api_key, id=id)


class Ops(_Resource):
    """Health, readiness and metrics (unauthenticated operator endpoints)."""

    def healthz(self) -> HealthOut:
        return self._client._call(healthz, HealthOut)

    def readyz(self) -> ReadinessOut:
        """Readiness; a 503 "unavailable" is returned as a ReadinessOut too (and not retried)."""
        try:
            return self._client._call(readyz, ReadinessOut, max_retries=0)
        except CampaignOSError as err:
            return _readiness(err)

    def metrics(self) -> str:
        """Prometheus text exposition."""
        return self._client._call(metrics, str)


# --------------------------------------------------------------------------------------------
# async


class _AsyncResource:
    def __init__(self, client: AsyncCampaignOS) -> None:
        self._client = client


class AsyncAuth(_AsyncResource):
    """Sign-up, login and session tokens (public operations: no credentials needed)."""

    async def signup(
        self,
        *,
        email: str,
        password: str,
        organization_name: str,
        name: str | None = None,
        idempotency_key: str | None = None,
    ) -> SessionOut:
        body = SignupIn(email=email, password=password, organization_name=organization_name, name=_str(name))
        return await self._client._call(signup, SessionOut, body=body, idempotency_key=idempotency_key)

    async def login(self, *, email: str, password: str, idempotency_key: str | None = None) -> SessionOut:
        body = LoginIn(email=email, password=password)
        return await self._client._call(login, SessionOut, body=body, idempotency_key=idempotency_key)

    async def refresh(self, *, refresh_token: str, idempotency_key: str | None = None) -> SessionOut:
        body = RefreshTokenIn(refresh_token=refresh_token)
        return await self._client._call(refresh_token_op, SessionOut, body=body, idempotency_key=idempotency_key)

    async def logout(self, *, refresh_token: str, idempotency_key: str | None = None) -> None:
        body = RefreshTokenIn(refresh_token=refresh_token)
        await self._client._call_no_content(logout, body=body, idempotency_key=idempotency_key)


class AsyncMe(_AsyncResource):
    """The calling principal."""

    async def get(self) -> MeOut:
        return await self._client._call(get_me, MeOut)


class AsyncApiKeys(_AsyncResource):
    """Organisation API keys."""

    async def create(self, *, name: str, idempotency_key: str | None = None) -> ApiKeyCreatedOut:
        return await self._client._call(
            create_api_key, ApiKeyCreatedOut, body=ApiKeyIn(name=name), idempotency_key=idempotency_key
        )

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> ApiKeyList:
        return await self._client._call(list_api_keys, ApiKeyList, limit=_int(limit), cursor=_str(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[ApiKeyOut]:
        """``async for key in acos.api_keys.list_all(limit=50)``."""
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[ApiKeyList]:
        return apaginate_pages(self.list, limit=limit)

    async def get(self, id: str) -> ApiKeyOut:
        return await self._client._call(get_api_key, ApiKeyOut, id=id)

    async def delete(self, id: str) -> None:
        await self._client._call_no_content(delete_api_key, id=id)


class AsyncOps(_AsyncResource):
    """Health, readiness and metrics (unauthenticated operator endpoints)."""

    async def healthz(self) -> HealthOut:
        return await self._client._call(healthz, HealthOut)

    async def readyz(self) -> ReadinessOut:
        try:
            return await self._client._call(readyz, ReadinessOut, max_retries=0)
        except CampaignOSError as err:
            return _readiness(err)

    async def metrics(self) -> str:
        return await self._client._call(metrics, str)
