#!/usr/bin/env python3
"""Campaign OS quickstart with the Python SDK.

Signs up a new user (unique email), logs in, creates an API key, calls /v1/me with the key, and
lists the organisation's keys page by page.

    pip install ./sdks/python
    CAMPAIGN_OS_BASE_URL=http://127.0.0.1:8080 python examples/python/quickstart.py

Exits 0 on success, 1 on an API error (printing its code and request id).
"""

from __future__ import annotations

import sys
import uuid

from campaign_os import CampaignOS, CampaignOSError


def main() -> int:
    email = f"quickstart-{uuid.uuid4().hex[:12]}@example.com"
    password = "Quickstart-Pass-2024!"

    # No credentials yet: only sign-up and login work. base_url defaults to $CAMPAIGN_OS_BASE_URL.
    with CampaignOS() as cos:
        print(f"server: {cos.base_url}")

        session = cos.auth.signup(email=email, password=password, organization_name="Quickstart Inc.", name="Quinn")
        print(f"signed up {session.user.email} ({session.user.id}) in {session.organization.name} as {session.role}")

        session = cos.auth.login(email=email, password=password)
        print(f"logged in: access token expires in {session.expires_in}s")

    # Act as the user with the access token.
    with CampaignOS(access_token=session.access_token) as user:
        key = user.api_keys.create(name="quickstart")
        print(f"created API key {key.id} ({key.prefix}…); the secret is shown only once")
        for i in range(2):
            user.api_keys.create(name=f"quickstart extra {i + 1}")
        print("created 2 more keys")

    # Act as the API key, the way a server-side integration would.
    with CampaignOS(api_key=key.secret) as integration:
        me = integration.me.get()
        assert me.api_key is not None
        print(f"me: principal_type={me.principal_type.value} key={me.api_key.name!r} org={me.organization.id}")

        # Page by page, two keys at a time: pass each page's next_cursor to get the next one.
        page_number, cursor = 1, None
        while True:
            page = integration.api_keys.list(limit=2, cursor=cursor)
            print(f"page {page_number}: " + ", ".join(f"{k.name} ({k.id})" for k in page.data))
            if not page.has_more:
                break
            page_number, cursor = page_number + 1, page.next_cursor

        # Or let the iterator follow the cursors.
        total = sum(1 for _ in integration.api_keys.list_all(limit=2))
        print(f"{total} keys in total")
        if total != 3:
            print(f"expected 3 keys, found {total}", file=sys.stderr)
            return 1

    print("done")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CampaignOSError as err:
        print(f"error: {err}", file=sys.stderr)  # e.g. "404 not_found: … [request_id=req_…]"
        sys.exit(1)
