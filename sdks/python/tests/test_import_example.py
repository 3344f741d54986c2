"""examples/python/import_contacts.py runs against the live server with the installed SDK."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from campaign_os import CampaignOS

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "python" / "import_contacts.py"


def run(base_url: str, cwd: Path, *args: str, api_key: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"CAMPAIGN_OS_BASE_URL": base_url, "PATH": "/usr/bin:/bin"}
    if api_key:
        env["CAMPAIGN_OS_API_KEY"] = api_key
    return subprocess.run(
        [sys.executable, str(EXAMPLE), *args], env=env, capture_output=True, text=True, timeout=120, cwd=cwd
    )


def test_the_generated_sample_imports_with_its_bad_rows_reported(base_url: str, tmp_path: Path) -> None:
    result = run(base_url, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "polling for progress" in out
    assert "done: 500 rows read, 497 created, 1 updated, 0 skipped, 2 failed" in out
    assert "  8,email,invalid_email," in out
    assert "  124,phone,invalid_phone," in out


def test_a_given_csv_with_a_mapping_and_an_api_key(base_url: str, cos: CampaignOS, tmp_path: Path) -> None:
    key = cos.api_keys.create(name="importer", scopes=["imports:write"])
    csv = tmp_path / "people.csv"
    csv.write_text("E-mail,Name\nada@example.com,Ada\nnope,Nobody\n", encoding="utf-8")
    result = run(base_url, tmp_path, str(csv), "--map", "E-mail=email", "--map", "Name=first_name", api_key=key.secret)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "signed up" not in result.stdout
    assert "done: 2 rows read, 1 created, 0 updated, 0 skipped, 1 failed" in result.stdout
    assert "  3,E-mail,invalid_email," in result.stdout
    assert [c.email for c in cos.contacts.list_all()] == ["ada@example.com"]

    # Without the mapping the header is refused at once: an API error, exit status 1.
    refused = run(base_url, tmp_path, str(csv), api_key=key.secret)
    assert refused.returncode == 1
    assert "unknown_column" in refused.stderr
