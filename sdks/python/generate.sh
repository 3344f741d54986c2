#!/usr/bin/env bash
# Regenerates campaign_os/_generated from openapi/openapi.json with pinned tools.
#
#   sdks/python/generate.sh           regenerate in place
#   sdks/python/generate.sh --check   regenerate into a temp dir; exit 1 with a diff when the
#                                     committed tree differs (drift), 0 when it is up to date
#
# Tools: openapi-python-client + ruff, pinned in generator/requirements.txt, installed into a
# virtualenv under target/ (PY_SDK_GEN_VENV overrides its path). Generation always happens in a
# temp dir, then: postprocess.py (see its docstring), ruff check --fix-only (imports), ruff
# format. The result is byte-stable: running this twice leaves no diff.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# PY_SDK_GEN_SPEC / PY_SDK_GEN_DEST exist to try the pipeline on another spec (e.g. one with a
# multipart endpoint); leave them unset for the SDK.
spec="${PY_SDK_GEN_SPEC:-$root/openapi/openapi.json}"
dest="${PY_SDK_GEN_DEST:-$here/campaign_os/_generated}"
venv="${PY_SDK_GEN_VENV:-$root/target/py-sdk-gen-venv}"
reqs="$here/generator/requirements.txt"
python="${PYTHON:-python3}"

mode=write
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

# (Re)create the tool venv when it is missing or the pins changed.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$reqs" | cut -d' ' -f1)"
if [[ ! -x "$venv/bin/openapi-python-client" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "generate.sh: installing pinned generator tools into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$reqs"
  echo "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
out="$work/_generated"

# --fail-on-warning: a schema the generator cannot represent (e.g. an untagged oneOf it does
# not understand) must fail the build rather than silently disappear from the SDK.
if ! (cd "$work" && openapi-python-client generate \
        --path "$spec" \
        --config "$here/generator/config.yaml" \
        --meta none \
        --output-path "$out" \
        --fail-on-warning >"$work/generator.log" 2>&1); then
  cat "$work/generator.log" >&2
  echo "generate.sh: openapi-python-client failed (warnings count as failures)" >&2
  exit 1
fi
# Anything other than the "Generating <dir>" line is a message worth seeing.
grep -v '^Generating ' "$work/generator.log" >&2 || true

"$venv/bin/python" "$here/generator/postprocess.py" "$out" >"$work/postprocess.log"
(cd "$out" && ruff check --isolated --no-cache --quiet --fix-only --extend-select=I . \
            && ruff format --isolated --no-cache --quiet .)
find "$out" -name '__pycache__' -prune -exec rm -rf {} +

if [[ "$mode" == check ]]; then
  if diff -ruN --exclude=__pycache__ "$dest" "$out" >"$work/drift.diff"; then
    echo "generate.sh --check: campaign_os/_generated is up to date with openapi/openapi.json"
    exit 0
  fi
  cat "$work/drift.diff"
  echo "generate.sh --check: campaign_os/_generated differs from what openapi/openapi.json generates;" \
       "run sdks/python/generate.sh and commit the result" >&2
  exit 1
fi

rm -rf "$dest"
cp -R "$out" "$dest"
cat "$work/postprocess.log"
echo "generate.sh: wrote $(find "$dest" -name '*.py' | wc -l) files to ${dest#"$root"/}"
