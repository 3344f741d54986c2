"""examples/python/agency_onboarding.py runs against the live server with the installed SDK."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "python" / "agency_onboarding.py"


def test_agency_onboarding_runs(base_url: str, tmp_path: Path) -> None:
    assert EXAMPLE.is_file(), EXAMPLE
    # Only the base URL: the example needs nothing else (no operator, no other server).
    result = subprocess.run(
        [sys.executable, str(EXAMPLE)],
        env={"CAMPAIGN_OS_BASE_URL": base_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "is now kind=agency" in out
    assert "kind=client" in out
    assert "7. rename refused: 403 insufficient_scope, required_scope=organization:write" in out
    assert out.rstrip().endswith("done")
