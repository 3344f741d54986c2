"""Sign-up, login, refresh, logout and /v1/me with the sync client against the live server."""

from __future__ import annotations

import pytest

from campaign_os import CampaignOS, CampaignOSError
from campaign_os.models import PrincipalType, Role, SessionOut
from conftest import FAST, PASSWORD, Account, Proxy, unique_email


def test_signup_returns_a_session(public: CampaignOS) -> None:
    email = unique_email()
    session = public.auth.signup(email=email, password=PASSWORD, organization_name="Acme", name="Ada")

    assert isinstance(session, SessionOut)
    assert session.token_type == "Bearer"
    assert session.access_token and session.expires_in > 0
    assert session.refresh_token.startswith("rt_")
    assert session.user.email == email
    assert session.user.name == "Ada"
    assert session.user.id.startswith("usr_")
    assert session.organization.name == "Acme"
    assert session.organization.id.startswith("org_")
    assert session.role == Role.OWNER


def test_login_and_me_with_the_access_token(base_url: str, public: CampaignOS, account: Account) -> None:
    session = public.auth.login(email=account.email, password=account.password)
    assert session.user.id == account.session.user.id
    assert (
        session.access_token != account.session.access_token or session.refresh_token != account.session.refresh_token
    )

    with public.with_credentials(access_token=session.access_token) as cos:
        me = cos.me.get()
    assert me.principal_type == PrincipalType.USER
    assert me.principal_type == "user"
    assert me.user is not None and me.user.email == account.email
    assert me.api_key is None
    assert me.organization.id == account.session.organization.id
    assert me.role == Role.OWNER


def test_login_with_a_wrong_password_is_401(public: CampaignOS, account: Account) -> None:
    with pytest.raises(CampaignOSError) as info:
        public.auth.login(email=account.email, password="not-the-password-at-all")
    err = info.value
    assert err.status == 401
    assert err.code == "invalid_credentials"
    assert err.request_id and err.request_id.startswith("req_")


def test_refresh_rotates_and_logout_revokes(public: CampaignOS, account: Account) -> None:
    rotated = public.auth.refresh(refresh_token=account.session.refresh_token)
    assert rotated.refresh_token != account.session.refresh_token
    assert rotated.user.id == account.session.user.id

    assert public.auth.logout(refresh_token=rotated.refresh_token) is None

    with pytest.raises(CampaignOSError) as info:
        public.auth.refresh(refresh_token=rotated.refresh_token)
    assert info.value.status == 401
    assert info.value.code == "invalid_refresh_token"


def test_me_without_credentials_is_401(public: CampaignOS) -> None:
    with pytest.raises(CampaignOSError) as info:
        public.me.get()
    assert info.value.status == 401
    assert info.value.code == "missing_credentials"
    assert info.value.headers.get("www-authenticate", "").lower().startswith("bearer")


def test_signup_with_a_taken_email_is_409_and_not_retried(proxy_url: str, proxy: Proxy, account: Account) -> None:
    with CampaignOS(base_url=proxy_url, **FAST) as cos:
        with pytest.raises(CampaignOSError) as info:
            cos.auth.signup(email=account.email.upper(), password=PASSWORD, organization_name="Again")
    err = info.value
    assert err.status == 409
    assert err.code == "email_taken"
    attempts = proxy.requests("POST", "/v1/auth/signup")
    assert len(attempts) == 1, attempts
    assert attempts[0]["status"] == 409


def test_signup_validation_error_lists_the_field(public: CampaignOS) -> None:
    with pytest.raises(CampaignOSError) as info:
        public.auth.signup(email=unique_email(), password="short", organization_name="Acme")
    err = info.value
    assert err.status == 422
    assert err.code == "validation_failed"
    assert [e.field for e in err.errors] == ["password"]
    assert err.errors[0].code == "too_short"
    assert "password" in str(err)
