"""``auth``: sign-up, login (with its second factor), session tokens, email verification and
password reset. All public: no credentials needed."""

from __future__ import annotations

from .._generated.api.auth import (
    confirm_password_reset,
    login,
    login_mfa,
    logout,
    request_password_reset,
    signup,
    verify_email,
)
from .._generated.api.auth import refresh_token as refresh_token_op
from .._generated.models import (
    AcceptedOut,
    EmailTokenIn,
    LoginIn,
    MfaChallengeOut,
    MfaLoginIn,
    PasswordResetConfirmIn,
    PasswordResetIn,
    RefreshTokenIn,
    SessionOut,
    SignupIn,
)
from ._base import AsyncResource, Resource, opt


class Auth(Resource):
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
        body = SignupIn(email=email, password=password, organization_name=organization_name, name=opt(name))
        return self._client._call(signup, SessionOut, body=body, idempotency_key=idempotency_key)

    def login(self, *, email: str, password: str, idempotency_key: str | None = None) -> SessionOut | MfaChallengeOut:
        """Start a session with email and password (acts on the user's oldest organisation).

        With two-factor authentication on, the answer is an :class:`MfaChallengeOut` instead:
        finish with :meth:`login_mfa`.
        """
        body = LoginIn(email=email, password=password)
        return self._client._call(login, (SessionOut, MfaChallengeOut), body=body, idempotency_key=idempotency_key)

    def login_mfa(self, *, challenge_token: str, code: str, idempotency_key: str | None = None) -> SessionOut:
        """Finish a login with a TOTP code or an unused recovery code."""
        body = MfaLoginIn(challenge_token=challenge_token, code=code)
        return self._client._call(login_mfa, SessionOut, body=body, idempotency_key=idempotency_key)

    def refresh(self, *, refresh_token: str, idempotency_key: str | None = None) -> SessionOut:
        """Rotate a refresh token: returns a new access token and a new refresh token."""
        body = RefreshTokenIn(refresh_token=refresh_token)
        return self._client._call(refresh_token_op, SessionOut, body=body, idempotency_key=idempotency_key)

    def logout(self, *, refresh_token: str, idempotency_key: str | None = None) -> None:
        """Revoke the refresh token's whole session."""
        body = RefreshTokenIn(refresh_token=refresh_token)
        self._client._call_no_content(logout, body=body, idempotency_key=idempotency_key)

    def verify_email(self, *, token: str, idempotency_key: str | None = None) -> None:
        """Verify an email address with the token from the verification email."""
        body = EmailTokenIn(token=token)
        self._client._call_no_content(verify_email, body=body, idempotency_key=idempotency_key)

    def request_password_reset(self, *, email: str, idempotency_key: str | None = None) -> AcceptedOut:
        """Ask for a password-reset email (the same answer whether or not the address is registered)."""
        body = PasswordResetIn(email=email)
        return self._client._call(request_password_reset, AcceptedOut, body=body, idempotency_key=idempotency_key)

    def confirm_password_reset(self, *, token: str, new_password: str, idempotency_key: str | None = None) -> None:
        """Set a new password with the token from the password-reset email."""
        body = PasswordResetConfirmIn(token=token, new_password=new_password)
        self._client._call_no_content(confirm_password_reset, body=body, idempotency_key=idempotency_key)


class AsyncAuth(AsyncResource):
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
        body = SignupIn(email=email, password=password, organization_name=organization_name, name=opt(name))
        return await self._client._call(signup, SessionOut, body=body, idempotency_key=idempotency_key)

    async def login(
        self, *, email: str, password: str, idempotency_key: str | None = None
    ) -> SessionOut | MfaChallengeOut:
        body = LoginIn(email=email, password=password)
        return await self._client._call(
            login, (SessionOut, MfaChallengeOut), body=body, idempotency_key=idempotency_key
        )

    async def login_mfa(self, *, challenge_token: str, code: str, idempotency_key: str | None = None) -> SessionOut:
        body = MfaLoginIn(challenge_token=challenge_token, code=code)
        return await self._client._call(login_mfa, SessionOut, body=body, idempotency_key=idempotency_key)

    async def refresh(self, *, refresh_token: str, idempotency_key: str | None = None) -> SessionOut:
        body = RefreshTokenIn(refresh_token=refresh_token)
        return await self._client._call(refresh_token_op, SessionOut, body=body, idempotency_key=idempotency_key)

    async def logout(self, *, refresh_token: str, idempotency_key: str | None = None) -> None:
        body = RefreshTokenIn(refresh_token=refresh_token)
        await self._client._call_no_content(logout, body=body, idempotency_key=idempotency_key)

    async def verify_email(self, *, token: str, idempotency_key: str | None = None) -> None:
        body = EmailTokenIn(token=token)
        await self._client._call_no_content(verify_email, body=body, idempotency_key=idempotency_key)

    async def request_password_reset(self, *, email: str, idempotency_key: str | None = None) -> AcceptedOut:
        body = PasswordResetIn(email=email)
        return await self._client._call(request_password_reset, AcceptedOut, body=body, idempotency_key=idempotency_key)

    async def confirm_password_reset(
        self, *, token: str, new_password: str, idempotency_key: str | None = None
    ) -> None:
        body = PasswordResetConfirmIn(token=token, new_password=new_password)
        await self._client._call_no_content(confirm_password_reset, body=body, idempotency_key=idempotency_key)
