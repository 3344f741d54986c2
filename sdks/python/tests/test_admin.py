"""Operator operations (admin.*) with the platform operator's account (live server)."""

from __future__ import annotations

import pytest

from campaign_os import CampaignOS, CampaignOSError
from campaign_os.models import AdminOrganizationList, AdminOrganizationOut, SandboxEmailList
from conftest import Account, unique_email


def test_find_suspend_and_unsuspend_an_organization(operator: CampaignOS, cos: CampaignOS, account: Account) -> None:
    org_id = account.session.organization.id
    found = operator.admin.list_organizations(q=org_id)
    assert isinstance(found, AdminOrganizationList)
    assert [o.id for o in found.data] == [org_id]
    assert [o.id for o in operator.admin.list_all_organizations(q=org_id, limit=1)] == [org_id]

    org = operator.admin.get_organization(org_id)
    assert isinstance(org, AdminOrganizationOut)
    assert (org.name, org.kind, org.suspended_at) == ("Py SDK Test Org", "standard", None)

    suspended = operator.admin.suspend_organization(org_id, reason="Py SDK test")
    assert suspended.suspended_at is not None
    with pytest.raises(CampaignOSError) as info:
        cos.me.get()
    assert (info.value.status, info.value.code) == (403, "organization_suspended")

    assert operator.admin.unsuspend_organization(org_id).suspended_at is None
    assert cos.me.get().organization.id == org_id

    actions = [e.action for e in operator.admin.list_all_audit_events(organization_id=org_id, limit=2)]
    assert actions[-2:] == ["organization.suspended", "organization.unsuspended"]
    newest = operator.admin.list_audit_events(organization_id=org_id, order="desc", action="organization.suspended")
    assert [e.action for e in newest.data] == ["organization.suspended"]
    assert newest.data[0].metadata.additional_properties.get("reason") == "Py SDK test"


def test_sandbox_mailbox_keeps_outgoing_mail(operator: CampaignOS, cos: CampaignOS) -> None:
    invitee = unique_email()
    cos.invitations.create(email=invitee, role="member")
    mail = operator.admin.list_sandbox_emails(to=invitee.upper())
    assert isinstance(mail, SandboxEmailList)
    assert [m.to for m in mail.data] == [invitee]
    assert mail.data[0].id.startswith("eml_") and "inv_" in mail.data[0].text
    assert [m.id for m in operator.admin.list_all_sandbox_emails(to=invitee)] == [mail.data[0].id]


def test_admin_operations_are_invisible_to_everyone_else(cos: CampaignOS, account: Account) -> None:
    with pytest.raises(CampaignOSError) as info:
        cos.admin.list_organizations()
    assert (info.value.status, info.value.code) == (404, "not_found")
    with pytest.raises(CampaignOSError) as info:
        cos.admin.get_organization(account.session.organization.id)
    assert info.value.status == 404
