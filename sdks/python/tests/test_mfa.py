"""Two-factor login with TOTP and recovery codes (live server).

The codes come from a small RFC 6238 implementation in conftest.py (HMAC-SHA1, 6 digits,
30-second steps), the way an authenticator app computes them. The server never accepts a time step twice, so each
successive proof uses a later step (it accepts one step either side of the current one).
"""

from __future__ import annotations

import base64

import pytest

from campaign_os import CampaignOS, CampaignOSError
from campaign_os.models import MfaChallengeOut, SessionOut, TotpEnrolmentOut
from conftest import FAST, TOTP_STEP, Account, current_step, totp


def test_rfc_6238_reference_vector() -> None:
    # RFC 6238 appendix B, SHA-1, T = 59 s (step 1): 94287082 → the last six digits.
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, 59 // TOTP_STEP) == "287082"


def enable_2fa(cos: CampaignOS) -> tuple[str, list[str], int]:
    """Enrol and confirm; returns the secret, the recovery codes and the step used."""
    enrolment = cos.mfa.enrol_totp()
    assert isinstance(enrolment, TotpEnrolmentOut)
    assert enrolment.otpauth_uri.startswith("otpauth://totp/") and f"secret={enrolment.secret}" in enrolment.otpauth_uri
    step = current_step()
    codes = cos.mfa.confirm_totp(code=totp(enrolment.secret, step)).recovery_codes
    assert len(codes) == 10 and len(set(codes)) == 10
    return enrolment.secret, codes, step


def test_login_with_2fa_needs_a_second_step(cos: CampaignOS, public: CampaignOS, account: Account) -> None:
    secret, recovery_codes, step = enable_2fa(cos)

    challenge = public.auth.login(email=account.email, password=account.password)
    assert isinstance(challenge, MfaChallengeOut)
    assert challenge.challenge_token and challenge.expires_in > 0
    assert set(challenge.methods) == {"totp", "recovery_code"}

    # The step confirmed with is spent; the next one is accepted (one step ahead is allowed).
    with pytest.raises(CampaignOSError) as info:
        public.auth.login_mfa(challenge_token=challenge.challenge_token, code=totp(secret, step))
    assert info.value.status == 401
    challenge = public.auth.login(email=account.email, password=account.password)
    assert isinstance(challenge, MfaChallengeOut)
    session = public.auth.login_mfa(challenge_token=challenge.challenge_token, code=totp(secret, step + 1))
    assert isinstance(session, SessionOut)
    assert session.user.id == account.session.user.id
    assert session.organization.id == account.session.organization.id

    # A recovery code works once in place of a TOTP code.
    challenge = public.auth.login(email=account.email, password=account.password)
    assert isinstance(challenge, MfaChallengeOut)
    again = public.auth.login_mfa(challenge_token=challenge.challenge_token, code=recovery_codes[0])
    assert again.user.id == account.session.user.id
    challenge = public.auth.login(email=account.email, password=account.password)
    assert isinstance(challenge, MfaChallengeOut)
    with pytest.raises(CampaignOSError) as info:
        public.auth.login_mfa(challenge_token=challenge.challenge_token, code=recovery_codes[0])
    assert info.value.status == 401


def test_regenerate_recovery_codes_and_disable(
    base_url: str, cos: CampaignOS, public: CampaignOS, account: Account
) -> None:
    secret, old_codes, step = enable_2fa(cos)

    new_codes = cos.mfa.regenerate_recovery_codes(code=totp(secret, step + 1)).recovery_codes
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)

    challenge = public.auth.login(email=account.email, password=account.password)
    assert isinstance(challenge, MfaChallengeOut)
    with pytest.raises(CampaignOSError):
        public.auth.login_mfa(challenge_token=challenge.challenge_token, code=old_codes[0])

    assert cos.mfa.disable_totp(code=new_codes[0]) is None
    session = public.auth.login(email=account.email, password=account.password)
    assert isinstance(session, SessionOut)
    with CampaignOS(base_url=base_url, access_token=session.access_token, **FAST) as again:
        assert again.me.get().user is not None
