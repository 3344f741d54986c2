"""examples/python/quickstart.py runs against the live server with the installed SDK."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

QUICKSTART = Path(__file__).resolve().parents[3] / "examples" / "python" / "quickstart.py"


def test_quickstart_runs(base_url: str) -> None:
    assert QUICKSTART.is_file(), QUICKSTART
    result = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        env={**os.environ, "CAMPAIGN_OS_BASE_URL": base_url},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=QUICKSTART.parent,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "me: principal_type=api_key" in result.stdout
    assert "page 2:" in result.stdout
    assert result.stdout.rstrip().endswith("done")


def test_quickstart_fails_loudly_without_a_server(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        env={**os.environ, "CAMPAIGN_OS_BASE_URL": "http://127.0.0.1:9"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert "network_error" in result.stderr
