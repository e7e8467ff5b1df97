#!/usr/bin/env bash
# The demo: capture the shipped sample account over six fixture days from the fake Heroku
# API on 127.0.0.1, then list, check, diff, trace history and run the controls.
# Run it through `make demo`, which installs what it needs and builds Docket first.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${DOCKET_PYTHON:-python3}
DOCKET=${DOCKET:-.build/debug/docket}
DEMO=Exports/demo
STORE=$DEMO/store.sqlite
export DOCKET_STORE=$STORE

rm -rf "$DEMO"
mkdir -p "$DEMO"

# The fake API listens on an ephemeral loopback port and writes it to a file.
"$PYTHON" Fixtures/fake_heroku.py --data Fixtures/sample --day 1 --port 0 --port-file "$DEMO/fake.port" \
    >"$DEMO/fake.log" 2>&1 &
FAKE_PID=$!
trap 'kill "$FAKE_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    [ -s "$DEMO/fake.port" ] && break
    sleep 0.1
done
API="http://127.0.0.1:$(cat "$DEMO/fake.port")"

fake_day() {
    "$PYTHON" - "$API" "$1" <<'PY'
import json, sys, urllib.request
request = urllib.request.Request(sys.argv[1] + "/_fake/config", data=json.dumps({"day": int(sys.argv[2])}).encode(), method="PUT")
urllib.request.urlopen(request).read()
PY
}

step() {
    printf '\n\033[1m== %s\033[0m\n' "$*"
}

step "Capture each fixture day (snapshot dated 2026-03-25 to 2026-03-30)"
for day in 1 2 3 4 5 6; do
    fake_day "$day"
    DOCKET_NOW="2026-03-$((24 + day))T06:00:00Z" "$DOCKET" capture --api-url "$API" --data-api-url "$API" \
        --token-file Fixtures/sample/token
done
step "Capture day 6 again on 2026-03-31: nothing changed, so the tree and objects are shared"
DOCKET_NOW="2026-03-31T06:00:00Z" "$DOCKET" capture --api-url "$API" --data-api-url "$API" --token-file Fixtures/sample/token

step "docket snapshots"
"$DOCKET" snapshots
step "docket snapshots --runs"
"$DOCKET" snapshots --runs
step "docket show latest"
"$DOCKET" show latest
step "docket check"
"$DOCKET" check

step "docket diff 2026-03-25 2026-03-30: what changed over the week"
"$DOCKET" diff 2026-03-25 2026-03-30
step "docket diff 2026-03-27 2026-03-28: only volatile fields moved, so no differences"
"$DOCKET" diff 2026-03-27 2026-03-28
"$DOCKET" diff 2026-03-26 2026-03-27 --format markdown >"$DEMO/changes-2026-03-27.md"
echo "(markdown for a change ticket written to $DEMO/changes-2026-03-27.md)"
step "docket history app/acme-web: the app was renamed to acme-storefront on 2026-03-27"
"$DOCKET" history app/acme-web

step "docket controls (policy Fixtures/policy-example.jsonc)"
DOCKET_NOW="2026-03-31T07:00:00Z" "$DOCKET" controls --policy Fixtures/policy-example.jsonc

step "docket bundle 2026-03: the auditor's bundle of March, signed, written to Exports/"
# A fresh demo key each run; an organisation keeps one key and gives auditors its public half.
rm -f "$DEMO/signing-key" "$DEMO/signing-key.pub"
ssh-keygen -q -t ed25519 -N '' -C evidence@acme.example -f "$DEMO/signing-key"
printf 'evidence@acme.example %s\n' "$(cat "$DEMO/signing-key.pub")" >"$DEMO/allowed_signers"
BUNDLE=Exports/docket-acme-2026-03.tar.gz
"$DOCKET" bundle 2026-03 -o "$BUNDLE" --sign-key "$DEMO/signing-key" --policy Fixtures/policy-example.jsonc
step "docket verify: the bundle read without extracting it, chain and signature included"
"$DOCKET" verify "$BUNDLE" --allowed-signers "$DEMO/allowed_signers"
echo "(open data/index.html after tar xf $BUNDLE, or run make report-png)"
