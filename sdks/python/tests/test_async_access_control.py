"""The access-control namespaces with AsyncCampaignOS (live server), run with anyio's plugin."""

from __future__ import annotations

import pytest

from campaign_os import AsyncCampaignOS, CampaignOS, CampaignOSError
from campaign_os.models import MfaChallengeOut, OrganizationKind, Role, SessionOut
from conftest import (
    FAST,
    PASSWORD,
    OperatorCredentials,
    current_step,
    invitation_token,
    problem,
    totp,
    unique_email,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_async_agency_invitation_members_and_scoped_key(
    base_url: str, operator_credentials: OperatorCredentials
) -> None:
    owner_email = unique_email()
    async with AsyncCampaignOS(base_url=base_url, **FAST) as public:
        owner = await public.auth.signup(email=owner_email, password=PASSWORD, organization_name="Async Agency")
        op_session = await public.auth.login(email=operator_credentials.email, password=operator_credentials.password)
        assert isinstance(op_session, SessionOut)

    async with AsyncCampaignOS(base_url=base_url, access_token=owner.access_token, **FAST) as cos:
        agency = await cos.organizations.update(kind="agency")
        assert agency.kind == OrganizationKind.AGENCY
        client = await cos.clients.create(name="Async Client")
        assert (await cos.clients.get(client.id)).parent_id == agency.id
        assert [c.id async for c in cos.clients.list_all()] == [client.id]
        assert [m.organization.id for m in await cos.organizations.list_mine()] == [agency.id]

    invitee = unique_email()
    async with AsyncCampaignOS(base_url=base_url, access_token=owner.access_token, tenant_id=client.id, **FAST) as ten:
        invitation = await ten.invitations.create(email=invitee, role="member")
        assert [i.id async for i in ten.invitations.list_all()] == [invitation.id]
        key = await ten.api_keys.create(name="async reader", scopes=["members:read"])
        rotated = await ten.api_keys.rotate(key.id, grace_period_secs=60)
        assert rotated.previous_secret_expires_at is not None

    with CampaignOS(base_url=base_url, access_token=op_session.access_token, **FAST) as operator:
        token = invitation_token(operator, invitee)
    async with AsyncCampaignOS(base_url=base_url, **FAST) as public:
        joined = await public.invitations.accept(token=token, password=PASSWORD)
    assert (joined.organization.id, joined.role) == (client.id, Role.MEMBER)

    async with AsyncCampaignOS(base_url=base_url, api_key=rotated.secret, **FAST) as robot:
        assert [m.email async for m in robot.members.list_all()] == [invitee]
        with pytest.raises(CampaignOSError) as info:
            await robot.members.update(joined.user.id, role="viewer")
        assert info.value.code == "insufficient_scope"
        assert problem(info.value)["required_scope"] == "members:write"

    async with AsyncCampaignOS(base_url=base_url, access_token=owner.access_token, tenant_id=client.id, **FAST) as ten:
        assert (await ten.members.update(joined.user.id, role="viewer")).role == Role.VIEWER
        await ten.members.remove(joined.user.id)
        assert (await ten.members.list()).data == []
        with pytest.raises(CampaignOSError) as info:
            await ten.invitations.revoke(invitation.id)
        assert (info.value.status, info.value.code) == (409, "invitation_not_pending")
        actions = [e.action async for e in ten.audit_events.list_all(order="desc", limit=50)]
        assert "member.removed" in actions and "api_key.rotated" in actions


async def test_async_2fa_login_and_sessions(base_url: str) -> None:
    email = unique_email()
    async with AsyncCampaignOS(base_url=base_url, **FAST) as public:
        session = await public.auth.signup(email=email, password=PASSWORD, organization_name="Async 2FA")
        async with public.with_credentials(access_token=session.access_token) as cos:
            enrolment = await cos.mfa.enrol_totp()
            step = current_step()
            codes = (await cos.mfa.confirm_totp(code=totp(enrolment.secret, step))).recovery_codes
            assert len(codes) == 10

            challenge = await public.auth.login(email=email, password=PASSWORD)
            assert isinstance(challenge, MfaChallengeOut)
            second = await public.auth.login_mfa(challenge_token=challenge.challenge_token, code=codes[0])
            assert isinstance(second, SessionOut)

            sessions = [s async for s in cos.sessions.list_all()]
            assert [s.current for s in sessions] == [True, False]
            await cos.sessions.revoke(sessions[1].id)
            assert len((await cos.sessions.list()).data) == 1

            new_codes = (await cos.mfa.regenerate_recovery_codes(code=totp(enrolment.secret, step + 1))).recovery_codes
            await cos.mfa.disable_totp(code=new_codes[0])
            assert isinstance(await public.auth.login(email=email, password=PASSWORD), SessionOut)
