#!/usr/bin/env bash
# Quickstart with curl: sign up, log in, create an API key, call GET /v1/me with it, and list
# API keys page by page. Needs curl and python3 (to read JSON fields).
#   CAMPAIGN_OS_BASE_URL=http://127.0.0.1:8080 examples/curl/quickstart.sh
set -euo pipefail
BASE="${CAMPAIGN_OS_BASE_URL:-http://127.0.0.1:8080}"
EMAIL="quickstart-$(date +%s%N)@example.com"
PASSWORD="correct horse battery staple"

json() { python3 -c 'import json, sys; v = json.load(sys.stdin)
for k in sys.argv[1].split("."): v = v[k]
print(v if v is not None else "")' "$1"; }

echo "1. sign up as $EMAIL"
curl -sS --fail-with-body "$BASE/v1/auth/signup" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"organization_name\":\"Quickstart Ltd\"}" >/dev/null

echo "2. log in"
TOKEN=$(curl -sS --fail-with-body "$BASE/v1/auth/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" | json access_token)

echo "3. create three API keys (each secret is shown once)"
for name in first second third; do
  KEY=$(curl -sS --fail-with-body "$BASE/v1/api-keys" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -H "Idempotency-Key: quickstart-$name-$EMAIL" \
    -d "{\"name\":\"$name\"}" | json secret)
done

echo "4. GET /v1/me with the last key"
ME=$(curl -sS --fail-with-body "$BASE/v1/me" -H "Authorization: Bearer $KEY")
echo "   principal: $(echo "$ME" | json principal_type), organisation: $(echo "$ME" | json organization.name)"
[ "$(echo "$ME" | json principal_type)" = "api_key" ]

echo "5. list API keys, two per page"
CURSOR=""
PAGE=0
TOTAL=0
while :; do
  PAGE=$((PAGE + 1))
  BODY=$(curl -sS --fail-with-body "$BASE/v1/api-keys?limit=2${CURSOR:+&cursor=$CURSOR}" -H "Authorization: Bearer $KEY")
  COUNT=$(echo "$BODY" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["data"]))')
  TOTAL=$((TOTAL + COUNT))
  echo "   page $PAGE: $COUNT key(s)"
  CURSOR=$(echo "$BODY" | json next_cursor)
  [ -n "$CURSOR" ] || break
done
[ "$TOTAL" -eq 3 ] || { echo "expected 3 keys, listed $TOTAL" >&2; exit 1; }
echo "done: $TOTAL keys over $PAGE pages"
