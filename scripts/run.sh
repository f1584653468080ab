#!/usr/bin/env bash
# Runs the product as far as it exists today: builds the `kexie` command, checks the
# shipped workflows, runs their golden cases and walks through one case of each.
# (The server and the demo OA portal come with `kexie serve`; this script will start them.)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --locked -p kexie-server --bin kexie
kexie() { cargo run --quiet --locked -p kexie-server --bin kexie -- "$@"; }
kexie check workflows
kexie test workflows
for wf in workflows/*/; do
  first=$(ls "$wf"cases/0*.toml | head -n 1)
  printf '\n'
  kexie simulate "$wf" --case "$first"
done
