"""API keys, API-key auth, pagination and typed errors with the sync client (live server)."""

from __future__ import annotations

import pytest

from campaign_os import CampaignOS, CampaignOSError, paginate, paginate_pages
from campaign_os.models import ApiKeyCreatedOut, ApiKeyList, ApiKeyOut, PrincipalType
from conftest import FAST, Account, random_key_id


def test_create_get_list_delete(cos: CampaignOS) -> None:
    created = cos.api_keys.create(name="ci")
    assert isinstance(created, ApiKeyCreatedOut)
    assert created.id.startswith("key_")
    assert created.secret.startswith("cos_") and len(created.secret) == 44
    assert created.prefix == created.secret[:12]
    assert created.name == "ci"
    assert created.last_used_at is None

    fetched = cos.api_keys.get(created.id)
    assert isinstance(fetched, ApiKeyOut)
    assert (fetched.id, fetched.name, fetched.prefix) == (created.id, "ci", created.prefix)
    assert not hasattr(fetched, "secret")

    page = cos.api_keys.list()
    assert isinstance(page, ApiKeyList)
    assert [k.id for k in page.data] == [created.id]
    assert page.has_more is False and page.next_cursor is None

    assert cos.api_keys.delete(created.id) is None
    assert cos.api_keys.list().data == []
    with pytest.raises(CampaignOSError) as info:
        cos.api_keys.get(created.id)
    assert info.value.status == 404


def test_api_key_authenticates_as_api_key_principal(base_url: str, cos: CampaignOS, account: Account) -> None:
    created = cos.api_keys.create(name="robot")
    with CampaignOS(base_url=base_url, api_key=created.secret, **FAST) as robot:
        me = robot.me.get()
        assert me.principal_type == PrincipalType.API_KEY
        assert me.principal_type == "api_key"
        assert me.api_key is not None
        assert (me.api_key.id, me.api_key.name, me.api_key.prefix) == (created.id, "robot", created.prefix)
        assert me.user is None
        assert me.organization.id == account.session.organization.id
        # An API key may manage the organisation's keys too.
        assert [k.id for k in robot.api_keys.list().data] == [created.id]

        cos.api_keys.delete(created.id)
        with pytest.raises(CampaignOSError) as info:
            robot.me.get()
    assert info.value.status == 401
    assert info.value.code == "invalid_api_key"


def test_pagination_visits_every_key_once_in_order(cos: CampaignOS) -> None:
    ids = [cos.api_keys.create(name=f"key {i}").id for i in range(5)]

    assert [k.id for k in cos.api_keys.list_all(limit=2)] == ids

    pages = list(cos.api_keys.pages(limit=2))
    assert [len(p.data) for p in pages] == [2, 2, 1]
    assert [p.has_more for p in pages] == [True, True, False]
    assert pages[-1].next_cursor is None
    assert [k.id for p in pages for k in p.data] == ids

    # The generic helper works over any list operation.
    assert [k.id for k in paginate(cos.api_keys.list, limit=3)] == ids
    assert len(list(paginate_pages(cos.api_keys.list, limit=5))) == 1

    # Manual paging with the cursor.
    first = cos.api_keys.list(limit=4)
    assert first.has_more and first.next_cursor
    rest = cos.api_keys.list(limit=4, cursor=first.next_cursor)
    assert [k.id for k in first.data + rest.data] == ids


def test_unknown_key_is_a_typed_404(cos: CampaignOS) -> None:
    missing = random_key_id()
    with pytest.raises(CampaignOSError) as info:
        cos.api_keys.get(missing)
    err = info.value
    assert err.status == 404
    assert err.code == "not_found"
    assert err.title == "Not Found"
    assert err.type == "https://docs.campaign-os.dev/errors/not_found"
    assert err.request_id and err.request_id.startswith("req_")
    assert err.request_id == err.headers["x-request-id"]
    assert err.errors == []
    assert err.body and b"not_found" in err.body
    assert err.response is not None and err.response.status_code == 404

    with pytest.raises(CampaignOSError) as info:
        cos.api_keys.delete(missing)
    assert info.value.status == 404 and info.value.code == "not_found"


def test_malformed_id_is_400_invalid_id(cos: CampaignOS) -> None:
    with pytest.raises(CampaignOSError) as info:
        cos.api_keys.get("usr_01h455vb4pex5vsknk084sn02q")
    assert info.value.status == 400
    assert info.value.code == "invalid_id"
    assert "key_" in info.value.detail


def test_blank_name_is_422_with_field_errors(cos: CampaignOS) -> None:
    with pytest.raises(CampaignOSError) as info:
        cos.api_keys.create(name="")
    err = info.value
    assert err.status == 422
    assert err.code == "validation_failed"
    assert err.errors, err.body
    assert err.errors[0].field == "name"
    assert err.errors[0].code and err.errors[0].message


def test_limit_out_of_range_is_422(cos: CampaignOS) -> None:
    with pytest.raises(CampaignOSError) as info:
        cos.api_keys.list(limit=101)
    assert info.value.status == 422
    assert info.value.errors[0].field == "limit"
    assert info.value.errors[0].code == "range"
