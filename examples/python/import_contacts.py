#!/usr/bin/env python3
"""Import contacts from a CSV file with the Python SDK, printing progress and the error report.

    pip install ./sdks/python
    python examples/python/import_contacts.py contacts.csv --map "E-mail=email" --map "Mobile=phone"
    python examples/python/import_contacts.py            # a generated sample with a few bad rows

Authenticates with $CAMPAIGN_OS_API_KEY (a key with imports:write and imports:read) or, without
it, signs up a new account. The server is $CAMPAIGN_OS_BASE_URL (default http://127.0.0.1:8080).
Without --map, every CSV header must be a contact field (first_name, last_name, email, phone,
timezone, locale, company_domain, tags, sms_consent, email_consent or custom.<key>).

Exits 0 when the import completes (rows that failed are listed in the error report), 1 when it
fails or on an API error. With the generated sample it also checks the counters.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid
from pathlib import Path

from campaign_os import CampaignOS, CampaignOSError
from campaign_os.models import ImportOut

SAMPLE_ROWS = 500
# The sample's bad rows (1-based data row → what is wrong), and a row repeating an earlier email.
BAD_ROWS = {7: ("not-an-email", "+1 415 555 0107"), 123: ("bad-phone@example.com", "12")}
DUPLICATE_ROW = 250


def write_sample(directory: Path) -> Path:
    """A CSV of SAMPLE_ROWS contacts: two invalid rows and one duplicate of an earlier email."""
    path = directory / "sample-contacts.csv"
    lines = ["first_name,last_name,email,phone,timezone"]
    for n in range(1, SAMPLE_ROWS + 1):
        email, phone = BAD_ROWS.get(n, (f"person-{n}@example.com", f"+1 415 555 {n:04d}"))
        if n == DUPLICATE_ROW:
            email, phone = "PERSON-1@example.com", ""
        lines.append(f"Person,Number {n},{email},{phone},Europe/London")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def client(base_url: str | None) -> CampaignOS:
    """A client authenticated with $CAMPAIGN_OS_API_KEY, or as a newly signed-up user."""
    api_key = os.environ.get("CAMPAIGN_OS_API_KEY")
    if api_key:
        return CampaignOS(api_key=api_key, base_url=base_url)
    with CampaignOS(base_url=base_url) as public:
        email = f"import-example-{uuid.uuid4().hex[:12]}@example.com"
        session = public.auth.signup(email=email, password="Import-Example-Pass-42", organization_name="Import Co.")
        print(f"signed up {email} (organisation {session.organization.id})")
    return CampaignOS(access_token=session.access_token, base_url=base_url)


def progress(job: ImportOut) -> None:
    print(
        f"  {job.status:<9} {job.rows_read:>7} rows read: {job.rows_created} created, {job.rows_updated} updated, "
        f"{job.rows_skipped} skipped, {job.rows_failed} failed"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", nargs="?", type=Path, help="the CSV to import (default: a generated sample)")
    parser.add_argument("--map", action="append", default=[], metavar="HEADER=FIELD", help="map a CSV column")
    parser.add_argument("--match-on", choices=["email", "phone"], default=None, help="default: email")
    parser.add_argument("--on-match", choices=["upsert", "skip"], default=None, help="default: upsert")
    parser.add_argument("--base-url", default=None, help="default: $CAMPAIGN_OS_BASE_URL")
    args = parser.parse_args()
    mapping = dict(item.split("=", 1) for item in args.map) or None

    with tempfile.TemporaryDirectory() as tmp, client(args.base_url) as cos:
        sample = args.csv is None
        path = write_sample(Path(tmp)) if sample else args.csv
        print(f"uploading {path} ({path.stat().st_size} bytes) to {cos.base_url} …")
        started = cos.imports.create(path, mapping=mapping, match_on=args.match_on, on_match=args.on_match)
        print(f"import {started.id} is {started.status}; polling for progress")
        done = cos.imports.wait(started.id, poll_interval=0.5, on_progress=progress)

        if done.status != "completed":
            print(f"import failed: {done.failure_reason}", file=sys.stderr)
            return 1
        print(
            f"done: {done.rows_read} rows read, {done.rows_created} created, {done.rows_updated} updated, "
            f"{done.rows_skipped} skipped, {done.rows_failed} failed"
        )
        if done.rows_failed:
            print("error report (row, column, code, reason):")
            for line in cos.imports.error_report(done.id).splitlines()[1:]:
                print(f"  {line}")

        if sample:
            expected = (SAMPLE_ROWS, SAMPLE_ROWS - len(BAD_ROWS) - 1, 1, len(BAD_ROWS))
            actual = (done.rows_read, done.rows_created, done.rows_updated, done.rows_failed)
            if actual != expected:
                print(f"expected (read, created, updated, failed) = {expected}, got {actual}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except CampaignOSError as err:
        print(f"error: {err}", file=sys.stderr)
        for field in err.errors:
            print(f"  {field.field}: {field.code} ({field.message})", file=sys.stderr)
        sys.exit(1)
