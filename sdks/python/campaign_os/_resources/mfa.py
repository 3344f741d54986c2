"""``mfa``: the calling user's two-factor authentication (TOTP and recovery codes)."""

from __future__ import annotations

from .._generated.api.mfa import confirm_totp, disable_totp, enrol_totp, regenerate_recovery_codes
from .._generated.models import MfaCodeIn, RecoveryCodesOut, TotpEnrolmentOut
from ._base import AsyncResource, Resource


class Mfa(Resource):
    """Two-factor authentication of the calling user (access tokens only, not API keys)."""

    def enrol_totp(self, *, idempotency_key: str | None = None) -> TotpEnrolmentOut:
        """A new TOTP secret (base32 and ``otpauth://`` URI); 2FA is on once :meth:`confirm_totp` succeeds."""
        return self._client._call(enrol_totp, TotpEnrolmentOut, idempotency_key=idempotency_key)

    def confirm_totp(self, *, code: str, idempotency_key: str | None = None) -> RecoveryCodesOut:
        """Turn 2FA on with a code from the authenticator app; returns the recovery codes (shown once)."""
        return self._client._call(
            confirm_totp, RecoveryCodesOut, body=MfaCodeIn(code=code), idempotency_key=idempotency_key
        )

    def disable_totp(self, *, code: str, idempotency_key: str | None = None) -> None:
        """Turn 2FA off, proving it with a TOTP code or a recovery code."""
        self._client._call_no_content(disable_totp, body=MfaCodeIn(code=code), idempotency_key=idempotency_key)

    def regenerate_recovery_codes(self, *, code: str, idempotency_key: str | None = None) -> RecoveryCodesOut:
        """Replace the recovery codes (the old ones stop working), proving it with a TOTP code."""
        return self._client._call(
            regenerate_recovery_codes, RecoveryCodesOut, body=MfaCodeIn(code=code), idempotency_key=idempotency_key
        )


class AsyncMfa(AsyncResource):
    """Two-factor authentication of the calling user (access tokens only, not API keys)."""

    async def enrol_totp(self, *, idempotency_key: str | None = None) -> TotpEnrolmentOut:
        return await self._client._call(enrol_totp, TotpEnrolmentOut, idempotency_key=idempotency_key)

    async def confirm_totp(self, *, code: str, idempotency_key: str | None = None) -> RecoveryCodesOut:
        return await self._client._call(
            confirm_totp, RecoveryCodesOut, body=MfaCodeIn(code=code), idempotency_key=idempotency_key
        )

    async def disable_totp(self, *, code: str, idempotency_key: str | None = None) -> None:
        await self._client._call_no_content(disable_totp, body=MfaCodeIn(code=code), idempotency_key=idempotency_key)

    async def regenerate_recovery_codes(self, *, code: str, idempotency_key: str | None = None) -> RecoveryCodesOut:
        return await self._client._call(
            regenerate_recovery_codes, RecoveryCodesOut, body=MfaCodeIn(code=code), idempotency_key=idempotency_key
        )
