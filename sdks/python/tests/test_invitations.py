"""Invitations, members, memberships and switching organisation (live server; operator mailbox)."""

from __future__ import annotations

import pytest

from campaign_os import CampaignOS, CampaignOSError
from campaign_os.models import InvitationList, InvitationOut, InvitationStatus, Role, SessionOut
from conftest import FAST, PASSWORD, Account, invitation_token, problem, signup, unique_email


def test_invite_list_revoke_and_accept_as_a_new_user(
    cos: CampaignOS, public: CampaignOS, operator: CampaignOS, account: Account
) -> None:
    invitee, other = unique_email(), unique_email()
    invitation = cos.invitations.create(email=invitee, role="member")
    assert isinstance(invitation, InvitationOut)
    assert invitation.id.startswith("inv_")
    assert (invitation.email, invitation.role, invitation.status) == (invitee, Role.MEMBER, InvitationStatus.PENDING)
    assert invitation.invited_by == account.session.user.id
    revoked = cos.invitations.create(email=other, role=Role.VIEWER)

    page = cos.invitations.list()
    assert isinstance(page, InvitationList)
    assert [(i.id, i.status) for i in page.data] == [(invitation.id, "pending"), (revoked.id, "pending")]
    assert cos.organizations.get().seats_used == 3  # the owner and two pending invitations

    assert cos.invitations.revoke(revoked.id) is None
    statuses = {i.id: i.status for i in cos.invitations.list_all(limit=1)}
    assert statuses == {invitation.id: InvitationStatus.PENDING, revoked.id: InvitationStatus.REVOKED}

    # The revoked invitation's token is dead.
    with pytest.raises(CampaignOSError) as info:
        public.invitations.accept(token=invitation_token(operator, other), password=PASSWORD)
    assert (info.value.status, info.value.code) == (400, "invalid_invitation")

    # The invitee has no account: accepting creates it and starts a session in the organisation.
    token = invitation_token(operator, invitee)
    session = public.invitations.accept(token=token, password=PASSWORD, name="Grace")
    assert isinstance(session, SessionOut)
    assert session.user.email == invitee and session.user.name == "Grace"
    assert session.organization.id == account.session.organization.id
    assert session.role == Role.MEMBER

    assert [i.status for i in cos.invitations.list().data] == ["accepted", "revoked"]
    members = {m.email: m.role for m in cos.members.list_all()}
    assert members == {account.email: Role.OWNER, invitee: Role.MEMBER}

    # A token works once.
    with pytest.raises(CampaignOSError) as info:
        public.invitations.accept(token=token, password=PASSWORD)
    assert (info.value.status, info.value.code) == (400, "invalid_invitation")


def test_an_existing_user_accepts_then_switches_and_is_managed(
    base_url: str, cos: CampaignOS, public: CampaignOS, operator: CampaignOS, account: Account
) -> None:
    guest = signup(public)
    cos.invitations.create(email=guest.email, role="admin")

    with CampaignOS(base_url=base_url, access_token=guest.session.access_token, **FAST) as client:
        joined = client.invitations.accept(token=invitation_token(operator, guest.email))
        assert (joined.organization.id, joined.role) == (account.session.organization.id, Role.ADMIN)

        mine = {m.organization.id: m.role for m in client.organizations.list_mine()}
        assert mine == {guest.session.organization.id: Role.OWNER, account.session.organization.id: Role.ADMIN}

        switched = client.organizations.switch(account.session.organization.id)
        assert switched.organization.id == account.session.organization.id and switched.role == Role.ADMIN
    with CampaignOS(base_url=base_url, access_token=switched.access_token, **FAST) as client:
        assert client.organizations.get().id == account.session.organization.id

    user_id = guest.session.user.id
    updated = cos.members.update(user_id, role=Role.VIEWER)
    assert (updated.user_id, updated.email, updated.role) == (user_id, guest.email, Role.VIEWER)
    assert [m.role for m in cos.members.list(limit=10).data if m.user_id == user_id] == [Role.VIEWER]

    assert cos.members.remove(user_id) is None
    assert [m.email for m in cos.members.list_all()] == [account.email]
    with CampaignOS(base_url=base_url, access_token=guest.session.access_token, **FAST) as client:
        assert [m.organization.id for m in client.organizations.list_mine()] == [guest.session.organization.id]


def test_only_owners_and_admins_invite(
    base_url: str, cos: CampaignOS, public: CampaignOS, operator: CampaignOS
) -> None:
    viewer_email = unique_email()
    cos.invitations.create(email=viewer_email, role="viewer")
    viewer = public.invitations.accept(token=invitation_token(operator, viewer_email), password=PASSWORD)
    with CampaignOS(base_url=base_url, access_token=viewer.access_token, **FAST) as client:
        with pytest.raises(CampaignOSError) as info:
            client.invitations.create(email=unique_email(), role="member")
    assert (info.value.status, info.value.code) == (403, "forbidden")
    assert problem(info.value)["required_scope"] == "invitations:write"
