"""``me``: the calling principal."""

from __future__ import annotations

from .._generated.api.me import get_me, resend_email_verification
from .._generated.models import AcceptedOut, MeOut
from ._base import AsyncResource, Resource


class Me(Resource):
    """The calling principal."""

    def get(self) -> MeOut:
        """Who is calling (``principal_type`` ``user`` or ``api_key``) and for which organisation."""
        return self._client._call(get_me, MeOut)

    def resend_email_verification(self, *, idempotency_key: str | None = None) -> AcceptedOut:
        """Send the calling user a new email-verification link."""
        return self._client._call(resend_email_verification, AcceptedOut, idempotency_key=idempotency_key)


class AsyncMe(AsyncResource):
    """The calling principal."""

    async def get(self) -> MeOut:
        return await self._client._call(get_me, MeOut)

    async def resend_email_verification(self, *, idempotency_key: str | None = None) -> AcceptedOut:
        return await self._client._call(resend_email_verification, AcceptedOut, idempotency_key=idempotency_key)
