#!/usr/bin/env bash
# Every test of Kexie Flow, from a fresh machine: sets up what it needs (the wasm target,
# a throwaway PostgreSQL server), then runs the format and lint checks, the unit,
# property, CLI and API tests (the API ones against SQLite and PostgreSQL over loopback),
# the golden cases of the shipped workflows, and the WebAssembly build of the engine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null
cargo --version

step "format"
cargo fmt --all --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "PostgreSQL for the database tests"
source scripts/postgres.sh
trap stop_postgres EXIT
start_postgres

step "tests"
cargo test --workspace --locked

step "shipped workflows"
kexie() { cargo run --quiet --locked -p kexie-server --bin kexie -- "$@"; }
kexie check workflows
kexie test workflows

step "engine for the browser (wasm32)"
cargo build --locked -p kexie-engine --target wasm32-unknown-unknown

step "all green"
