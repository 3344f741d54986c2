"""Agencies and client workspaces: X-Tenant-Id via tenant_id=, keys inside a client (live server)."""

from __future__ import annotations

import pytest

from campaign_os import CampaignOS, CampaignOSError
from campaign_os.models import ClientList, ClientOut, OrganizationDetailOut, OrganizationKind, PrincipalType, Role
from conftest import FAST, PASSWORD, Account, invitation_token, problem, unique_email


def in_client(base_url: str, account: Account, client_id: str) -> CampaignOS:
    """The account's owner acting on a client workspace (``X-Tenant-Id``)."""
    return CampaignOS(base_url=base_url, access_token=account.session.access_token, tenant_id=client_id, **FAST)


def make_agency(cos: CampaignOS) -> OrganizationDetailOut:
    agency = cos.organizations.update(kind="agency", name="Py Agency")
    assert isinstance(agency, OrganizationDetailOut)
    assert (agency.kind, agency.name) == (OrganizationKind.AGENCY, "Py Agency")
    return agency


def test_agency_creates_a_client_and_acts_on_it_with_a_key_created_inside(
    base_url: str, cos: CampaignOS, account: Account
) -> None:
    agency = make_agency(cos)
    assert cos.organizations.get().kind == "agency"

    client = cos.clients.create(name="Globex")
    assert isinstance(client, ClientOut)
    assert client.id.startswith("org_") and client.parent_id == agency.id
    page = cos.clients.list()
    assert isinstance(page, ClientList)
    assert [c.id for c in page.data] == [client.id]
    assert cos.clients.get(client.id).name == "Globex"
    assert [c.id for c in cos.clients.list_all(limit=1)] == [client.id]

    # The owner acts on the client by sending X-Tenant-Id.
    with in_client(base_url, account, client.id) as tenant:
        detail = tenant.organizations.get()
        assert (detail.id, detail.kind, detail.parent_id) == (client.id, OrganizationKind.CLIENT, agency.id)
        assert tenant.members.list().data == []  # agency members are not members of the client
        key = tenant.api_keys.create(name="globex reader", scopes=["organization:read", "members:read"])
        assert key.scopes == ["organization:read", "members:read"]
        assert [k.id for k in tenant.api_keys.list().data] == [key.id]
        # Clients cannot have clients.
        with pytest.raises(CampaignOSError) as info:
            tenant.clients.create(name="Nested")
        assert (info.value.status, info.value.code) == (409, "not_an_agency")
    assert key.id not in [k.id for k in cos.api_keys.list_all()]  # the key belongs to the client

    # The key acts on the client without any header, and only with its scopes.
    with CampaignOS(base_url=base_url, api_key=key.secret, **FAST) as robot:
        me = robot.me.get()
        assert me.principal_type == PrincipalType.API_KEY and me.organization.id == client.id
        assert robot.organizations.get().name == "Globex"
        with pytest.raises(CampaignOSError) as info:
            robot.organizations.update(name="Renamed")
        assert (info.value.status, info.value.code) == (403, "insufficient_scope")
        assert problem(info.value)["required_scope"] == "organization:write"

    # The agency is invisible from the client's key.
    with CampaignOS(base_url=base_url, api_key=key.secret, tenant_id=agency.id, **FAST) as upwards:
        with pytest.raises(CampaignOSError) as info:
            upwards.organizations.get()
    assert (info.value.status, info.value.code) == (404, "not_found")


def test_client_members_are_invited_from_inside_the_client(
    base_url: str, cos: CampaignOS, public: CampaignOS, operator: CampaignOS, account: Account
) -> None:
    make_agency(cos)
    globex = cos.clients.create(name="Globex")
    initech = cos.clients.create(name="Initech")

    invitee = unique_email()
    with in_client(base_url, account, globex.id) as tenant:
        tenant.invitations.create(email=invitee, role="admin")
    session = public.invitations.accept(token=invitation_token(operator, invitee), password=PASSWORD)
    assert (session.organization.id, session.role) == (globex.id, Role.ADMIN)

    with in_client(base_url, account, initech.id) as other:
        assert other.invitations.list().data == []  # Initech sees nothing of Globex
    with CampaignOS(base_url=base_url, access_token=session.access_token, **FAST) as grace:
        assert grace.organizations.get().id == globex.id
        assert [m.email for m in grace.members.list_all()] == [invitee]


def test_allowed_organization_ids_restrict_an_agency_key(base_url: str, cos: CampaignOS) -> None:
    make_agency(cos)
    globex = cos.clients.create(name="Globex")
    initech = cos.clients.create(name="Initech")
    key = cos.api_keys.create(name="globex only", allowed_organization_ids=[globex.id], scopes=["organization:read"])
    assert key.allowed_organization_ids == [globex.id]

    with CampaignOS(base_url=base_url, api_key=key.secret, tenant_id=globex.id, **FAST) as robot:
        assert robot.organizations.get().id == globex.id
    with CampaignOS(base_url=base_url, api_key=key.secret, tenant_id=initech.id, **FAST) as robot:
        with pytest.raises(CampaignOSError) as info:
            robot.organizations.get()
    assert (info.value.status, info.value.code) == (404, "not_found")
