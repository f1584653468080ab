#!/usr/bin/env bash
# API property tests: schemathesis (pinned, from PyPI, in a virtualenv under the cargo target
# dir) against a running `kexie serve --demo` on a free loopback port with a throwaway
# SQLite database, as the demo user liming, then the administrators' operations (events,
# deliveries, directory, workflows) as the demo administrator hejun. Checks every operation
# of /api/v1/openapi.json: no 5xx, status codes, content types and JSON bodies as documented
# (errors included).
# Then a leak check (scripts/api_leaks.py): liming reads nothing of another user's
# instance or attachment. Exits non-zero on any failure.
#   scripts/api-fuzz.sh [examples-per-operation]   (default 200: about a minute)
# The seed is fixed (KEXIE_API_FUZZ_SEED, default 1) so a run is repeatable; set another
# to explore. Workers stay at 1: with several threads Python 3.11.7 trips over its own AST
# recursion counter ("SystemError: AST constructor recursion depth mismatch").
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
examples=${1:-200}
seed=${KEXIE_API_FUZZ_SEED:-1}
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

venv="$target/api-fuzz-venv"
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    rm -rf "$venv"
    if ! python3 -m venv "$venv"; then
        rm -rf "$venv"
        echo "api-fuzz: python3 cannot make a virtualenv; on Debian or Ubuntu: apt-get install python3-venv" >&2
        exit 1
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
"$venv/bin/st" --version

cargo build --quiet --locked -p kexie-server --bin kexie

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
env -u DATABASE_URL "$target/debug/kexie" serve --demo --db "$work/kexie.db" --bind 127.0.0.1 --port "$port" \
    --workflows workflows >"$work/server.log" 2>&1 &
server=$!
stop() {
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap stop EXIT

for _ in $(seq 1 300); do
    curl -sf "$base/api/v1/openapi.json" >/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.1
done

tok() {
    curl -sf -X POST "$base/demo/token" -H 'content-type: application/json' -d "{\"user\":\"$1\"}" |
        python3 -c 'import sys, json; print(json.load(sys.stdin)["token"])'
}
fuzz() { # token, then more schemathesis flags
    local token=$1
    shift
    # From the temp dir: schemathesis keeps its cache in ./.schemathesis.
    (cd "$work" && "$venv/bin/st" run "$base/api/v1/openapi.json" --url "$base" \
        -H "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --max-examples "$examples" --seed "$seed" --workers 1 "$@")
}

status=0
fuzz "$(tok liming)" || status=1
# As a user, the administrators' endpoints answer 403 only: their real answers need an admin.
fuzz "$(tok hejun)" --include-path-regex '/api/v1/(events|deliveries|directory|workflows)' || status=1

python3 scripts/api_leaks.py "$base" || status=1

if [ "$status" -ne 0 ]; then
    echo "--- server log (last 40 lines)"
    tail -n 40 "$work/server.log"
fi
exit "$status"
