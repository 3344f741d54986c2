#!/usr/bin/env bash
# Runs the Python SDK's test suite against a live server and the fault proxy in front of it.
#
#   CAMPAIGN_OS_BASE_URL=http://127.0.0.1:8080 \
#   CAMPAIGN_OS_PROXY_URL=http://127.0.0.1:<proxy port> \
#   sdks/python/test.sh [pytest args...]
#
# The proxy is sdks/testing/fault_proxy.py --upstream "$CAMPAIGN_OS_BASE_URL". The SDK is installed
# the way users install it (pip install ./sdks/python) into a virtualenv under target/
# (PY_SDK_TEST_VENV overrides its path), with the pinned test tools of requirements-test.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${PY_SDK_TEST_VENV:-$root/target/py-sdk-venv}"
python="${PYTHON:-python3}"

missing=0
for var in CAMPAIGN_OS_BASE_URL CAMPAIGN_OS_PROXY_URL; do
  if [[ -z "${!var:-}" ]]; then
    echo "test.sh: $var must be set (see the header of this script)" >&2
    missing=1
  fi
done
[[ $missing == 0 ]] || exit 2

if [[ ! -x "$venv/bin/python" ]]; then
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements-test.txt"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$here"
# Reinstall the SDK itself every time, so the tests never run an older build of the tree.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$here"

# Run from tests/ (its pytest.ini) so that `import campaign_os` resolves to the installed
# package, not to the source tree.
cd "$here/tests"
exec "$venv/bin/python" -m pytest -q "$@"
