#!/usr/bin/env bash
# Runs Kexie Flow: builds the widget (scripts/build.sh → dist/) and the server, publishes
# workflows/, and serves the demo OA portal, the widget at /kexie/ and the API on
# http://127.0.0.1:8080/ with an SQLite file in data/kexie.db.
# Ctrl-C stops it; the data stays for the next start. Extra flags go to `kexie serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/build.sh
cargo build --quiet --locked --release -p kexie-server --bin kexie
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
exec "$target_dir/release/kexie" serve --demo --db data/kexie.db "$@"
