#!/usr/bin/env bash
# Every test of Kexie Flow, from a fresh machine: sets up what it needs (the wasm target,
# the pinned wasm-bindgen-cli, binaryen and playwright-core from package-lock.json,
# Debian's Chromium, a throwaway PostgreSQL server, aiosmtpd for the mail tests), then runs the format and lint checks,
# the unit, property, CLI and API tests (the API ones against SQLite and PostgreSQL over
# loopback), the golden cases of the shipped workflows, schemathesis (pinned, from PyPI)
# against the OpenAPI document of a running server, a 30 s fuzz run of each engine
# target (cargo-fuzz on nightly), the widget's build, its component
# tests in headless Chromium, and the end-to-end tests of the demo portal in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
source scripts/tools.sh
rustup component add rustfmt clippy >/dev/null 2>&1 || true
ensure_wasm_target
cargo --version
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')

step "format"
cargo fmt --all --check
(cd fuzz && cargo fmt --check) # not a workspace member

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy --locked -p kexie-widget --target wasm32-unknown-unknown --all-targets -- -D warnings
cargo clippy --locked -p kexie-editor --target wasm32-unknown-unknown -- -D warnings

step "Python servers for the tests (aiosmtpd, pinned, from PyPI)"
ensure_test_python "$target"

step "PostgreSQL for the database tests"
source scripts/postgres.sh
trap stop_postgres EXIT
start_postgres

step "tests"
cargo test --workspace --locked
# PostgreSQL only, so ignored in a plain `cargo test`; here they must run, and fail without it.
cargo test --locked -p kexie-server --test replicas -- --ignored

step "shipped workflows"
kexie() { cargo run --quiet --locked -p kexie-server --bin kexie -- "$@"; }
kexie check workflows
kexie test workflows

step "API property tests: schemathesis against kexie serve --demo, and a leak check (scripts/api-fuzz.sh)"
scripts/api-fuzz.sh

step "fuzz smoke: each engine target for 30 s (scripts/fuzz.sh)"
scripts/fuzz.sh 30

step "widget (wasm32 → dist/)"
scripts/build.sh

step "Chromium"
ensure_chromium
chromium --version

step "widget components in headless Chromium (wasm-bindgen-test)"
mkdir -p "$target/tmp" # chromedriver leaves its profiles in TMPDIR
TMPDIR="$target/tmp" CHROMEDRIVER=/usr/bin/chromedriver \
    WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/frontend/webdriver.json" \
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
    cargo test --locked -p kexie-widget --target wasm32-unknown-unknown

step "end to end: the demo portal in headless Chromium (Playwright)"
KEXIE_BIN="$target/debug/kexie" KEXIE_SHOTS="$target/e2e-shots" node --test --test-concurrency=2 tests/e2e/
echo "screenshots: $target/e2e-shots"

step "all green"
