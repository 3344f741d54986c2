#!/usr/bin/env python3
"""Campaign OS agency onboarding with the Python SDK.

Signs up a new user (unique email), turns the organisation into an agency, creates a client
workspace, invites a member into the client, creates a read-only API key for the client, calls
the API as the client with it, and shows that a write is refused with 403 naming the missing
scope.

    pip install ./sdks/python
    CAMPAIGN_OS_BASE_URL=http://127.0.0.1:8080 python examples/python/agency_onboarding.py

Exits 0 on success, 1 on an unexpected API error (printing its code and request id).
"""

from __future__ import annotations

import json
import sys
import uuid

from campaign_os import CampaignOS, CampaignOSError

READ_ONLY_SCOPES = ["organization:read", "members:read"]


def main() -> int:
    run = uuid.uuid4().hex[:12]
    email = f"agency-{run}@example.com"
    password = "Onboarding-Pass-2024!"

    # 1. Sign up: the new user owns a new organisation. base_url defaults to $CAMPAIGN_OS_BASE_URL.
    with CampaignOS() as public:
        print(f"server: {public.base_url}")
        session = public.auth.signup(email=email, password=password, organization_name="Ada Agency", name="Ada")
        print(f"1. signed up {session.user.email} as {session.role} of {session.organization.name}")

    with CampaignOS(access_token=session.access_token) as owner:
        # 2. Only an owner may change the organisation's kind.
        agency = owner.organizations.update(kind="agency")
        print(f"2. {agency.name} ({agency.id}) is now kind={agency.kind.value}")

        # 3. A client workspace: a child organisation with its own members, keys and data.
        client = owner.clients.create(name="Globex")
        print(f"3. created client workspace {client.name} ({client.id}), parent {client.parent_id}")

    # 4. Act on the client: tenant_id= sends X-Tenant-Id with every request.
    with CampaignOS(access_token=session.access_token, tenant_id=client.id) as in_client:
        invitee = f"grace-{run}@globex.example"
        invitation = in_client.invitations.create(email=invitee, role="member")
        print(f"4. invited {invitation.email} into {client.name} as {invitation.role.value} ({invitation.id})")

        # 5. A key created through X-Tenant-Id belongs to the client; this one may only read.
        key = in_client.api_keys.create(name="Globex reporting", scopes=READ_ONLY_SCOPES)
        print(f"5. created read-only key {key.id} ({key.prefix}…) in {client.name}, scopes {', '.join(key.scopes)}")

    # 6. Call as the client with that key: no header needed, the key lives in the client.
    with CampaignOS(api_key=key.secret) as robot:
        org = robot.organizations.get()
        print(f"6. as the key: organisation {org.name} ({org.id}), kind={org.kind.value}, parent {org.parent_id}")
        members = robot.members.list()
        seats = f"{org.seats_used}/{org.seat_limit} seats used (members + pending invitations)"
        print(f"   {len(members.data)} members, {seats}")
        if org.id != client.id:
            print(f"expected the key to act on {client.id}, got {org.id}", file=sys.stderr)
            return 1

        # 7. A write needs a scope the key does not hold.
        try:
            robot.organizations.update(name="Globex (renamed)")
        except CampaignOSError as err:
            if err.status != 403:
                raise
            required = json.loads(err.body).get("required_scope")
            print(f"7. rename refused: {err.status} {err.code}, required_scope={required}")
        else:
            print("expected the read-only key to be refused a rename", file=sys.stderr)
            return 1

    print("done")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CampaignOSError as err:
        print(f"error: {err}", file=sys.stderr)  # e.g. "404 not_found: … [request_id=req_…]"
        sys.exit(1)
