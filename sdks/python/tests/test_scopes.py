"""Scoped API keys: what a key may do, and the 403 problem naming the missing scope (live server)."""

from __future__ import annotations

import datetime

import pytest

from campaign_os import CampaignOS, CampaignOSError
from campaign_os.models import ApiKeyCreatedOut, MemberList
from conftest import FAST, Account, problem


def test_a_key_scoped_to_members_read_is_refused_elsewhere_with_the_scope_named(
    base_url: str, cos: CampaignOS, account: Account
) -> None:
    expires_at = datetime.datetime.now(datetime.UTC).replace(microsecond=0) + datetime.timedelta(days=30)
    created = cos.api_keys.create(name="members reader", scopes=["members:read"], expires_at=expires_at)
    assert isinstance(created, ApiKeyCreatedOut)
    assert created.scopes == ["members:read"]
    assert created.expires_at == expires_at
    assert created.allowed_organization_ids is None

    with CampaignOS(base_url=base_url, api_key=created.secret, **FAST) as robot:
        members = robot.members.list()
        assert isinstance(members, MemberList)
        assert [m.email for m in members.data] == [account.email]

        with pytest.raises(CampaignOSError) as info:
            robot.api_keys.list()
        err = info.value
        assert err.status == 403
        assert err.code == "insufficient_scope"
        assert problem(err)["required_scope"] == "api_keys:read"
        assert "api_keys:read" in err.detail

        # Read does not imply write.
        with pytest.raises(CampaignOSError) as info:
            robot.members.update(account.session.user.id, role="admin")
        assert info.value.code == "insufficient_scope"
        assert problem(info.value)["required_scope"] == "members:write"


def test_keys_created_without_scopes_hold_every_scope_and_an_unknown_scope_is_422(cos: CampaignOS) -> None:
    full = cos.api_keys.create(name="everything")
    assert "api_keys:write" in full.scopes and "members:read" in full.scopes

    with pytest.raises(CampaignOSError) as info:
        cos.api_keys.create(name="bad", scopes=["members:read", "nonsense:read"])
    assert info.value.status == 422 and info.value.code == "validation_failed"
    assert [(e.field, e.code) for e in info.value.errors] == [("scopes[1]", "unknown_scope")]


def test_rotate_gives_a_new_secret_and_the_old_one_stops(base_url: str, cos: CampaignOS) -> None:
    created = cos.api_keys.create(name="rotating", scopes=["organization:read"])
    rotated = cos.api_keys.rotate(created.id, grace_period_secs=0)
    assert isinstance(rotated, ApiKeyCreatedOut)
    assert rotated.id == created.id and rotated.scopes == ["organization:read"]
    assert rotated.secret != created.secret and rotated.secret.startswith("cos_")

    with CampaignOS(base_url=base_url, api_key=rotated.secret, **FAST) as robot:
        assert robot.organizations.get().id == robot.me.get().organization.id
    with CampaignOS(base_url=base_url, api_key=created.secret, **FAST) as stale:
        with pytest.raises(CampaignOSError) as info:
            stale.organizations.get()
    assert info.value.status == 401
