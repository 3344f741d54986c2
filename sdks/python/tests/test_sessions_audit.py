"""Login sessions, the audit log, password reset and email verification (live server)."""

from __future__ import annotations

import datetime
import re
import time

import pytest

from campaign_os import CampaignOS, CampaignOSError
from campaign_os.models import AcceptedOut, AuditEventList, LoginSessionList, SessionOut
from conftest import Account


def test_list_and_revoke_sessions(cos: CampaignOS, public: CampaignOS, account: Account) -> None:
    other = public.auth.login(email=account.email, password=account.password)
    assert isinstance(other, SessionOut)

    page = cos.sessions.list()
    assert isinstance(page, LoginSessionList)
    assert len(page.data) == 2
    assert [s.current for s in page.data] == [True, False]
    assert all(s.id.startswith("ses_") and s.organization_id == account.session.organization.id for s in page.data)
    assert [s.id for s in cos.sessions.list_all(limit=1)] == [s.id for s in page.data]

    assert cos.sessions.revoke(page.data[1].id) is None
    assert [s.current for s in cos.sessions.list().data] == [True]
    with pytest.raises(CampaignOSError) as info:
        public.auth.refresh(refresh_token=other.refresh_token)
    assert info.value.status == 401


def test_audit_log_lists_and_filters(cos: CampaignOS, account: Account) -> None:
    key = cos.api_keys.create(name="audited")
    cos.api_keys.delete(key.id)

    page = cos.audit_events.list()
    assert isinstance(page, AuditEventList)
    assert [e.action for e in page.data] == ["auth.signup", "api_key.created", "api_key.revoked"]
    assert [e.action for e in cos.audit_events.list_all(limit=1, order="desc")] == [
        "api_key.revoked",
        "api_key.created",
        "auth.signup",
    ]
    created = cos.audit_events.list(action="api_key.created").data
    assert len(created) == 1
    assert created[0].target is not None and created[0].target.id == key.id
    assert created[0].actor.id == account.session.user.id
    assert [len(p.data) for p in cos.audit_events.pages(limit=2, target_id=key.id)] == [2]

    future = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
    assert cos.audit_events.list(since=future).data == []


def test_password_reset_and_email_verification(
    public: CampaignOS, cos: CampaignOS, operator: CampaignOS, account: Account
) -> None:
    # These emails are sent in the background, and each new one retires the previous token: wait
    # for the sign-up's verification email before asking for another.
    _wait_for_tokens(operator, account.email, "verify", 1)
    accepted = cos.me.resend_email_verification()
    assert isinstance(accepted, AcceptedOut) and accepted.message
    newest = _wait_for_tokens(operator, account.email, "verify", 2)[0]
    assert public.auth.verify_email(token=newest) is None
    me = cos.me.get()
    assert me.user is not None and me.user.email_verified is True

    assert isinstance(public.auth.request_password_reset(email=account.email), AcceptedOut)
    reset = _wait_for_tokens(operator, account.email, "reset", 1)[0]
    new_password = "Another-Velvet-Orbit-94"
    assert public.auth.confirm_password_reset(token=reset, new_password=new_password) is None
    with pytest.raises(CampaignOSError) as info:
        public.auth.login(email=account.email, password=account.password)
    assert info.value.status == 401
    assert isinstance(public.auth.login(email=account.email, password=new_password), SessionOut)


def _wait_for_tokens(operator: CampaignOS, email: str, subject_word: str, count: int) -> list[str]:
    """The tokens of the emails to ``email`` whose subject has ``subject_word``, newest first, once
    there are ``count`` of them (the server sends these emails in the background)."""
    deadline = time.monotonic() + 10
    while True:
        tokens = []
        for message in operator.admin.list_all_sandbox_emails(to=email):
            if subject_word in message.subject.lower():
                match = re.search(r"token[=:]\s*([A-Za-z0-9_\-]{20,})", message.text)
                assert match, message.text
                tokens.append(match.group(1))
        if len(tokens) >= count or time.monotonic() > deadline:
            assert len(tokens) == count, f"expected {count} {subject_word!r} emails to {email}, got {len(tokens)}"
            return tokens
        time.sleep(0.05)
